"""Credentials: the dialog, the keyring (in memory here), the "no secure keyring" path, and
proof that the key never lands in any file of the data directory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import keyring.backends.fail
import pytest
from PySide6.QtWidgets import QLineEdit

from app.credentials import SERVICE, CredentialStore
from app.logsafe import RedactingFilter
from app.sandbox import Sandbox
from app.settings import Settings, SettingsStore
from tests.gui.conftest import settle_then_close, until
from tests.samples import MemoryKeyring
from ui.dialogs import CredentialsDialog
from ui.main import wire_window
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
    await until(lambda: "Testing" not in dialog.test_result.text() and dialog.test_result.text())
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
