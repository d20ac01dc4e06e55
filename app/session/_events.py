"""What a session reports and the words it reports in: modes, music queries, the callbacks
of :class:`SessionEvents` and :func:`describe` (an error → a message for the user)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.api.errors import CreatifyError
from app.downloads import DownloadError
from app.generators import SpecError
from app.jobs.budget import BudgetError
from app.jobs.ledger import JobRecord, LedgerError

NOT_CONNECTED = "Not connected: enter your API credentials or try the sandbox."

PAID_ERRORS = (CreatifyError, SpecError, LedgerError, BudgetError)
"""What a paid request raises when it was refused or not sent (told to the user, not a bug)."""


class Mode:
    NONE = "none"
    SANDBOX = "sandbox"
    LIVE = "live"


@dataclass(frozen=True, slots=True)
class MusicQuery:
    """One page of Creatify's music library: what the picker asked for."""

    search: str = ""
    category: str = ""
    page: int = 1
    page_size: int = 20


def describe(exc: BaseException) -> str:
    """A message for the user from any error the core raises."""
    if isinstance(exc, CreatifyError):
        return exc.message
    if isinstance(exc, BudgetError):
        return exc.message
    if isinstance(exc, SpecError):
        return "; ".join(exc.errors.values())
    if isinstance(exc, DownloadError | LedgerError | ValueError):
        return str(exc)
    return f"Unexpected error: {type(exc).__name__}: {exc}"


def _ignore(*_args: object) -> None:
    return None


@dataclass(slots=True)
class SessionEvents:
    """The callbacks a session reports through; each defaults to doing nothing."""

    mode_changed: Callable[[str], None] = _ignore                  # Mode.*
    credits_changed: Callable[[Decimal | None], None] = _ignore
    credits_failed: Callable[[str], None] = _ignore                # message
    catalogue_loaded: Callable[[str, list[Any]], None] = _ignore   # kind, items
    catalogue_failed: Callable[[str, str], None] = _ignore         # kind, message
    template_loaded: Callable[[str, Any], None] = _ignore          # template id, detail
    template_failed: Callable[[str, str], None] = _ignore          # template id, message
    music_page_loaded: Callable[[MusicQuery, Any], None] = _ignore  # query, MusicPage
    music_page_failed: Callable[[MusicQuery, str], None] = _ignore  # query, message
    image_loaded: Callable[[str, bytes], None] = _ignore           # url, bytes
    image_failed: Callable[[str, str], None] = _ignore             # url, message
    job_changed: Callable[[JobRecord], None] = _ignore             # any change, any job
    jobs_reloaded: Callable[[], None] = _ignore                    # a new connection's ledger
    committed_changed: Callable[[Decimal], None] = _ignore         # credits in flight
    follower_changed: Callable[[bool, str | None], None] = _ignore  # we follow?, who else
    error: Callable[[str], None] = _ignore                         # "what: message"


__all__ = ["NOT_CONNECTED", "PAID_ERRORS", "Mode", "MusicQuery", "SessionEvents", "describe"]
