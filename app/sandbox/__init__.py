"""The Creatify sandbox: a simulator of the Creatify API, real HTTP on loopback, stdlib only.

Used by the end-to-end tests (the real httpx client against it) and shipped in the app as the
offline sandbox, so every feature can be tried with nothing billed. It speaks the documented API
(``resources/creatify-openapi.json``) with its quirks (string/number ``progress``, ``output`` vs
``video_output``, DRF error shapes ...), bills by its own reading of the billing page, and can
misbehave on purpose (:class:`Faults`):

- ``error_rate``: that fraction of requests is answered 500/502/503 before any processing;
- ``rate_limit_rate``: answered 429 with ``Retry-After: retry_after``;
- ``latency``: seconds slept before every answer;
- ``reset_rate``: the TCP connection is reset (RST); for paid POSTs half of these happen after
  the job was created (the answer is lost), half before;
- ``malformed_rate``: a 2xx JSON answer is cut in half (status kept);
- ``fail_rate`` / ``reject_rate``: new jobs end ``failed`` / ``rejected`` (``failed`` where the
  resource has no ``rejected``);
- ``unknown_status_rate``: a read of a running job shows the status ``processing_v2``;
- ``insufficient_credits``: every paid POST gets the insufficient-credits error;
- ``reset_next_create_after_processing`` / ``reset_next_request_before_processing``: the next
  N paid POSTs are processed then reset / the next N requests are reset unprocessed.

Where the docs are awkward the simulator follows them (:class:`DocsQuirks`, every one on by
default, each switchable per ``Sandbox(quirks=...)``, on the command line with
``--quirk-off NAME`` and at run time with ``POST /_sandbox/quirks``): a ready preview reads
``pending``, AI Scripts' paragraphs are one string, musics are paged, the Asset Generator's
``credits_used`` is a string, the Ad Clone list ignores ``ids``, an AI Ad Template job's
``input_params`` and ``output`` are JSON text.

Faults never touch ``/_sandbox/*`` (state, faults, create log) and only latency and resets
touch ``/media/*``. Modules: ``world`` (the pure, lock-guarded front: requests in, answers
out) over ``account`` (the state), ``routing`` and ``routes`` (the table of documented
operations), ``runs`` (jobs on the clock, charging), ``objects`` (jobs as wire objects) and
``handlers`` (one module per family of resources); the rules they apply (``wire``: requests,
responses, errors and faults; ``validation`` and ``schema_check`` (``input_params`` against a
JSON Schema, by jsonschema); ``catalogue``; ``asset_models`` over ``asset_prices`` (the Asset
Generator's models, schemas and charges, from its own reading of
``resources/asset-models.json``); ``inspirations`` (the AI Ad Templates); ``jobs``;
``billing``; ``behaviours``: the per-resource table); ``server`` (:class:`Sandbox`) over
``httpd`` (the HTTP server), ``media`` (the sample files), ``__main__`` (the CLI).

``Sandbox(state_path=...)`` (``--state FILE``) keeps the account across runs: ``state``
(the account as a JSON document and back; URLs moved to a new address) and ``persist`` (the
file: written atomically after each change and at stop, set aside when damaged); one
process at a time serves a state file (:class:`SandboxBusy` tells another where).

A caller may add a resource family of its own — its path, accepted fields, price, billed
length, run and result — with ``Sandbox(behaviours=[Behaviour(...)])``; ``family`` holds
the vocabulary to describe one. The built-in resources and routes stay as they are.
"""

from app.sandbox.jobs import Behaviour
from app.sandbox.server import Sandbox, SandboxBusy
from app.sandbox.wire import CreateRecord, DocsQuirks, Faults

__all__ = ["Behaviour", "CreateRecord", "DocsQuirks", "Faults", "Sandbox", "SandboxBusy"]
