"""Exit codes, their help text, and the names the options take: light, so ``--help`` loads
nothing of the core."""

from __future__ import annotations

from enum import IntEnum


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


FLOW_NAMES = {"create": "create", "preview": "preview_render", "compare": "compare_styles",
              "regenerate": "regenerate"}
"""The short flow names the options take (the full ones are accepted too)."""

CATALOGUES = ("avatars", "voices", "musics", "templates", "models", "inspirations", "links")

__all__ = ["CATALOGUES", "EPILOG", "FLOW_NAMES", "CliError", "Exit"]
