"""The one mapping from the core's errors to the exit codes (:mod:`._codes`)."""

from __future__ import annotations

from app.api.errors import (
    AuthenticationError,
    ConnectionFailedError,
    CreatifyError,
    InsufficientCreditsError,
    TimeoutFailedError,
    ValidationError,
)
from app.cli._codes import EPILOG, CliError, Exit
from app.generators import SpecError
from app.jobs.budget import BudgetError
from app.pricing import PricingError


def _connection(exc: BaseException | None) -> bool:
    return isinstance(exc, ConnectionFailedError | TimeoutFailedError | AuthenticationError)


def code_for(exc: BaseException) -> Exit:
    """The exit code of an error the core raised while sending or reading."""
    if isinstance(exc, CliError):
        return exc.code
    if isinstance(exc, BudgetError):
        # An unreadable balance refuses the send too; when the network is why, say so.
        return Exit.CONNECTION if _connection(exc.__cause__) else Exit.REFUSED
    if isinstance(exc, InsufficientCreditsError):
        return Exit.REFUSED
    if isinstance(exc, SpecError | ValidationError | PricingError):
        return Exit.USAGE
    if _connection(exc):
        return Exit.CONNECTION
    if isinstance(exc, CreatifyError):
        return Exit.FAILED
    return Exit.FAILED


__all__ = ["EPILOG", "CliError", "Exit", "code_for"]
