"""The command line's options: every subcommand, its help, and the exit codes in the epilog."""

from __future__ import annotations

import argparse

from app import APP_NAME, __version__
from app.cli._codes import CATALOGUES, EPILOG, FLOW_NAMES

DESCRIPTION = f"""{APP_NAME}: a desktop studio for the Creatify video API.

With no subcommand it opens the window. With one, it runs on the command line over the same
core: the same generators, estimates, budget guard, job ledger and downloads (the window's
settings and data folder). Credentials come from the keyring (saved by the window) or from
CREATIFY_API_ID and CREATIFY_API_KEY; the address from CREATIFY_API_BASE_URL."""

SUBCOMMANDS = ("generators", "estimate", "submit", "render", "catalogue", "jobs", "show",
               "watch", "download", "credits", "batch")


def _globals(parser: argparse.ArgumentParser, *, inherited: bool) -> None:
    """``--sandbox`` and ``--data-dir``, before or after the subcommand."""
    default = argparse.SUPPRESS if inherited else None
    parser.add_argument("--sandbox", action="store_true",
                        default=argparse.SUPPRESS if inherited else False,
                        help="use the built-in Creatify simulator (nothing is billed)")
    parser.add_argument("--data-dir", metavar="DIR", default=default,
                        help="keep config, data, cache and logs under DIR (as the window's "
                             "--data-dir)")


def _json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true",
                        help="one JSON object per line: events while waiting, the result last")


def _form(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("generator", metavar="GENERATOR",
                        help="a generator key (see `creatify-studio generators`)")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                        help="a field's value (repeatable; FIELD.KEY=VALUE for one input of a "
                             "set such as input_params; JSON for scenes and variables)")
    parser.add_argument("--values", metavar="FILE|-",
                        help="a JSON object of field values (from stdin with -); --set "
                             "applies on top")
    parser.add_argument("--seconds", type=float, metavar="S",
                        help="the billed length (default: worked out from the form as the "
                             "window does; needed where a media length is billed)")
    parser.add_argument("--flow", metavar="FLOW",
                        help=f"{' | '.join(FLOW_NAMES)} (default: the generator's first)")


def _paid(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--yes", action="store_true",
                        help="send without asking (required when there is no terminal)")
    parser.add_argument("--wait", action="store_true",
                        help="follow the job to its end (a preview: until it is ready)")
    parser.add_argument("--download", metavar="DIR",
                        help="save the results into DIR as the window does (implies --wait)")
    parser.add_argument("--plan", metavar="PLAN",
                        help="price dollars at this plan (api_starter, api_pro) instead of the "
                             "settings' plan")


def build_parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="creatify-studio", description=DESCRIPTION,
                                  epilog=EPILOG,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    top.add_argument("--self-test", action="store_true",
                     help="(window mode) check the installation without showing a window; "
                          "prints JSON")
    _globals(top, inherited=False)
    sub = top.add_subparsers(dest="command", metavar="SUBCOMMAND")

    def command(name: str, text: str, description: str = "") -> argparse.ArgumentParser:
        parser = sub.add_parser(name, help=text, description=description or text,
                                epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
        _globals(parser, inherited=True)
        return parser

    p = command("generators", "every generator: key, title, fields (name, kind, required, "
                "choices, limits) and flows")
    _json(p)

    p = command("estimate", "the window's quote for a form (credits, breakdown, dollars at the "
                "plan; 'at least' or 'unknown' where the window says so); sends nothing",
                "Price a form exactly as the window's estimator does. Offline from the saved "
                "catalogues, or, with --sandbox or a key in the environment, with the balance, "
                "fresh catalogues and the prices learned from your finished jobs.")
    _form(p)
    p.add_argument("--plan", metavar="PLAN", help="price dollars at this plan (api_starter, "
                   "api_pro) instead of the settings' plan")
    _json(p)

    p = command("submit", "send a form (paid): shows the estimate and asks; the budget guard "
                "applies", "Send a paid request. Without --yes it asks on the terminal; with "
                "no terminal it refuses (exit 3) and sends nothing.")
    _form(p)
    _paid(p)
    _json(p)

    p = command("render", "render a ready preview, or the chosen --style of a compare (paid)")
    p.add_argument("job", metavar="JOB", help="the preview's job key (8 characters suffice) "
                   "or Creatify's id")
    p.add_argument("--style", help="the compared style to render (its name or media job id)")
    _paid(p)
    _json(p)

    p = command("catalogue", "the ids a script needs: avatars, voices (with accent ids), "
                "musics, templates, models, inspirations, links")
    p.add_argument("kind", choices=CATALOGUES, metavar="KIND",
                   help=" | ".join(CATALOGUES))
    p.add_argument("--search", metavar="TEXT", help="only entries matching every word")
    _json(p)

    p = command("jobs", "the jobs in the ledger, newest first (reads the file; no request)")
    p.add_argument("--active", action="store_true", help="only jobs still followed")
    p.add_argument("--limit", type=int, default=500, help="at most this many (default 500)")
    _json(p)

    p = command("show", "one job: its state, costs, results, request and history")
    p.add_argument("job", metavar="JOB")
    _json(p)

    p = command("watch", "follow every active job until none is left running")
    _json(p)

    p = command("download", "save a finished job's results (again)")
    p.add_argument("job", metavar="JOB")
    p.add_argument("--dir", metavar="DIR", help="save into DIR (default: the settings' "
                   "output folder)")
    _json(p)

    p = command("credits", "the remaining credits and what jobs in flight have committed")
    p.add_argument("--plan", metavar="PLAN", help="dollars at this plan")
    _json(p)

    p = command("batch", "send one job per product URL of a .csv or .txt file (the window's "
                "batch sheet)", "Read, check, price and send a batch. CSV columns are mapped to "
                "the target's settings by their headers; --set gives settings every row shares.")
    p.add_argument("file", metavar="FILE", help="a .csv (with a URL column) or .txt file")
    p.add_argument("--target", metavar="GENERATOR", help="the generator every row goes to "
                   "(default: the window's default for product pages)")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="a setting every row shares (repeatable)")
    p.add_argument("--seconds", type=float, metavar="S",
                   help="the media length, where the target bills one")
    p.add_argument("--dry-run", action="store_true", help="check and price only; send nothing")
    p.add_argument("--yes", action="store_true", help="send without asking")
    p.add_argument("--concurrency", type=int, metavar="N",
                   help="jobs running at once (default: the settings')")
    p.add_argument("--plan", metavar="PLAN", help="dollars at this plan")
    _json(p)
    return top


__all__ = ["SUBCOMMANDS", "build_parser"]
