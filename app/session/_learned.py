"""Prices learned from the account's own runs: for each learned-price key (a model and its
price-driving parameters), what the latest finished job with that key really cost.

Why: most Asset Generator models publish only a "from N" price, and a table can go stale; the
charge Creatify reported (``credits_used``, a string on the asset list, read by the client's
number reader) is the best figure there is for the same request. The estimator asks
:meth:`LearnedPrices.get` (``quote(..., learned=session.learned_price)``).

The map is read from the connection's ledger when it opens (``Ledger.last_charges``) and kept
current from the session's job changes, so an estimate never waits on a query.
"""

from __future__ import annotations

from datetime import datetime

from app.jobs.ledger import JobRecord, JobState, Ledger
from app.pricing import LearnedCharge


def _charge(record: JobRecord) -> LearnedCharge | None:
    """What a finished job teaches: ``done`` with a key and a charge above zero."""
    if (record.state is not JobState.DONE or not record.price_key
            or record.credits_used is None or record.credits_used <= 0):
        return None
    finished = record.finished_at or record.updated_at
    return LearnedCharge(credits=record.credits_used,
                         charged_on=finished.astimezone().date(),
                         job_id=record.server_id or record.key)


class LearnedPrices:
    """Price key → the latest :class:`~app.pricing.LearnedCharge`."""

    def __init__(self) -> None:
        self._charges: dict[str, LearnedCharge] = {}
        self._finished: dict[str, datetime] = {}

    def load(self, ledger: Ledger) -> None:
        """Everything the ledger has learned (replacing what this map held)."""
        self._charges.clear()
        self._finished.clear()
        for record in ledger.last_charges().values():
            self.seen(record)

    def seen(self, record: JobRecord) -> None:
        """A job changed: a newer finished charge for its key replaces the older one."""
        charge = _charge(record)
        if charge is None or record.price_key is None:
            return
        finished = record.finished_at or record.updated_at
        known = self._finished.get(record.price_key)
        if known is not None and finished < known:
            return
        self._charges[record.price_key] = charge
        self._finished[record.price_key] = finished

    def get(self, key: str) -> LearnedCharge | None:
        return self._charges.get(key)

    def __len__(self) -> int:
        return len(self._charges)


__all__ = ["LearnedPrices"]
