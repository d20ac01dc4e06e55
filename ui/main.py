"""Start-up: options, logging, the exception hook, the qasync loop, the window or self-test."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from app import APP_NAME, __version__
from app.credentials import Credentials, CredentialStore
from app.logsafe import RedactingFilter
from app.paths import AppPaths, app_paths
from app.settings import Settings, SettingsStore, resolve_output_dir

if TYPE_CHECKING:
    import asyncio

    from app.credentials import KeyringUnavailable
    from ui.service import StudioService
    from ui.window.main_window import MainWindow

log = logging.getLogger("ui")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="creatify-studio", description=f"{APP_NAME}: a "
                                     "desktop studio for the Creatify video API.")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--sandbox", action="store_true",
                        help="use the built-in Creatify simulator (nothing is billed)")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="keep config, data, cache and logs under DIR (portable use)")
    parser.add_argument("--self-test", action="store_true",
                        help="check the installation without showing a window; prints JSON")
    # Hidden: the password store round trip (save, load in a new process, remove) the
    # installation checks run; each step is this program started again.
    parser.add_argument("--keyring-self-test", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--keyring-self-test-step", metavar="STEP", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


class _HeldRecords(logging.Handler):
    """The records of start-up made before the log file is open (it opens after the first
    paint): written to it first, in order, when it does."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def setup_logging(paths: AppPaths, *, file_later: bool = False) -> Callable[[], None]:
    """A rotating log file (secrets masked) plus warnings on stderr.

    With ``file_later``, the file (and ``logging.handlers``, which loads sockets, pickle and
    queues) is opened only by the returned function — start-up calls it after the first
    paint; the records made meanwhile are held and written to it first."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    redact = RedactingFilter()
    stderr = logging.StreamHandler()
    stderr.setLevel(logging.WARNING)
    stderr.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    stderr.addFilter(redact)
    root.addHandler(stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    held = _HeldRecords()
    root.addHandler(held)

    def open_file() -> None:
        if held not in root.handlers:
            return  # already open
        from logging.handlers import RotatingFileHandler

        file_handler = RotatingFileHandler(paths.log_file, maxBytes=2_000_000, backupCount=3,
                                           encoding="utf-8")
        file_handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s: %(message)s"))
        file_handler.addFilter(redact)
        root.removeHandler(held)
        for record in held.records:
            file_handler.handle(record)
        held.records.clear()
        root.addHandler(file_handler)

    if not file_later:
        open_file()
    return open_file


def api_base_url(settings: Settings, environ: dict[str, str]) -> str:
    """``CREATIFY_API_BASE_URL`` (validated) over the setting over Creatify's own: the one
    rule, ``app.credentials.api_base_url``."""
    from app.credentials import api_base_url as resolve_base_url

    return resolve_base_url(settings.api_base_url, environ)


def install_exception_hook() -> None:
    """Log any uncaught exception and show it in a dialog instead of dying."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    shown: list[QMessageBox] = []

    def hook(kind: type[BaseException], value: BaseException,
             tb: TracebackType | None) -> None:
        log.critical("uncaught exception", exc_info=(kind, value, tb))
        if QApplication.instance() is None or len(shown) > 3:
            return
        box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME,
                          "Something went wrong. Your jobs and settings are safe; the details "
                          "are in the log file.")
        box.setObjectName("crash_dialog")
        box.setDetailedText("".join(traceback.format_exception(kind, value, tb))[-4000:])
        box.finished.connect(lambda _result: shown.remove(box) if box in shown else None)
        shown.append(box)
        box.open()

    sys.excepthook = hook


def _loop_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    exc = context.get("exception")
    if exc is not None:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    else:
        log.error("event loop: %s", context.get("message"))


def wire_window(window: MainWindow, service: StudioService,
                base_url: str) -> Callable[[Awaitable[Any], str], None]:
    """Connect the window's requests (credentials, sandbox, disconnect) to the service.

    Returns ``connect(awaitable, what)``, which runs a connection step and reports a failure
    in the status bar.
    """
    from ui.service import describe

    service.base_url = base_url  # the credentials dialog checks keys at this address

    def connect(step: Awaitable[Any], what: str) -> None:
        async def run() -> None:
            try:
                await step
            except Exception as exc:
                window.statusBar().showMessage(f"{what} failed: {describe(exc)}", 15000)
        service.tasks.spawn(run(), what)

    window.credentialsReady.connect(
        lambda creds: connect(service.use_credentials(creds, base_url), "Connecting"))
    window.sandboxRequested.connect(lambda: connect(service.use_sandbox(), "Starting the sandbox"))
    window.disconnectRequested.connect(lambda: connect(service.drop_connection(), "Disconnecting"))
    return connect


FIRST_PAINT_WAIT = 2.0
"""Seconds start-up waits for the window's frame to be painted before loading the rest anyway
(a window that is never exposed, e.g. started minimised, still gets its service)."""


@dataclass
class Frame:
    """What the first paint needs: the settings, the API address, the password store and the
    window's frame (title, menus, welcome page, status bar) — no event loop, no service."""

    store: SettingsStore
    settings: Settings
    base_url: str
    credential_store: CredentialStore
    window: MainWindow


def open_frame(paths: AppPaths) -> Frame | None:
    """Read the settings, check the API address and show the window's frame (None: the
    address is refused, said on stderr, no window shown)."""
    from app.api._addresses import InsecureBaseURLError  # (the address rules alone)
    from ui.window.main_window import MainWindow

    store = SettingsStore(paths.settings_file)
    settings = store.load()
    try:
        base_url = api_base_url(settings, dict(os.environ))
    except InsecureBaseURLError as exc:
        from app.credentials import ENV_BASE_URL

        print(f"{ENV_BASE_URL}: {exc}", file=sys.stderr)
        return None
    credential_store = CredentialStore()
    window = MainWindow(None, store, settings, credential_store,
                        str(paths.default_output_dir))
    window.show()
    return Frame(store, settings, base_url, credential_store, window)


def paint_now(window: MainWindow, wait: float = FIRST_PAINT_WAIT) -> None:
    """Let Qt paint ``window`` before the event loop (asyncio, qasync) is even imported: a
    local Qt loop until its first paint (or ``wait`` seconds)."""
    if window.painted:
        return
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    window.firstPainted.connect(loop.quit)
    QTimer.singleShot(int(wait * 1000), loop.quit)
    loop.exec()


async def first_paint(window: MainWindow, wait: float = FIRST_PAINT_WAIT) -> None:
    """Until ``window`` has painted once (or ``wait`` seconds)."""
    import asyncio

    if window.painted:
        return
    painted = asyncio.Event()
    window.firstPainted.connect(painted.set)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(wait):
            await painted.wait()


async def run_window(args: argparse.Namespace, paths: AppPaths,
                     frame: Frame | None = None) -> int:
    """The window's frame first (title, menus, welcome page: what the first paint needs;
    ``main`` shows and paints it before the event loop starts), then the price files, the
    service (httpx, the session), the pages and the saved key."""
    import asyncio

    from PySide6.QtWidgets import QApplication

    from app.pricing.updates import activate_saved

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    asyncio.get_running_loop().set_exception_handler(_loop_exception_handler)
    if frame is None:
        frame = open_frame(paths)
        if frame is None:
            return 2
    window, store, settings = frame.window, frame.store, frame.settings
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    if not window.isVisible():  # closed before the loop started
        closed.set()
    await first_paint(window)
    # Price files imported earlier (File → Update prices…) back in force before any estimate
    # (the frame makes none: the pages are built by attach, below).
    for info in await asyncio.to_thread(activate_saved, paths.data_dir):
        log.info("imported price file in force: %s of %s", info.title, info.as_of)

    from ui.service import StudioService

    service = StudioService(resolve_output_dir(settings, paths), data_dir=paths.data_dir,
                            auto_download=settings.auto_download)
    connect = wire_window(window, service, frame.base_url)  # (before attach: a click made
    window.attach(service)                                  # while it loaded is answered)
    from ui.common.background import freeze_heap

    freeze_heap()  # (no full garbage collection walks start-up's objects again)
    for problem in store.problems:
        window.statusBar().showMessage(problem, 15000)

    from app.credentials import KeyringUnavailable, credentials_from_env

    env_creds = credentials_from_env(os.environ)
    if env_creds is not None:
        window.session_credentials = env_creds
        connect(service.use_credentials(env_creds, frame.base_url), "Connecting")
    elif args.sandbox:
        connect(service.use_sandbox(), "Starting the sandbox")
    else:
        try:
            stored = await asyncio.to_thread(frame.credential_store.load)
        except KeyringUnavailable as exc:
            stored = None
            window.show_welcome_note(keyring_notice(exc))
        if stored is not None:
            service.tasks.spawn(connect_saved(window, service, stored, frame.base_url, connect),
                                "Connecting")

    await closed.wait()
    await service.aclose()
    window.deleteLater()
    return 0


def keyring_notice(exc: KeyringUnavailable) -> str:
    """The welcome page's words when no secure password store can be used."""
    return ("<b>Your API key cannot be remembered on this computer</b>: no secure password "
            "store (such as GNOME Keyring) is available. You can still connect — the key is "
            f"then kept for this session only.<br><small>{exc.fix}</small>")


async def connect_saved(window: MainWindow, service: StudioService, creds: Credentials,
                        base_url: str, connect: Callable[[Awaitable[Any], str], None]) -> None:
    """Connect with the saved key — unless Creatify refuses it: then the window stays on the
    welcome page with that one reason (a key revoked since). Offline, it connects anyway: jobs
    are followed again once Creatify answers."""
    from app.credentials import Verdict, check_credentials

    check = await check_credentials(creds, base_url)
    if check.verdict is Verdict.REFUSED:
        window.show_welcome_note(f"{check.message} (Enter API credentials to change them.)")
        return
    connect(service.use_credentials(creds, base_url), "Connecting")


async def self_test(paths: AppPaths) -> dict[str, Any]:
    """Start the sandbox, submit one cheap job through the window's service, follow it to the
    end, download its result; report the keyring backend and QtMultimedia."""
    import asyncio

    from app.credentials import backend_description
    from app.generators import spec
    from app.generators.quote import quote
    from app.sandbox.media import VIDEO
    from ui.service import StudioService

    report: dict[str, Any] = {"version": __version__, "python": sys.version.split()[0]}
    started = time.monotonic()
    service = StudioService(paths.data_dir / "self-test", data_dir=paths.data_dir,
                            sandbox_speed=500)
    try:
        report["sandbox"] = await service.use_sandbox()
        voices = await service.read_catalogue("voices")
        values = {"script": "Creatify Studio checks that everything works.",
                  "accent": voices[0]["accents"][0]["id"]}
        tts = spec("text_to_speech")
        priced = quote(tts, values, tts.derive_seconds(values))  # as the window quotes it
        if priced.credits is None:
            raise RuntimeError(f"the test job cannot be priced: {priced.error}")
        sent = await asyncio.wait_for(service.submit(tts, values, estimate=priced.credits), 60)
        record = sent
        deadline = time.monotonic() + 60
        while record is not None and time.monotonic() < deadline and not (
                record.state.is_terminal and record.download_state.value in ("done", "failed")):
            await asyncio.sleep(0.05)
            record = service.job(record.key)
        report["job"] = {"status": record.raw_status if record else "not sent",
                         "credits_used": str(record.credits_used) if record else None,
                         "download": record.download_state.value if record else None}
        path = Path(record.download_path) if record and record.download_path else None
        head = path.read_bytes()[:12] if path else b""
        report["download"] = {"path": str(path) if path else None,
                              "bytes": path.stat().st_size if path else 0,
                              "is_wav": head.startswith(b"RIFF") and head[8:12] == b"WAVE"}
        job_ok = bool(record and record.state.value == "done" and report["download"]["is_wav"])
    except Exception as exc:
        report["job_error"] = f"{type(exc).__name__}: {exc}"
        job_ok = False
    finally:
        await service.aclose()
    name, secure = backend_description()
    from importlib.metadata import entry_points

    # keyring finds its backends through its package metadata; a bundle without it would
    # silently fall back to "fail" even where a system keyring exists.
    known = sorted(e.name for e in entry_points(group="keyring.backends"))
    report["keyring"] = {"backend": name, "secure": secure, "backends_installed": known}
    report["multimedia"] = await _multimedia_check(VIDEO.path)
    report["charts"] = _charts_check()
    report["seconds"] = round(time.monotonic() - started, 2)
    report["ok"] = job_ok and report["multimedia"]["loaded"] \
        and report["multimedia"].get("duration_ms", 0) > 0 and report["charts"]["loaded"]
    return report


def _charts_check() -> dict[str, Any]:
    """QtCharts (the Spending window's chart) loads and holds data."""
    try:
        from PySide6.QtCharts import QBarSet
    except ImportError as exc:
        return {"loaded": False, "error": str(exc)}
    bars = QBarSet("self-test")
    bars.append([1.0, 2.0])
    return {"loaded": bars.count() == 2, "bars": bars.count()}


def own_command() -> list[str]:
    """How to start this program again: the frozen executable, or this Python on ``ui.main``."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "ui.main"]


MULTIMEDIA_WAIT = 15.0
"""Seconds the self-test waits for QtMultimedia to read the sample video's length."""


async def _multimedia_check(video: Path) -> dict[str, Any]:
    """Load QtMultimedia and read a real video's duration."""
    import asyncio

    try:
        from PySide6.QtCore import QUrl
        from PySide6.QtMultimedia import QMediaPlayer
    except ImportError as exc:
        return {"loaded": False, "error": str(exc)}
    player = QMediaPlayer()
    errors: list[str] = []
    settled = asyncio.Event()

    def on_error(_error: object, text: str) -> None:
        errors.append(text)
        settled.set()

    def on_duration(duration: int) -> None:
        if duration > 0:
            settled.set()

    player.errorOccurred.connect(on_error)
    player.durationChanged.connect(on_duration)
    player.setSource(QUrl.fromLocalFile(str(video)))
    if player.duration() <= 0:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(MULTIMEDIA_WAIT):
                await settled.wait()
    result: dict[str, Any] = {"loaded": True, "duration_ms": player.duration()}
    if errors:
        result["error"] = errors[0]
    player.setSource(QUrl())
    player.deleteLater()
    return result


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    from app.cli import wants_cli

    if wants_cli(arguments):  # `creatify-studio SUBCOMMAND …`: the command line, no Qt
        from app.cli import main as cli_main
        return cli_main(arguments)
    args = parse_args(arguments)
    if args.keyring_self_test_step:  # one step of the round trip, in this process
        from app.credentials import run_step

        step = run_step(args.keyring_self_test_step)
        print(json.dumps(step, sort_keys=True))
        return 0 if step["ok"] else 1
    if args.keyring_self_test:
        from app.credentials import round_trip

        report = round_trip(own_command())
        print(json.dumps(report, sort_keys=True))
        return 0 if report["ok"] else 1
    if args.self_test:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    paths = app_paths(args.data_dir).ensure()
    open_log = setup_logging(paths, file_later=not args.self_test)
    log.info("%s %s starting (data in %s)", APP_NAME, __version__, paths.data_dir)

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Creatify Studio")
    app.setDesktopFileName("creatify-studio")
    app.setQuitOnLastWindowClosed(False)
    install_exception_hook()

    frame = None
    if not args.self_test:  # the frame on screen first; the log file and the loop after it
        try:
            frame = open_frame(paths)
            if frame is None:
                return 2
            paint_now(frame.window)
        finally:
            open_log()  # (a failure above is then logged in the file too)

    import asyncio

    import qasync

    if args.self_test:
        report = asyncio.run(self_test(paths), loop_factory=qasync.QEventLoop)
        print(json.dumps(report, sort_keys=True))
        return 0 if report["ok"] else 1
    return asyncio.run(run_window(args, paths, frame), loop_factory=qasync.QEventLoop)


if __name__ == "__main__":
    sys.exit(main())
