"""``python -m app.sandbox`` (or ``creatify-sandbox``): run the Creatify simulator until
SIGINT/SIGTERM.

    python -m app.sandbox --port 8765 --speed 10 --fail-rate 0.1

prints one line, ``Creatify sandbox listening on http://127.0.0.1:8765 (X-API-ID sandbox /
X-API-KEY sandbox)``, and serves. Point the app (or curl) at that URL with those two headers.
``GET /_sandbox/state``, ``GET|POST /_sandbox/faults``, ``GET|POST /_sandbox/quirks`` and
``GET /_sandbox/creates`` inspect and steer it while it runs. ``--quirk-off preview_pending``
(repeatable) serves the plainer reading of the docs where they are awkward. ``--state FILE``
keeps the account (balance, jobs, links ...) in FILE across runs.

Run as a child of Creatify Studio (``app.session``'s sandbox process) it takes two more
options: ``--ready-json`` prints one JSON line instead, ``{"base_url": URL, "restored": BOOL}``
(or ``{"busy": URL}`` and exit status 3 when another process serves the ``--state`` file), and
``--watch-stdin`` makes standard input its lifeline: it stops cleanly at end of input (the
parent closed the pipe, or died), and each ``reset`` line forgets the account
(``Sandbox.reset``) and is answered ``{"reset": true}``.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import FrameType
from typing import TextIO

from app.sandbox.server import Sandbox, SandboxBusy, is_loopback
from app.sandbox.wire import DocsQuirks, Faults

_FAULT_OPTIONS = (  # (option, Faults field, help)
    ("--error-rate", "error_rate", "fraction of API requests answered 500/502/503"),
    ("--rate-limit-rate", "rate_limit_rate", "fraction answered 429 with Retry-After"),
    ("--retry-after", "retry_after", "seconds in Retry-After (default 1)"),
    ("--latency", "latency", "seconds slept before every answer"),
    ("--reset-rate", "reset_rate", "fraction of requests whose connection is reset"),
    ("--malformed-rate", "malformed_rate", "fraction of 2xx answers with truncated JSON"),
    ("--fail-rate", "fail_rate", "fraction of new jobs that end failed"),
    ("--reject-rate", "reject_rate", "fraction of new jobs that end rejected"),
    ("--unknown-status-rate", "unknown_status_rate",
     "fraction of job reads showing an undocumented status"),
)


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"must be a number >= 0: {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app.sandbox",
        description="Run the Creatify API simulator on loopback (nothing is billed).")
    parser.add_argument("--host", default="127.0.0.1",
                        help="loopback address (default %(default)s)")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--speed", type=float, default=1.0, metavar="N",
                        help="time factor: 10 makes a 90 s job take 9 s")
    parser.add_argument("--api-id", default="sandbox", help="the X-API-ID to accept")
    parser.add_argument("--api-key", default="sandbox", help="the X-API-KEY to accept")
    parser.add_argument("--balance", type=_decimal, default=Decimal(500), metavar="N",
                        help="starting credits")
    parser.add_argument("--seed", type=int, default=None, help="seed for ids and faults")
    parser.add_argument("--state", type=Path, default=None, metavar="FILE",
                        help="keep the account (balance, jobs, links, create log) in FILE "
                             "across runs; a damaged FILE is set aside and a fresh one starts")
    for option, name, text in _FAULT_OPTIONS:
        parser.add_argument(option, dest=name, type=float, default=getattr(Faults, name),
                            metavar="S" if name in ("retry_after", "latency") else "F", help=text)
    parser.add_argument("--insufficient-credits", action="store_true",
                        help="answer every paid request with the insufficient-credits error")
    parser.add_argument("--quirk-off", action="append", default=[], metavar="NAME",
                        choices=DocsQuirks.names(),
                        help="turn one docs quirk off (repeatable): "
                             + ", ".join(DocsQuirks.names()))
    parser.add_argument("--ready-json", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--watch-stdin", action="store_true", help=argparse.SUPPRESS)
    return parser


BUSY_STATUS = 3
"""Exit status of ``--ready-json`` when another process serves the state file."""


def _say(out: TextIO, message: dict[str, object]) -> None:
    print(json.dumps(message), file=out, flush=True)


def _watch_stdin(sandbox: Sandbox, stop: threading.Event) -> None:
    """Until end of input: ``reset`` lines reset the account; then ``stop`` is set (the
    parent closed its end of the pipe or died)."""
    try:
        for line in sys.stdin:
            if line.strip() == "reset":
                sandbox.reset()
                _say(sys.stdout, {"reset": True})
    except (OSError, ValueError, TypeError):  # TypeError: no standard input at all
        pass
    finally:
        stop.set()


def _serving(args: argparse.Namespace, sandbox: Sandbox, url: str,
             stop: threading.Event) -> None:
    """Say where the sandbox listens; with ``--watch-stdin``, start watching the lifeline."""
    if args.ready_json:
        _say(sys.stdout, {"base_url": url, "restored": sandbox.restored})
    else:
        print(f"Creatify sandbox listening on {url} "
              f"(X-API-ID {args.api_id} / X-API-KEY {args.api_key})", flush=True)
    if args.watch_stdin:
        threading.Thread(target=_watch_stdin, args=(sandbox, stop), daemon=True,
                         name="sandbox-lifeline").start()


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not is_loopback(args.host):
        print(f"python -m app.sandbox: refusing --host {args.host}: the sandbox listens on "
              "loopback only (127.0.0.1, ::1 or localhost).", file=sys.stderr)
        return 2
    if args.speed <= 0:
        parser.error("--speed must be > 0")
    try:
        faults = Faults(insufficient_credits=args.insufficient_credits,
                        **{name: getattr(args, name) for _, name, _ in _FAULT_OPTIONS})
    except (TypeError, ValueError) as exc:
        parser.error(str(exc))
    quirks = DocsQuirks(**{name: False for name in args.quirk_off})
    sandbox = Sandbox(host=args.host, port=args.port, api_id=args.api_id, api_key=args.api_key,
                      balance=args.balance, speed=args.speed, faults=faults, quirks=quirks,
                      seed=args.seed, state_path=args.state)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            url = sandbox.start()
        except OSError as exc:
            print(f"python -m app.sandbox: cannot listen on {args.host}:{args.port}: {exc}",
                  file=sys.stderr)
            return 1
        except SandboxBusy as exc:
            if args.ready_json:
                _say(sys.stdout, {"busy": exc.base_url})
                return BUSY_STATUS
            print(f"python -m app.sandbox: {exc}", file=sys.stderr)
            return 1
        _serving(args, sandbox, url, stop)
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


if __name__ == "__main__":
    sys.exit(main())
