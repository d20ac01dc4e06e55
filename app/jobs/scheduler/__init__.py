"""One poll scheduler for every job: batched list reads, adaptive intervals, reconciliation.

There is no task per job. One loop groups the jobs that are due by resource and reads them
through ``GET /api/<resource>/?ids=`` (at most 100 ids a request); a resource whose list
documents no ``ids`` (Ad Clone, the Text Generator) is read job by job with ``GET {id}/``,
a bounded number a round. A job's first reads are placed from its generator's expected run
time (learned from the jobs seen to end, else the published figure), dense around the expected
end and at most ``slowest`` apart past it; due times share a grid, so a round reads a
resource's due jobs together. A 429 or
``Retry-After`` slows everyone down; losing the network pauses polling and it resumes by
itself. Creates whose outcome is ambiguous are looked up in the resource's list — never sent
again; a render, which runs on its preview's server job, is looked up on that job.

The parts, each a module of its own: :mod:`._policy` (:class:`PollPolicy`), :mod:`._timing`
(due times, pauses, "stalled"), :mod:`._reads` (batched and one-by-one reads),
:mod:`._reconcile` (lost creates found in the list) and :mod:`._scheduler`
(:class:`PollScheduler`: the loop and start-up).
"""

from app.jobs.scheduler._policy import PollPolicy
from app.jobs.scheduler._scheduler import PollScheduler

__all__ = ["PollPolicy", "PollScheduler"]
