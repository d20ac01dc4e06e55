"""Jobs from submit to saved file: the ledger, the poll scheduler and the downloads together.

Qt-free: the window's service wraps it in signals; tests and benchmarks drive it directly.

* Submitting writes the ledger row *before* the paid request leaves, and records the answer —
  created, refused, or ambiguous (then reconciled through the list, never re-sent).
* One :class:`PollScheduler` task follows every job — in the one process that holds the
  ledger's follower lease (:mod:`app.jobs.lease`); another process on the same ledger sees
  the changes through the file and takes over when the lease is free.
* Finished results are downloaded (a concurrency limit, resumable ``.part`` files, a sidecar
  JSON beside each file, a fresh URL fetched when the old one expired).

The parts, each a module of its own: :mod:`._submit` (submitting, the Link-first flow,
renders and compared styles), :mod:`._stream` (the streamed Text Generator),
:mod:`._sending` (the budget guard, one paid send, ambiguous answers), :mod:`._downloads`
(finished results saved), :mod:`._follow` (the follower's duties, the ledger watch, the
takeover), :mod:`._tasks` (:class:`TaskGroup`) and :mod:`._manager`
(:class:`JobManager`: the connection's parts together, start-up pick-up).
"""

from app.jobs.manager._base import PLACEHOLDER_LINK, Pricing, describe_request
from app.jobs.manager._manager import JobManager
from app.jobs.manager._tasks import TaskGroup

__all__ = ["PLACEHOLDER_LINK", "JobManager", "Pricing", "TaskGroup", "describe_request"]
