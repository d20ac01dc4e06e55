"""The session: one connection to Creatify (or to the offline sandbox) and what hangs on it.

A :class:`Session` owns the connection switch (the client, the ledger file of each mode, the
job manager following that ledger), the catalogues and free look-ups read over it, the picker
images (read by :class:`app.media.MediaFetcher`), the balance and the credits committed to
jobs in flight, and the ledger queries the widgets need. It imports no Qt: it reports through
the plain callbacks of :class:`SessionEvents`, which ``ui.service.StudioService`` turns into
signals.

Reads the session starts itself (credits, catalogues, images) run in its task group; a paid
request is a coroutine the caller runs (the service, one task each).

Modules: ``_events`` (modes, queries, the callbacks, :func:`describe`), ``_reads`` (the
free reads cached for the connection), ``_catalogues`` (the catalogues kept on disk: asset
schemas and AI Ad Templates, answered offline and refreshed in the background),
``_learned`` (prices learned from finished jobs), ``_following`` (which process polls the
jobs of a ledger shared with another Creatify Studio, and waiting for jobs in either role),
``_ledger_views`` (the ledger queries the
widgets need), ``_sandbox_controls`` (where the sandbox runs — a child process,
``_sandbox_process``, or this process for tests — its address and its run-time controls:
state, faults, docs quirks, over its ``/_sandbox/*`` endpoints), ``_session`` (the connection
and its jobs; the balance read once a moment after a burst of jobs ending). Importing the
session never imports the simulator (``app.sandbox``).
"""

from app.session._catalogues import CACHED_KINDS, TEMPLATE_RULE, CachedCatalogues
from app.session._events import (
    NOT_CONNECTED,
    PAID_ERRORS,
    Mode,
    MusicQuery,
    SessionEvents,
    describe,
)
from app.session._following import COMMAND_LINE, WINDOW
from app.session._learned import LearnedPrices
from app.session._reads import MAX_CACHED_LOOKUPS, FreeReads
from app.session._sandbox_controls import SandboxControlError, SandboxControls, SandboxState
from app.session._session import SANDBOX_SPEED, Later, Session

__all__ = [
    "CACHED_KINDS",
    "COMMAND_LINE",
    "MAX_CACHED_LOOKUPS",
    "NOT_CONNECTED",
    "PAID_ERRORS",
    "SANDBOX_SPEED",
    "TEMPLATE_RULE",
    "WINDOW",
    "CachedCatalogues",
    "FreeReads",
    "Later",
    "LearnedPrices",
    "Mode",
    "MusicQuery",
    "SandboxControlError",
    "SandboxControls",
    "SandboxState",
    "Session",
    "SessionEvents",
    "describe",
]
