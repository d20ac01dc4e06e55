"""Credentials: the dialog, the keyring (in memory here; the real Secret Service is
tests/system/test_secret_service.py), the "no secure keyring" path, the key checked at the
app's own address before anything is saved, and proof that the key never lands in any file of
the data directory."""

from __future__ import annotations

import argparse
import asyncio
import re
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import keyring.backends.fail
import keyring.backends.SecretService
import keyring.errors
import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton

from app.credentials import SERVICE, CredentialStore
from app.logsafe import RedactingFilter
from app.paths import app_paths
from app.sandbox import Sandbox
from app.settings import Settings, SettingsStore
from tests.gui.conftest import settle_then_close, until
from tests.samples import MemoryKeyring
from tests.system.secret_service import secret_service  # noqa: F401 - the fixture
from ui.dialogs import CredentialsDialog
from ui.main import run_window, wire_window
from ui.service import Mode, StudioService
from ui.window.main_window import MainWindow

API_ID = "ws_9f8e7d6c5b4a"
API_KEY = "sk-live-7c1e9a0b2d3f4e5a6b7c8d9e0f1a2b3c"


@pytest.fixture(scope="module")
def live() -> Iterator[Sandbox]:
    """A simulator standing in for Creatify, with a real-looking key pair."""
    with Sandbox(api_id=API_ID, api_key=API_KEY, speed=1000) as server:
        yield server


@pytest.fixture
async def service(tmp_path: Path, qapp: Any) -> AsyncIterator[StudioService]:
    qapp.setQuitOnLastWindowClosed(False)
    studio = StudioService(tmp_path / "output")
    yield studio
    await settle_then_close(studio)


def dialog_for(service: StudioService, store: CredentialStore, base_url: str) -> CredentialsDialog:
    dialog = CredentialsDialog(service, store, base_url)
    dialog.open()
    return dialog


async def test_key_is_masked_with_show_hide(service: StudioService, live: Sandbox) -> None:
    store = CredentialStore(backend=MemoryKeyring(), trust_backend=True)
    dialog = dialog_for(service, store, live.base_url)
    assert dialog.api_key.echoMode() == QLineEdit.EchoMode.Password
    dialog.show_button.click()
    assert dialog.api_key.echoMode() == QLineEdit.EchoMode.Normal
    dialog.show_button.click()
    assert dialog.api_key.echoMode() == QLineEdit.EchoMode.Password
    assert not dialog.save_button.isEnabled()  # nothing entered yet
    dialog.api_id.setText("with space")
    dialog.api_key.setText("x")
    assert not dialog.test_button.isEnabled() and "space" in dialog.test_result.text().lower()
    dialog.close()


async def test_test_connection_reports_success_and_the_exact_problem(
        service: StudioService, live: Sandbox) -> None:
    store = CredentialStore(backend=MemoryKeyring(), trust_backend=True)
    dialog = dialog_for(service, store, live.base_url)
    dialog.api_id.setText(API_ID)
    dialog.api_key.setText("sk-live-wrong-key-000000")
    dialog.test_button.click()
    await until(lambda: "Checking" not in dialog.test_result.text()
                and dialog.test_result.text())
    assert "Invalid API key" in dialog.test_result.text()
    dialog.api_key.setText(API_KEY)
    dialog.test_button.click()
    await until(lambda: "Connected" in dialog.test_result.text())
    assert "500 credits remaining" in dialog.test_result.text()
    dialog.close()


async def test_save_stores_both_entries_in_the_keyring(service: StudioService,
                                                       live: Sandbox) -> None:
    memory = MemoryKeyring()
    store = CredentialStore(backend=memory, trust_backend=True)
    dialog = dialog_for(service, store, live.base_url)
    chosen: list[tuple[object, bool]] = []
    dialog.accepted_credentials.connect(lambda creds, stored: chosen.append((creds, stored)))
    dialog.api_id.setText(f"  {API_ID} ")
    dialog.api_key.setText(API_KEY)
    dialog.save_button.click()
    await until(lambda: chosen)  # saved once Creatify accepted the key
    assert memory.entries == {(SERVICE, "X-API-ID"): API_ID, (SERVICE, "X-API-KEY"): API_KEY}
    assert len(chosen) == 1 and chosen[0][1] is True
    loaded = store.load()
    assert loaded is not None and loaded.api_key == API_KEY


async def test_no_secure_backend_says_so_and_offers_this_session_only(
        service: StudioService, live: Sandbox) -> None:
    store = CredentialStore(backend=keyring.backends.fail.Keyring())
    dialog = dialog_for(service, store, live.base_url)
    assert not dialog.save_button.isVisible()
    assert dialog.keyring_note.isVisible()
    note = dialog.keyring_note.text()
    assert "No secure password store" in note and "gnome-keyring" in note
    assert "never" in note.lower()
    chosen: list[tuple[object, bool]] = []
    dialog.accepted_credentials.connect(lambda creds, stored: chosen.append((creds, stored)))
    dialog.api_id.setText(API_ID)
    dialog.api_key.setText(API_KEY)
    dialog.session_button.click()
    await until(lambda: chosen)
    assert len(chosen) == 1 and chosen[0][1] is False


async def test_a_whole_session_leaves_the_key_in_no_file(tmp_path: Path, qapp: Any,
                                                         live: Sandbox) -> None:
    """Enter credentials, connect, submit, download, change settings, close: then search
    every file under the data directory (settings, logs, outputs) for the key."""
    import logging
    import logging.handlers

    qapp.setQuitOnLastWindowClosed(False)
    data = tmp_path / "data-dir"
    (data / "logs").mkdir(parents=True)
    handler = logging.FileHandler(data / "logs" / "session.log")
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    memory = MemoryKeyring()
    service = StudioService(data / "output", sandbox_speed=1000)
    store = SettingsStore(data / "config" / "settings.json")
    window = MainWindow(service, store, Settings(),
                        CredentialStore(backend=memory, trust_backend=True), str(data / "out"))
    try:
        wire_window(window, service, live.base_url)
        window.show()
        window.open_credentials()
        await until(lambda: window.findChild(CredentialsDialog) is not None)
        dialog = window.findChild(CredentialsDialog)
        assert dialog is not None
        dialog.api_id.setText(API_ID)
        dialog.api_key.setText(API_KEY)
        dialog.save_button.click()
        await until(lambda: service.mode == Mode.LIVE and service.credits is not None,
                    timeout=10)
        tab = window.tab("links")
        tab.form.set_values({"url": "https://shop.example.com/products/mug"})
        tab._send()  # confirmed (the confirmation itself is covered in test_window)
        await until(lambda: tab.last_job is not None
                    and tab.last_job.download_state.value == "done", timeout=10)
        logging.getLogger("test").info("connected with %s", API_KEY)  # masked by the filter
        window.save_settings(Settings(plan="api_pro"))
        window.close()
        await asyncio.sleep(0.05)
    finally:
        await service.aclose()
        root.removeHandler(handler)
        handler.close()
        root.setLevel(old_level)
    files = [p for p in data.rglob("*") if p.is_file()]
    assert len(files) >= 3  # settings, the log, the downloaded image
    assert any(p.suffix == ".log" and p.stat().st_size > 0 for p in files)
    leaks = [p for p in files if API_KEY.encode() in p.read_bytes()]
    assert leaks == []
    assert memory.entries[(SERVICE, "X-API-KEY")] == API_KEY  # it lives in the keyring only


# -- issue 15, problem 12: the address, a refused key, the dashboard link, plain words --------


def main_windows() -> list[MainWindow]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)
            and w.isVisible()]


async def credentials_dialog(window: MainWindow, qtbot: Any) -> CredentialsDialog:
    """Open the dialog as a creator does: the welcome page's button."""
    qtbot.mouseClick(window.welcome.credentials_button, Qt.MouseButton.LeftButton)
    await until(lambda: window.findChild(CredentialsDialog) is not None
                and window.findChild(CredentialsDialog).isVisible())  # type: ignore[union-attr]
    dialog = window.findChild(CredentialsDialog)
    assert dialog is not None
    return dialog


def type_key(dialog: CredentialsDialog, qtbot: Any, api_id: str, api_key: str) -> None:
    for field, text in ((dialog.api_id, api_id), (dialog.api_key, api_key)):
        field.clear()
        qtbot.keyClicks(field, text)


@pytest.fixture
async def window(tmp_path: Path, qapp: Any, live: Sandbox) -> AsyncIterator[MainWindow]:
    """The real window, wired to the simulator as ``run_window`` wires it to Creatify."""
    qapp.setQuitOnLastWindowClosed(False)
    service = StudioService(tmp_path / "output", sandbox_speed=1000)
    memory = MemoryKeyring()
    main = MainWindow(service, SettingsStore(tmp_path / "settings.json"), Settings(),
                      CredentialStore(backend=memory, trust_backend=True), str(tmp_path))
    main.keyring = memory  # type: ignore[attr-defined]
    wire_window(main, service, live.base_url)
    main.show()
    yield main
    await settle_then_close(service)
    main.close()
    main.deleteLater()


# Window problem 12:
async def test_test_connection_uses_the_address_from_the_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp: Any, qtbot: Any,
        live: Sandbox) -> None:
    """The app started with CREATIFY_API_BASE_URL pointing at a simulator on loopback: the
    dialog's Test asks that simulator (it used to ask api.creatify.ai), and connecting goes
    there too."""
    qapp.setQuitOnLastWindowClosed(False)
    for name in ("CREATIFY_API_ID", "CREATIFY_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CREATIFY_API_BASE_URL", live.base_url)
    paths = app_paths(tmp_path / "data").ensure()
    args = argparse.Namespace(sandbox=False, data_dir=str(paths.root), self_test=False)
    task = asyncio.ensure_future(run_window(args, paths))
    await until(lambda: bool(main_windows()), timeout=10)
    window = main_windows()[0]
    dialog = await credentials_dialog(window, qtbot)
    assert live.base_url in dialog.address_note.text()
    type_key(dialog, qtbot, API_ID, API_KEY)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    await until(lambda: "Connected" in dialog.test_result.text(), timeout=10)
    assert re.search(r"\d+ credits remaining", dialog.test_result.text())
    # Connect for this session (this machine's password store is left alone): same address.
    qtbot.mouseClick(dialog.session_button, Qt.MouseButton.LeftButton)
    await until(lambda: window.service.mode == Mode.LIVE and window.service.credits is not None,
                timeout=10)
    assert window.service.session.client is not None
    assert window.service.session.client.base_url == live.base_url
    window.close()
    assert await asyncio.wait_for(task, 10) == 0


# Window problem 12:
async def test_a_wrong_key_keeps_the_dialog_open_with_one_reason(
        window: MainWindow, qtbot: Any, live: Sandbox) -> None:
    shown: list[str] = []
    window.statusBar().messageChanged.connect(lambda text: shown.append(text) if text else None)
    window.service.errorRaised.connect(shown.append)
    window.service.creditsFailed.connect(shown.append)
    dialog = await credentials_dialog(window, qtbot)
    type_key(dialog, qtbot, API_ID, "sk-live-wrong-key-000000")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    await until(lambda: "refused" in dialog.test_result.text(), timeout=10)
    text = dialog.test_result.text()
    assert "Creatify refused this API ID and key (403" in text
    assert "Check them on your API dashboard." in text
    await asyncio.sleep(0.3)  # nothing else follows
    assert dialog.isVisible() and window.service.mode == Mode.NONE
    assert window.stack.currentWidget() is window.welcome
    assert window.keyring.entries == {}  # type: ignore[attr-defined]
    assert shown == []  # no scattered errors: the one reason is in the dialog
    assert dialog.save_button.isEnabled() and not dialog.anyway_button.isVisible()
    # Corrected, the same button saves and connects.
    type_key(dialog, qtbot, API_ID, API_KEY)
    assert dialog.test_result.text() == ""  # the old reason goes with the edit
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    await until(lambda: window.service.mode == Mode.LIVE
                and window.findChild(CredentialsDialog) is None, timeout=10)
    assert window.keyring.entries[(SERVICE, "X-API-KEY")] == API_KEY  # type: ignore[attr-defined]


# Window problem 12:
async def test_creatify_unreachable_says_so_and_offers_to_save_anyway(
        tmp_path: Path, qapp: Any, qtbot: Any) -> None:
    qapp.setQuitOnLastWindowClosed(False)
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    service = StudioService(tmp_path / "output")
    memory = MemoryKeyring()
    window = MainWindow(service, SettingsStore(tmp_path / "settings.json"), Settings(),
                        CredentialStore(backend=memory, trust_backend=True), str(tmp_path))
    wire_window(window, service, closed)
    window.show()
    try:
        dialog = await credentials_dialog(window, qtbot)
        type_key(dialog, qtbot, API_ID, API_KEY)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        await until(lambda: dialog.anyway_button.isVisible(), timeout=10)
        text = dialog.test_result.text()
        assert "could not be reached" in text and "refused" not in text
        assert service.mode == Mode.NONE and memory.entries == {}
        qtbot.mouseClick(dialog.anyway_button, Qt.MouseButton.LeftButton)
        await until(lambda: window.findChild(CredentialsDialog) is None)
        assert memory.entries[(SERVICE, "X-API-KEY")] == API_KEY  # the creator chose to
    finally:
        await settle_then_close(service)
        window.close()
        window.deleteLater()


class UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def catch(self, url: QUrl) -> None:
        self.urls.append(url.toString())


# Window problem 12:
async def test_where_do_i_find_my_api_key_opens_the_dashboard(
        window: MainWindow, qtbot: Any) -> None:
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("https", catcher, "catch")  # type: ignore[arg-type]
    try:
        dialog = await credentials_dialog(window, qtbot)
        assert dialog.help_link.isVisible()
        assert dialog.help_link.text() == "Where do I find my API key?"
        qtbot.mouseClick(dialog.help_link, Qt.MouseButton.LeftButton)
    finally:
        QDesktopServices.unsetUrlHandler("https")
    assert catcher.urls == ["https://app.creatify.ai/settings/organization/api"]


# Window problem 12:
async def test_plain_words_name_the_password_store(service: StudioService, qtbot: Any,
                                                   live: Sandbox) -> None:
    """A Secret Service backend (not called: naming it needs no D-Bus) is "GNOME Keyring";
    no button or sentence speaks of a keyring."""
    store = CredentialStore(backend=keyring.backends.SecretService.Keyring())  # type: ignore[no-untyped-call]
    dialog = dialog_for(service, store, live.base_url)
    assert dialog.keyring_note.isVisible()
    note = dialog.keyring_note.text()
    assert "Saved securely in your system's password store (GNOME Keyring)" in note
    words = [note, *(b.text() for b in dialog.findChildren(QPushButton)),
             *(label.text() for label in dialog.findChildren(QLabel))]
    assert not [w for w in words if "keyring" in w.replace("GNOME Keyring", "").lower()]
    assert dialog.save_button.text() == "Save and connect"
    dialog.close()


# Window problem 12:
async def test_the_dialog_saves_into_a_real_gnome_keyring_that_a_restart_reads(
        secret_service: dict[str, str], monkeypatch: pytest.MonkeyPatch,  # noqa: F811
        service: StudioService, live: Sandbox, qtbot: Any) -> None:
    """The real dialog over keyring's SecretService backend and a real GNOME Keyring (private
    bus, started by the fixture); a new process — a restart — reads the key back."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service["DBUS_SESSION_BUS_ADDRESS"])
    store = CredentialStore(backend=keyring.backends.SecretService.Keyring())  # type: ignore[no-untyped-call]
    dialog = dialog_for(service, store, live.base_url)
    assert "(GNOME Keyring)" in dialog.keyring_note.text()
    chosen: list[tuple[object, bool]] = []
    dialog.accepted_credentials.connect(lambda creds, stored: chosen.append((creds, stored)))
    type_key(dialog, qtbot, API_ID, API_KEY)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    await until(lambda: chosen, timeout=10)
    assert chosen[0][1] is True
    restart = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from app.credentials import CredentialStore; "
        "c = CredentialStore().load(); print(c.api_id, c.api_key)",
        env=secret_service, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(restart.communicate(), 60)
    assert out.decode().strip() == f"{API_ID} {API_KEY}", err.decode()[-2000:]
    store.delete()
    assert store.load() is None


async def start_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: CredentialStore,
                    base_url: str) -> tuple[asyncio.Task[int], MainWindow]:
    """``run_window`` as the program runs it, with ``store`` as the system's password store
    and CREATIFY_API_BASE_URL set to ``base_url``."""
    for name in ("CREATIFY_API_ID", "CREATIFY_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CREATIFY_API_BASE_URL", base_url)
    monkeypatch.setattr("ui.main.CredentialStore", lambda: store)
    paths = app_paths(tmp_path / "data").ensure()
    args = argparse.Namespace(sandbox=False, data_dir=str(paths.root), self_test=False)
    task = asyncio.ensure_future(run_window(args, paths))
    await until(lambda: bool(main_windows()), timeout=10)
    return task, main_windows()[0]


# Window problem 12:
async def test_a_saved_key_creatify_now_refuses_leaves_the_welcome_page_with_the_reason(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp: Any, live: Sandbox) -> None:
    qapp.setQuitOnLastWindowClosed(False)
    memory = MemoryKeyring()
    memory.set_password(SERVICE, "X-API-ID", API_ID)
    memory.set_password(SERVICE, "X-API-KEY", "sk-live-revoked-key-000000")
    store = CredentialStore(backend=memory, trust_backend=True)
    task, window = await start_app(tmp_path, monkeypatch, store, live.base_url)
    note = window.welcome.note
    await until(lambda: "refused" in note.text(), timeout=10)
    assert "Creatify refused this API ID and key (403" in note.text()
    await asyncio.sleep(0.2)
    assert window.service.mode == Mode.NONE and window.stack.currentWidget() is window.welcome
    window.close()
    assert await asyncio.wait_for(task, 10) == 0


# Window problem 12:
async def test_no_password_store_is_said_in_plain_words_on_the_welcome_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp: Any, live: Sandbox) -> None:
    qapp.setQuitOnLastWindowClosed(False)
    store = CredentialStore(backend=keyring.backends.fail.Keyring())
    task, window = await start_app(tmp_path, monkeypatch, store, live.base_url)
    await until(lambda: bool(window.welcome.note.text()))
    note = window.welcome.note.text()
    assert "Your API key cannot be remembered on this computer" in note
    assert "for this session only" in note and "gnome-keyring" in note  # and how to fix it
    assert "keyring backend" not in note and "fail Keyring" not in note  # no jargon
    window.close()
    assert await asyncio.wait_for(task, 10) == 0


class LockedKeyring(MemoryKeyring):
    """A password store that refuses to be written (a locked keyring whose prompt was
    dismissed)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("the unlock prompt was dismissed")


async def test_a_store_that_refuses_the_key_says_so_and_keeps_the_dialog(
        service: StudioService, live: Sandbox, qtbot: Any) -> None:
    locked = LockedKeyring()
    dialog = dialog_for(service, CredentialStore(backend=locked, trust_backend=True),
                        live.base_url)
    chosen: list[object] = []
    dialog.accepted_credentials.connect(lambda *args: chosen.append(args))
    type_key(dialog, qtbot, API_ID, API_KEY)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    await until(lambda: "could not be saved" in dialog.keyring_note.text(), timeout=10)
    assert "locked" in dialog.keyring_note.text()
    assert dialog.isVisible() and chosen == [] and locked.entries == {}
    assert not dialog.save_button.isVisible() and dialog.session_button.isEnabled()
    dialog.close()


# Window problem 12:
async def test_a_wrong_key_leaves_the_sandbox_running(window: MainWindow, qtbot: Any) -> None:
    qtbot.mouseClick(window.welcome.sandbox_button, Qt.MouseButton.LeftButton)
    await until(lambda: window.service.mode == Mode.SANDBOX, timeout=10)
    window.open_credentials()  # File → API credentials…
    await until(lambda: window.findChild(CredentialsDialog) is not None)
    dialog = window.findChild(CredentialsDialog)
    assert dialog is not None
    type_key(dialog, qtbot, API_ID, "sk-live-wrong-key-000000")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    await until(lambda: "refused" in dialog.test_result.text(), timeout=10)
    await asyncio.sleep(0.3)
    assert window.service.mode == Mode.SANDBOX and dialog.isVisible()
    assert window.keyring.entries == {}  # type: ignore[attr-defined]
