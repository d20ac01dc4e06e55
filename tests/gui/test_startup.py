"""Start-up paths, menus, settings, shortcuts and accessibility of the real window."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QTableWidget,
    QWidget,
)

from app.credentials import SERVICE
from app.generators import SPECS
from app.paths import app_paths
from app.sandbox import Sandbox
from app.settings import Settings, SettingsStore
from tests.gui.conftest import idle, until
from tests.gui.test_window import Studio, studio  # noqa: F401 - the fixture
from ui.main import install_exception_hook, run_window
from ui.service import Mode
from ui.window.main_window import MainWindow

INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractSlider,
               QPlainTextEdit, QListWidget, QTableWidget)


def main_windows() -> list[MainWindow]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)
            and w.isVisible()]


async def run_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                  sandbox_flag: bool = False) -> tuple[asyncio.Task[int], Path]:
    for name in ("CREATIFY_API_ID", "CREATIFY_API_KEY", "CREATIFY_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    paths = app_paths(tmp_path / "data").ensure()
    args = argparse.Namespace(sandbox=sandbox_flag, data_dir=str(tmp_path / "data"),
                              self_test=False)
    return asyncio.ensure_future(run_window(args, paths)), tmp_path / "data"


async def test_env_credentials_are_used_for_the_run_and_never_stored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp: Any) -> None:
    qapp.setQuitOnLastWindowClosed(False)
    key = "sk-live-env-0123456789abcdef0123"
    with Sandbox(api_id="ws_env", api_key=key) as live:
        task, data = await run_app(tmp_path, monkeypatch, {
            "CREATIFY_API_ID": "ws_env", "CREATIFY_API_KEY": key,
            "CREATIFY_API_BASE_URL": live.base_url})
        await until(lambda: main_windows() and "500" in main_windows()[0].credits_label.text(),
                    timeout=10)
        window = main_windows()[0]
        assert window.service.mode == Mode.LIVE and "SANDBOX" not in window.windowTitle()
        window.close()
        assert await asyncio.wait_for(task, 10) == 0
    leaks = [p for p in data.rglob("*") if p.is_file() and key.encode() in p.read_bytes()]
    assert leaks == []


async def test_insecure_api_address_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    task, _data = await run_app(tmp_path, monkeypatch,
                                {"CREATIFY_API_BASE_URL": "http://api.example.com"})
    assert await asyncio.wait_for(task, 10) == 2
    assert "plain HTTP" in capsys.readouterr().err
    assert not main_windows()


async def test_sandbox_flag_starts_in_the_sandbox(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  qapp: Any) -> None:
    qapp.setQuitOnLastWindowClosed(False)
    task, data = await run_app(tmp_path, monkeypatch, {}, sandbox_flag=True)
    await until(lambda: main_windows() and main_windows()[0].ready
                and main_windows()[0].service.mode == Mode.SANDBOX, timeout=10)
    window = main_windows()[0]
    window.sidebar.setCurrentItem(window.sidebar.items[SPECS[3].key])  # a click's effect
    window.close()
    assert await asyncio.wait_for(task, 10) == 0
    saved = SettingsStore(data / "config" / "settings.json").load()
    assert saved.last_tab == SPECS[3].key and saved.window_geometry  # remembered


async def test_remove_credentials_from_the_menu(studio: Studio) -> None:  # noqa: F811
    studio.keyring.set_password(SERVICE, "X-API-ID", "ws_1")
    studio.keyring.set_password(SERVICE, "X-API-KEY", "sk-live-remove-me-000000")
    studio.window.remove_credentials()
    box = studio.window.findChild(QMessageBox, "confirm_remove_credentials")
    assert box is not None
    box.button(QMessageBox.StandardButton.Yes).click()
    await until(lambda: studio.keyring.entries == {})


async def test_settings_change_the_plan_and_the_speaking_rate(studio: Studio) -> None:  # noqa: F811
    window = studio.window
    window.welcome.sandbox_button.click()
    await until(lambda: studio.service.credits is not None, timeout=10)
    tab = window.show_generator("text_to_speech")
    tab.form.set_values({"script": " ".join(["word"] * 150)})
    assert tab.seconds() == 60 and "API Starter" in tab.estimator.dollars.text()
    window.save_settings(Settings(plan="api_pro", words_per_minute=100))
    assert tab.seconds() == 90
    assert tab.estimator.credits.text() == "3 credits"
    assert tab.estimator.dollars.text() == "≈ $0.45 at API Pro"  # 3 × $0.1495
    window.save_settings(Settings(plan="enterprise", enterprise_rate="0.12"))
    assert tab.estimator.dollars.text() == "≈ $0.24 at API Enterprise"
    await idle()


async def test_the_budget_limits_are_set_in_the_settings_dialog(
        studio: Studio) -> None:  # noqa: F811
    from decimal import Decimal

    from ui.dialogs import SettingsDialog
    window = studio.window
    dialog = SettingsDialog(window.settings, str(studio.data_dir), window)
    dialog.saved.connect(window.save_settings)
    dialog.budget["budget_daily"].setText("ten")
    dialog._save()
    assert dialog.problem.text() == ("The daily cap must be a number of credits (or empty for "
                                     "none), not 'ten'.")
    assert studio.service.budget.daily is None
    dialog.budget["budget_daily"].setText("1,500")
    dialog.budget["budget_low_balance"].setText("25")
    dialog.batch_concurrency.setValue(5)
    dialog._save()
    assert studio.service.budget.daily == Decimal(1500)
    assert studio.service.budget.low_balance == Decimal(25)
    assert studio.service.budget.per_job is None
    assert window.settings.batch_concurrency == 5
    assert window.settings_store.load().budget_daily == "1,500"


async def test_keyboard_shortcuts(studio: Studio) -> None:  # noqa: F811
    window = studio.window
    window.welcome.sandbox_button.click()
    await until(lambda: studio.service.credits is not None, timeout=10)
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    await until(lambda: window.current_tab() is not None
                and window.current_tab().spec.key == window.sidebar.keys[2])
    requests = len(studio.service.tasks)
    QTest.keyClick(window, Qt.Key.Key_F5)
    assert len(studio.service.tasks) == requests + 1  # a credits refresh started
    tab = window.current_tab()
    assert tab is not None
    QTest.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    await until(lambda: tab.form.show_all_errors)  # Ctrl+Enter tried to submit this tab
    await idle()


async def test_every_interactive_control_is_named(studio: Studio) -> None:  # noqa: F811
    window = studio.window
    window.welcome.sandbox_button.click()
    await until(lambda: studio.service.credits is not None, timeout=10)
    for spec in SPECS:
        window.show_generator(spec.key)
    window.tab("custom_template").form.advanced_toggle.setChecked(True)
    unnamed = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE):
            continue
        parent = widget.parentWidget()
        if isinstance(parent, QAbstractSpinBox | QComboBox | QLineEdit) or (
                widget.objectName().startswith("qt_")) or (
                parent is not None and parent.objectName().startswith("qt_")):
            continue  # Qt's own parts of a compound control (clear buttons, scroll bars)
        if not widget.objectName() or not widget.accessibleName():
            unnamed.append(f"{type(widget).__name__} {widget.objectName()!r} "
                           f"in {parent.objectName() if parent else '?'}")
    assert unnamed == []
    await idle()  # let the pickers' thumbnail downloads finish inside the loop


async def test_uncaught_errors_are_logged_and_shown(studio: Studio,  # noqa: F811
                                                    caplog: pytest.LogCaptureFixture) -> None:
    previous = sys.excepthook
    install_exception_hook()
    try:
        try:
            raise RuntimeError("boom for the test")
        except RuntimeError as exc:
            with caplog.at_level(logging.CRITICAL):
                sys.excepthook(type(exc), exc, exc.__traceback__)
        dialogs = [w for w in QApplication.topLevelWidgets()
                   if w.objectName() == "crash_dialog" and w.isVisible()]
        assert dialogs and isinstance(dialogs[0], QMessageBox)
        assert "boom for the test" in dialogs[0].detailedText()
        assert any("uncaught exception" in r.getMessage() for r in caplog.records)
        dialogs[0].close()
    finally:
        sys.excepthook = previous
