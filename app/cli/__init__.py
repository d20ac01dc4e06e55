"""The command line: ``creatify-studio SUBCOMMAND …`` over the Qt-free core.

Scripts get what the window has — the same generators and estimates
(:func:`app.generators.quote.quote`), the budget guard, the crash-safe ledger and its
reconciliation, downloads named like the window's — through one :class:`app.session.Session`.
Qt is never imported on these paths.

Modules: ``_parser`` (options and help), ``_exit`` (exit codes and the error → code mapping),
``_output`` (JSON lines, plain lines, the progress bar), ``_context`` (paths, settings,
connection), ``_values`` (form values from ``--set`` / ``--values``), ``_pricing`` (the
window's figures and wording), ``_follow`` (``--wait`` / ``--download``) and one module per
family of commands in ``commands``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from app.cli._codes import CliError, Exit
from app.cli._parser import SUBCOMMANDS, build_parser

if TYPE_CHECKING:
    from app.cli._context import Context

Handler = Callable[["Context"], Awaitable[int]]

_GLOBAL_FLAGS = ("--sandbox",)
_GLOBAL_VALUES = ("--data-dir",)


def wants_cli(argv: Sequence[str]) -> bool:
    """Whether ``argv`` names a subcommand (or asks for help): the command line, not the
    window. Global options may come first."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ("-h", "--help"):
            return True
        if arg in _GLOBAL_FLAGS or arg.startswith("--data-dir="):
            continue
        if arg in _GLOBAL_VALUES:
            skip = True
            continue
        return arg in SUBCOMMANDS
    return False


def _handlers() -> dict[str, Handler]:
    from app.cli.commands.batch import cmd_batch
    from app.cli.commands.catalogue import cmd_catalogue, cmd_estimate, cmd_generators
    from app.cli.commands.jobs import cmd_credits, cmd_download, cmd_jobs, cmd_show, cmd_watch
    from app.cli.commands.submit import cmd_render, cmd_submit
    return {"generators": cmd_generators, "estimate": cmd_estimate, "submit": cmd_submit,
            "render": cmd_render, "catalogue": cmd_catalogue, "jobs": cmd_jobs,
            "show": cmd_show, "watch": cmd_watch, "download": cmd_download,
            "credits": cmd_credits, "batch": cmd_batch}


async def _run(ctx: Context, handler: Handler) -> int:
    from app.cli._exit import code_for
    from app.session import describe
    try:
        return int(await handler(ctx))
    except CliError as exc:
        ctx.out.error(exc.message, exc.code)
        return int(exc.code)
    except BrokenPipeError:  # `… | head`: the reader has what it wanted
        _quiet_stdout()
        return int(Exit.DONE)
    except Exception as exc:  # the core's errors: a message and their code, never a trace
        code = code_for(exc)
        ctx.out.error(describe(exc), code)
        return int(code)
    finally:
        await ctx.aclose()


def _quiet_stdout() -> None:
    """Point stdout at the null device so the interpreter's last flush cannot fail again."""
    import os
    import sys
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def main(argv: Sequence[str]) -> int:
    """Run one subcommand; returns its exit code (documented in ``--help``)."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:  # --help (0) or a usage error (2, already printed)
        return int(exc.code) if isinstance(exc.code, int) else Exit.USAGE
    if args.command is None:
        parser.print_help()
        return Exit.USAGE
    if getattr(args, "download", None):
        args.wait = True
    from app.cli._context import Context
    from app.cli._output import Output

    try:
        ctx = Context(args)
    except CliError as exc:
        Output(bool(getattr(args, "json", False))).error(exc.message, exc.code)
        return int(exc.code)
    try:
        import asyncio  # (here: the window's first paint imports this package, not asyncio)

        return asyncio.run(_run(ctx, _handlers()[args.command]))
    except KeyboardInterrupt:
        ctx.out.note("Interrupted. Jobs already sent go on at Creatify; the ledger keeps them "
                     "(`creatify-studio watch` follows them).")
        return 130


if __name__ == "__main__":  # pragma: no cover
    import sys
    sys.exit(main(sys.argv[1:]))

__all__ = ["main", "wants_cli"]
