"""A full session of the real windowed app (offscreen) with a real-looking API key, for the
secrets suite (``run.py secrets``), which then searches every file it left for the key.

    python secrets_session.py BASE_URL ROOT       # the key in $RELIABILITY_SESSION_KEY

``ROOT`` is the app's ``--data-dir`` (config, data, cache, logs, output); the caller points
HOME and the XDG folders inside it too. The app's own start-up is used (``setup_logging``: the
rotating log file with its redacting filter; the exception hook; the window and its service),
with every logger at DEBUG — stricter than the app's INFO. The session, all through the
window: the credentials dialog (a wrong key tested, then the right one tested and saved), jobs
submitted from five tabs with the cost confirmation, polled and downloaded; then, with the
simulator's faults, a failed job, a lost answer (looked up again), server errors, a rate
limit, a malformed answer, insufficient credits, a refused request, a connection test to a
closed port; a log line and an exception that carry the key (the filter must mask them); a
download again; settings saved; the credentials removed; the window closed.

Prints one JSON line: what the session did (jobs, files, messages shown).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

API_ID = "ws_5f3c9a7e21d84b06"


def set_faults(base_url: str, **faults: Any) -> None:
    request = urllib.request.Request(f"{base_url}/_sandbox/faults/",
                                     data=json.dumps(faults).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()


CLEAR = dict(error_rate=0, rate_limit_rate=0, reset_rate=0, malformed_rate=0, fail_rate=0,
             reject_rate=0, unknown_status_rate=0, insufficient_credits=False,
             reset_next_create_after_processing=0, reset_next_request_before_processing=0)


async def until(predicate: Callable[[], object], timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what or predicate}")
        await asyncio.sleep(0.02)


async def session(base_url: str, root: Path, key: str) -> dict[str, Any]:
    from PySide6.QtWidgets import QMessageBox, QPushButton

    from app.credentials import Credentials, CredentialStore
    from app.jobs.ledger import DownloadState, JobState, Ledger
    from app.paths import app_paths
    from app.settings import SettingsStore, resolve_output_dir
    from tests.samples import Inputs, MemoryKeyring, valid_values
    from ui.dialogs import CredentialsDialog
    from ui.main import _loop_exception_handler, install_exception_hook, setup_logging, wire_window
    from ui.service import Mode, StudioService
    from ui.window.main_window import MainWindow

    paths = app_paths(root).ensure()
    setup_logging(paths)
    logging.getLogger().setLevel(logging.DEBUG)
    for name in ("httpx", "httpcore", "app", "ui"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    install_exception_hook()
    asyncio.get_running_loop().set_exception_handler(_loop_exception_handler)

    shown: list[str] = []  # every message the window or service showed the user
    store = SettingsStore(paths.settings_file)
    settings = store.load()
    service = StudioService(resolve_output_dir(settings, paths), data_dir=paths.data_dir)
    keyring = MemoryKeyring()
    window = MainWindow(service, store, settings,
                        CredentialStore(backend=keyring, trust_backend=True),
                        str(paths.default_output_dir))
    for signal in (service.submitFailed, service.errorRaised, service.creditsFailed,
                   service.catalogueFailed, service.connectionTested):
        signal.connect(lambda *args: shown.append(" ".join(str(a) for a in args)))
    window.statusBar().messageChanged.connect(lambda text: shown.append(text))
    wire_window(window, service, base_url)
    window.show()
    window.save_settings(dataclasses.replace(settings, api_base_url=base_url))

    # Credentials: a wrong key tested, then the right one tested and saved.
    window.open_credentials()
    await until(lambda: window.findChild(CredentialsDialog) is not None, what="the dialog")
    dialog = window.findChild(CredentialsDialog)
    assert dialog is not None
    dialog.api_id.setText(API_ID)
    dialog.api_key.setText(key[:-6] + "wrong1")
    dialog.test_button.click()
    await until(lambda: "Invalid" in dialog.test_result.text(), what="the wrong key refused")
    shown.append(dialog.test_result.text())
    dialog.api_key.setText(key)
    dialog.test_button.click()
    await until(lambda: "Connected" in dialog.test_result.text(), what="the right key accepted")
    shown.append(dialog.test_result.text())
    dialog.save_button.click()
    await until(lambda: service.mode == Mode.LIVE and service.credits is not None,
                what="connected")
    saved_in_keyring = keyring.entries.get(("Creatify Studio", "X-API-KEY")) == key
    client = service.session.client
    assert client is not None

    link = await client.create_link("https://shop.example.com/products/secret-mug")
    voices = await client.voices()
    personas = await client.personas()
    inputs = Inputs(link_id=link.id, persona_id=personas[0]["id"],
                    accent_id=voices[0]["accents"][0]["id"])

    async def submit(key_: str, values: dict[str, Any], *, wait: bool = True) -> None:
        tab = window.tab(key_)
        window.show_generator(key_)
        tab.form.set_values(values)
        await until(lambda: tab.submit_button.isEnabled(), what=f"{key_} ready: "
                    f"{tab.errors()} {tab.hint.text()}")
        tab.submit_button.click()
        await until(lambda: any(b.isVisible() for b in
                                window.findChildren(QMessageBox, "confirm_cost")),
                    what="the confirmation")
        box = [b for b in window.findChildren(QMessageBox, "confirm_cost") if b.isVisible()][-1]
        send = box.findChild(QPushButton, "confirm_send")
        assert send is not None
        send.click()
        await until(lambda: not tab.busy, what=f"{key_} answered")
        shown.append(tab.status.text())

    def settled() -> bool:
        ledger = service.session.ledger
        if ledger is None:
            return True
        for r in ledger.page(limit=1000, include_hidden=True):
            if r.state.is_active and r.state is not JobState.UNKNOWN:
                return False
            if r.state in (JobState.DONE, JobState.IMAGE_DONE) and r.result_urls and \
                    r.download_state not in (DownloadState.DONE, DownloadState.FAILED):
                return False
        return True

    # Jobs from five tabs: submitted, polled, downloaded.
    for gen in ("links", "text_to_speech", "url_to_video", "ai_scripts", "text_generator"):
        await submit(gen, valid_values(gen, inputs))
    await until(settled, timeout=60, what="the first jobs settled")

    # Errors, through the same tabs.
    tts = valid_values("text_to_speech", inputs)
    set_faults(base_url, **{**CLEAR, "fail_rate": 1.0})
    await submit("text_to_speech", {**tts, "script": tts["script"] + " failing"})
    set_faults(base_url, **{**CLEAR, "reset_next_create_after_processing": 1})
    await submit("url_to_video", valid_values("url_to_video", inputs))  # the answer is lost
    set_faults(base_url, **{**CLEAR, "malformed_rate": 1.0})
    await submit("text_to_speech", {**tts, "script": tts["script"] + " malformed"})
    set_faults(base_url, **{**CLEAR, "error_rate": 1.0})
    await submit("text_to_speech", {**tts, "script": tts["script"] + " server error"})
    service.refresh_credits()
    await asyncio.sleep(0.3)
    set_faults(base_url, **{**CLEAR, "rate_limit_rate": 1.0, "retry_after": 0.05})
    service.refresh_credits()
    await asyncio.sleep(0.3)
    set_faults(base_url, **{**CLEAR, "insufficient_credits": True})
    await submit("text_to_speech", {**tts, "script": tts["script"] + " no credits"})
    set_faults(base_url, **CLEAR)
    await submit("url_to_video", {**valid_values("url_to_video", inputs),
                                  "link": "00000000-0000-4000-8000-000000000000"})  # refused
    service.test_connection(Credentials(API_ID, key), "http://127.0.0.1:9")  # closed port
    await asyncio.sleep(0.5)
    ledger = service.session.ledger
    assert ledger is not None
    for record in ledger.page(limit=1000, include_hidden=True):
        if record.state is JobState.UNKNOWN:
            service.look_again(record.key)
    await until(settled, timeout=60, what="every job settled")

    # The filter's job: a log line and an exception that carry the key.
    logging.getLogger("ui.session").info("connected with key %s (id %s)", key, API_ID)
    try:
        raise RuntimeError(f"request failed with headers {{'X-API-KEY': '{key}'}}")
    except RuntimeError:
        logging.getLogger("app.session").exception("while talking to Creatify")

    # Download again, settings, credentials removed, window closed.
    done = [r for r in ledger.page(limit=1000) if r.download_state is DownloadState.DONE]
    if done:
        service.download_again(done[0].key)
        await until(settled, timeout=30, what="downloaded again")
    window.save_settings(dataclasses.replace(window.settings, plan="api_pro",
                                             name_template="{title}_{short_id}"))
    window.remove_credentials()
    await until(lambda: any(b.isVisible() for b in
                            window.findChildren(QMessageBox, "confirm_remove_credentials")),
                what="the remove confirmation")
    box = [b for b in window.findChildren(QMessageBox, "confirm_remove_credentials")
           if b.isVisible()][-1]
    box.button(QMessageBox.StandardButton.Yes).click()
    await until(lambda: service.mode == Mode.NONE, what="disconnected")

    with Ledger(paths.data_dir / "jobs.sqlite3") as again:
        records = again.page(limit=1000, include_hidden=True)
    window.close()
    await service.aclose()
    window.deleteLater()
    await asyncio.sleep(0.1)
    for handler in logging.getLogger().handlers:
        handler.flush()
    states: dict[str, int] = {}
    for record in records:
        states[record.state.value] = states.get(record.state.value, 0) + 1
    return {
        "jobs": len(records),
        "states": states,
        "downloads": sum(1 for r in records if r.download_state is DownloadState.DONE),
        "messages_shown": len(shown),
        "messages_with_key": sum(1 for text in shown if key in text),
        "saved_in_keyring": saved_in_keyring,
        "removed_from_keyring": ("Creatify Studio", "X-API-KEY") not in keyring.entries,
    }


def main() -> int:
    base_url, root = sys.argv[1], Path(sys.argv[2])
    key = os.environ.pop("RELIABILITY_SESSION_KEY")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    report = asyncio.run(session(base_url, root, key), loop_factory=qasync.QEventLoop)
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
