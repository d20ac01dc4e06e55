"""The window's frame before its service (issue 14): start-up paints the title, the menus, the
welcome page and the status bar first, and builds the rest in ``MainWindow.attach``. The frame
says it is loading, is not ready, and a click made meanwhile is answered once it is."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.credentials import Credentials, CredentialStore
from app.settings import Settings, SettingsStore
from tests.gui.conftest import settle_then_close, until
from tests.samples import MemoryKeyring
from ui.dialogs import CredentialsDialog
from ui.service import Mode, StudioService
from ui.window.main_window import MainWindow


def frame(tmp_path: Path) -> MainWindow:
    return MainWindow(None, SettingsStore(tmp_path / "settings.json"), Settings(),
                      CredentialStore(backend=MemoryKeyring(), trust_backend=True),
                      str(tmp_path))


async def test_the_frame_is_the_real_window_loading_quietly(tmp_path: Path, qapp: Any) -> None:
    window = frame(tmp_path)
    window.show()
    await until(lambda: window.painted)
    assert not window.ready and window.property("startupReady") is None
    assert window.windowTitle() == "Creatify Studio"
    assert [a.text() for a in window.menuBar().actions()] == ["&File", "&View", "&Help"]
    assert window.stack.currentWidget() is window.welcome
    assert window.statusBar().currentMessage() == "Loading…"
    assert window.credits_label.text() == "Credits: —"
    assert not window.welcome.note_box.isVisible()
    window.show_welcome_note("No password store")  # its warning icon drawn when first shown
    icon = window.welcome.findChild(QLabel, "welcome_note_icon")
    assert window.welcome.note_box.isVisible() and icon is not None
    assert not icon.pixmap().isNull() and icon.isVisibleTo(window.welcome.note_box)
    service = StudioService(tmp_path / "output")
    try:
        window.attach(service)
        assert window.ready and window.property("startupReady") is True
        assert window.statusBar().currentMessage() == ""
        assert window.stack.currentWidget() is window.welcome  # not connected yet
        assert window.sidebar.keys and window.current_tab() is not None  # its page is built
        assert service.mode == Mode.NONE and window.mode_badge.text() == " offline "
    finally:
        await settle_then_close(service)
        window.close()
        window.deleteLater()


async def test_a_click_while_loading_is_answered_when_ready(tmp_path: Path, qapp: Any,
                                                            qtbot: Any) -> None:
    window = frame(tmp_path)
    window.show()
    asked: list[bool] = []
    window.sandboxRequested.connect(lambda: asked.append(True))
    for _ in range(2):  # clicked twice while loading: answered once
        qtbot.mouseClick(window.welcome.credentials_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.welcome.sandbox_button, Qt.MouseButton.LeftButton)
    assert window.findChild(CredentialsDialog) is None and asked == []
    service = StudioService(tmp_path / "output")
    try:
        window.attach(service)
        assert asked == [True]
        # (the dialog opens once the stored key is read, in a worker thread)
        await until(lambda: window.findChildren(CredentialsDialog))
        await asyncio.sleep(0.2)
        dialogs = window.findChildren(CredentialsDialog)
        assert len(dialogs) == 1
        dialogs[0].close()
    finally:
        await settle_then_close(service)
        window.close()
        window.deleteLater()


async def test_closing_before_ready_keeps_the_layout(tmp_path: Path, qapp: Any) -> None:
    """Closed while loading: no quit guard asked (no jobs yet), the position still saved."""
    window = frame(tmp_path)
    window.show()
    await until(lambda: window.painted)
    window.close()
    saved = SettingsStore(tmp_path / "settings.json").load()
    assert saved.window_geometry and saved.last_tab == Settings().last_tab
    window.deleteLater()


async def test_the_stored_key_is_read_off_the_gui_thread(tmp_path: Path, qapp: Any) -> None:
    """File → API credentials… reads the password store in a worker thread (a keyring call
    may wait on a locked store), then opens the dialog filled with what it read."""
    readers: list[int] = []

    class Watched(CredentialStore):
        def load(self) -> Any:
            readers.append(threading.get_ident())
            return super().load()

    store = Watched(backend=MemoryKeyring(), trust_backend=True)
    store.save(Credentials("api-id-1", "sk-stored-key-0000"))
    window = MainWindow(None, SettingsStore(tmp_path / "settings.json"), Settings(), store,
                        str(tmp_path))
    service = StudioService(tmp_path / "output")
    try:
        window.attach(service)
        window.open_credentials()
        await until(lambda: window.findChild(CredentialsDialog) is not None)
        dialog = window.findChild(CredentialsDialog)
        assert dialog is not None and dialog.api_id.text() == "api-id-1"
        assert readers and threading.main_thread().ident not in readers
        dialog.close()
    finally:
        await settle_then_close(service)
        window.close()
        window.deleteLater()
