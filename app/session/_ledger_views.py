"""The ledger queries the widgets need, over the session's current ledger: a page of jobs, one
job, the renders of a preview, the balance readings. Each answers "nothing" when not
connected (no ledger open), so a widget never has to ask first."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from app.jobs.ledger import JobRecord, Ledger


class LedgerViews:
    """The reading half of :class:`~app.session.Session` over ``self.ledger``."""

    ledger: Ledger | None

    def jobs_page(self, limit: int = 5000) -> list[JobRecord]:
        """The newest ``limit`` jobs shown in the Jobs panel (none when not connected)."""
        return self.ledger.page(limit=limit) if self.ledger is not None else []

    def job(self, key: str) -> JobRecord | None:
        """The job with local key ``key`` as the ledger holds it now, or ``None``."""
        if self.ledger is None:
            return None
        try:
            return self.ledger.get(key)
        except KeyError:
            return None

    def all_finished(self) -> bool:
        """Connected, and no job is followed any more."""
        return self.ledger is not None and not self.ledger.active()

    def renders_of(self, preview: JobRecord) -> list[JobRecord]:
        """The renders sent for a preview's server job (refused or failed ones left out)."""
        return self.ledger.renders_of(preview) if self.ledger is not None else []

    def balance_readings(self, since: datetime | None = None) -> list[tuple[datetime, Decimal]]:
        """The balance readings kept since ``since`` (none when not connected)."""
        return self.ledger.balance_readings(since) if self.ledger is not None else []


__all__ = ["LedgerViews"]
