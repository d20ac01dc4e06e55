"""Exit codes and the one mapping from the core's errors to them.

A script reads the exit code before anything else, so every path of every subcommand ends in
one of these, documented in ``--help``.
"""

from __future__ import annotations

from enum import IntEnum

from app.api.errors import (
    AuthenticationError,
    ConnectionFailedError,
    CreatifyError,
    InsufficientCreditsError,
    TimeoutFailedError,
    ValidationError,
)
from app.generators import SpecError
from app.jobs.budget import BudgetError
from app.pricing import PricingError


class Exit(IntEnum):
    DONE = 0
    FAILED = 1       # the job failed or was rejected, or Creatify refused the create
    USAGE = 2        # bad options or a value a field does not accept (nothing sent)
    REFUSED = 3      # not confirmed, budget guard, insufficient credits (nothing sent)
    UNKNOWN = 4      # the create's answer was lost: being reconciled (never re-sent)
    CONNECTION = 5   # Creatify (or the simulator) could not be reached, or refused the key


EPILOG = """exit codes:
  0  done (for a preview: the preview is ready)
  1  failed or rejected (the job, or Creatify refused the create)
  2  usage or validation error (the field's message is printed; nothing was sent)
  3  refused: not confirmed (no --yes and no terminal), the budget guard, or
     insufficient credits (nothing was sent)
  4  outcome unknown: the create's answer was lost; the job is being looked up in
     Creatify's list and will never be sent again (see `creatify-studio jobs --active`)
  5  connection problem: Creatify could not be reached, or the key was refused"""


class CliError(Exception):
    """A message for the user and the exit code it ends the command with."""

    def __init__(self, message: str, code: Exit) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


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
