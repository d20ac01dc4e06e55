"""The Developer menu and quitting with jobs running, in the real window over the real
persistent sandbox (started by the window in its own child process, as the app does; loopback
HTTP): the menu shows the simulator's port and changes its faults, Reset empties the Jobs list
and gives back the starting credits; closing the window while a job runs asks once, and never
when nothing runs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu, QMessageBox, QPushButton

from app.credentials import CredentialStore
from app.generators import spec
from app.generators.quote import quote
from app.sandbox import Sandbox
from app.settings import Settings, SettingsStore
from tests.gui.clipping import clipped_in
from tests.gui.conftest import idle, settle_then_close, until
from tests.samples import MemoryKeyring
from ui.main import wire_window
from ui.service import Mode, StudioService
from ui.window.main_window import MainWindow


@dataclass
class Studio:
    window: MainWindow
    service: StudioService


Open = Callable[[float], Awaitable[Studio]]


@pytest.fixture
async def open_studio(tmp_path: Path, qapp: Any) -> AsyncIterator[Open]:
    """Opens the real window on a data folder of its own, in the sandbox (started by the
    window itself, as "Try the sandbox" does), at the given speed."""
    qapp.setQuitOnLastWindowClosed(False)
    opened: list[Studio] = []

    async def start(speed: float) -> Studio:
        service = StudioService(tmp_path / "output", data_dir=tmp_path / "data",
                                sandbox_speed=speed)
        window = MainWindow(service, SettingsStore(tmp_path / "config" / "settings.json"),
                            Settings(), CredentialStore(backend=MemoryKeyring(),
                                                        trust_backend=True),
                            str(tmp_path / "output"))
        wire_window(window, service, "http://127.0.0.1:9")
        window.show()
        studio = Studio(window, service)
        opened.append(studio)
        return studio

    yield start
    for studio in opened:
        await settle_then_close(studio.service)
        studio.window.close()
        studio.window.deleteLater()


async def into_sandbox(studio: Studio) -> None:
    """Press "Try the sandbox" on the welcome page, as a creator does."""
    studio.window.welcome.sandbox_button.click()
    await until(lambda: studio.service.mode == Mode.SANDBOX
                and studio.service.credits is not None, timeout=15)


def developer_menu(window: MainWindow) -> QMenu:
    menu = window.findChild(QMenu, "menu_developer")
    assert menu is not None, "no Developer menu"
    return menu


async def open_menu(window: MainWindow) -> QMenu:
    """Click Developer in the menu bar; the menu reads the sandbox again as it opens."""
    menu = developer_menu(window)
    bar = window.menuBar()
    window.activateWindow()
    bar.setActiveAction(menu.menuAction())
    await until(menu.isVisible, message="the Developer menu did not open")
    await until(lambda: not window.developer.reading, timeout=5)
    return menu


def click_item(menu: QMenu, name: str) -> QAction:
    """Click the menu item ``name`` with the mouse."""
    action = item(menu, name)
    assert action.isVisible() and action.isEnabled(), action.text()
    rect = menu.actionGeometry(action)
    assert rect.isValid(), f"{name} is not in the open menu"
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     rect.center())
    return action


def item(menu: QMenu, name: str) -> QAction:
    return next(a for a in menu.actions() if a.objectName() == name)


async def faults_reported(address: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=address) as http:
        answer = (await http.get("/_sandbox/faults")).json()
    assert isinstance(answer, dict)
    return answer


async def quirks_reported(address: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=address) as http:
        answer = (await http.get("/_sandbox/quirks")).json()
    assert isinstance(answer, dict)
    return answer


async def until_quirk(address: str, name: str, on: bool) -> None:
    """Await until the sandbox (in its process) reports the docs quirk ``name`` on or off."""
    deadline = asyncio.get_running_loop().time() + 5
    while (await quirks_reported(address))[name] is not on:
        assert asyncio.get_running_loop().time() < deadline, f"{name} is not {on}"
        await asyncio.sleep(0.02)


def child_pid(service: StudioService) -> int:
    """The sandbox runs in a child process of this window's."""
    process = service.session.sandbox_process
    assert service.session.sandbox is None and process is not None and process.running
    assert process.pid is not None and service.sandbox_served_here
    return process.pid


async def send_job(service: StudioService) -> str:
    """One cheap paid job (a short voice-over) sent through the window's service."""
    voices = await service.read_catalogue("voices")
    tts = spec("text_to_speech")
    values = {"script": "Meet the blue mug.", "accent": voices[0]["accents"][0]["id"]}
    priced = quote(tts, values, tts.derive_seconds(values))
    record = await service.submit(tts, values, estimate=priced.credits)
    assert record is not None
    return record.key


# Window problem 15:
async def test_the_developer_menu_shows_the_sandbox_port_and_copies_the_address(
        open_studio: Open) -> None:
    studio = await open_studio(50)
    window = studio.window
    assert not developer_menu(window).menuAction().isVisible()  # nothing to steer yet
    await into_sandbox(studio)
    child_pid(studio.service)
    served = studio.service.sandbox_address
    assert served is not None
    port = served.rsplit(":", 1)[1]
    menu = await open_menu(window)
    address = item(menu, "action_sandbox_address")
    assert f"127.0.0.1:{port}" in address.text()
    assert "50×" in item(menu, "action_sandbox_speed").text()
    assert "500 credits" in item(menu, "action_sandbox_account").text()
    window.grab().save("/tmp/dev_window_menu.png")
    menu.grab().save("/tmp/dev_menu.png")
    click_item(menu, "action_sandbox_address")
    assert QGuiApplication.clipboard().text() == served
    assert port in window.statusBar().currentMessage()
    await idle()


# Window problem 15:
async def test_a_fault_switch_changes_what_the_sandbox_reports(open_studio: Open) -> None:
    studio = await open_studio(50)
    window = studio.window
    await into_sandbox(studio)
    address = studio.service.sandbox_address
    assert address is not None
    assert (await faults_reported(address))["fail_rate"] == 0
    menu = await open_menu(window)
    switch = click_item(menu, "action_fault_fail_rate")
    await until(lambda: switch.isChecked() and window.developer.faults.get("fail_rate"),
                message="the switch did not take")
    assert 0.3 < (await faults_reported(address))["fail_rate"] < 0.34
    menu = await open_menu(window)
    assert item(menu, "action_fault_fail_rate").isChecked()  # read back as it opens
    click_item(menu, "action_fault_fail_rate")
    await until(lambda: not window.developer.faults.get("fail_rate"))
    assert (await faults_reported(address))["fail_rate"] == 0
    await idle()


# Window problem 15:
async def test_docs_quirks_switch_from_their_submenu(open_studio: Open) -> None:
    studio = await open_studio(50)
    window = studio.window
    await into_sandbox(studio)
    child_pid(studio.service)
    address = studio.service.sandbox_address
    assert address is not None and (await quirks_reported(address))["preview_pending"]
    menu = await open_menu(window)
    quirks = window.developer.quirks_menu
    click_item(menu, "menu_sandbox_quirks_action")
    await until(quirks.isVisible, message="the Docs quirks submenu did not open")
    quirks.grab().save("/tmp/dev_quirks.png")
    click_item(quirks, "action_quirk_preview_pending")
    await until_quirk(address, "preview_pending", False)
    menu = await open_menu(window)
    click_item(menu, "menu_sandbox_quirks_action")
    await until(quirks.isVisible)
    click_item(quirks, "action_quirks_all_on")
    await until_quirk(address, "preview_pending", True)
    await idle()


# Window problem 7:
async def test_reset_empties_the_jobs_list_and_restores_the_starting_credits(
        open_studio: Open) -> None:
    studio = await open_studio(500)
    window, service = studio.window, studio.service
    await into_sandbox(studio)
    pid = child_pid(service)
    key = await send_job(service)  # through the child, to its end
    await until(lambda: (job := service.job(key)) is not None and job.state.is_terminal,
                timeout=20)
    await until(lambda: window.queue.proxy.rowCount() >= 1 and service.credits is not None
                and service.credits < 500, timeout=10)
    menu = await open_menu(window)
    click_item(menu, "action_reset_sandbox")
    await until(lambda: window.findChild(QMessageBox, "confirm_reset_sandbox") is not None)
    box = window.findChild(QMessageBox, "confirm_reset_sandbox")
    assert box is not None and box.isVisible()
    box.grab().save("/tmp/dev_reset_box.png")
    assert clipped_in(box) == []
    reset = next(b for b in box.findChildren(QPushButton) if b.text() == "Reset")
    reset.click()
    await until(lambda: window.queue.proxy.rowCount() == 0 and service.credits == 500,
                timeout=15, message="the Jobs list or the balance did not follow the reset")
    assert "500" in window.credits_label.text()
    assert service.mode == Mode.SANDBOX
    assert child_pid(service) == pid  # reset there, not restarted
    await idle()


# Window problem 7:
async def test_cancelling_a_reset_keeps_the_jobs(open_studio: Open) -> None:
    studio = await open_studio(500)
    window, service = studio.window, studio.service
    await into_sandbox(studio)
    key = await send_job(service)
    await until(lambda: window.queue.proxy.rowCount() >= 1, timeout=10)
    menu = await open_menu(window)
    click_item(menu, "action_reset_sandbox")
    await until(lambda: window.findChild(QMessageBox, "confirm_reset_sandbox") is not None)
    box = window.findChild(QMessageBox, "confirm_reset_sandbox")
    assert box is not None
    box.button(QMessageBox.StandardButton.Cancel).click()
    await asyncio.sleep(0.3)
    assert service.job(key) is not None and window.queue.proxy.rowCount() >= 1
    await idle()


# Window problem 15:
async def test_a_sandbox_served_by_another_studio_is_named_and_its_errors_said(
        open_studio: Open, tmp_path: Path) -> None:
    other = Sandbox(speed=50, state_path=tmp_path / "data" / "sandbox" / "state.json")
    other.start()  # another Creatify Studio on the same data folder serves the sandbox
    try:
        studio = await open_studio(50)
        window = studio.window
        await into_sandbox(studio)
        assert not studio.service.sandbox_served_here  # this window talks to the other one
        assert studio.service.session.sandbox_process is None
        menu = await open_menu(window)
        address = item(menu, "action_sandbox_address").text()
        assert other.base_url in address and "another Creatify Studio" in address
        reset = item(menu, "action_reset_sandbox")  # only where the sandbox runs
        assert not reset.isEnabled() and "Creatify Studio that runs it" in reset.text()
        QTest.keyClick(menu, Qt.Key.Key_Escape)
        await until(lambda: not menu.isVisible())
    finally:
        other.stop()
    menu = await open_menu(window)  # the other one has quit: the menu says so
    problem = item(menu, "action_sandbox_problem")
    assert problem.isVisible() and "cannot be reached" in problem.text()
    assert not item(menu, "action_fault_fail_rate").isEnabled()
    menu.grab().save("/tmp/dev_menu_problem.png")
    await idle()


def quit_box(window: MainWindow) -> QMessageBox | None:
    boxes = [b for b in window.findChildren(QMessageBox, "confirm_quit_running")
             if b.isVisible()]
    assert len(boxes) <= 1, "asked more than once"
    return boxes[0] if boxes else None


# Window problem 7:
async def test_quitting_with_a_job_running_asks_once_cancel_keeps_quit_closes(
        open_studio: Open) -> None:
    studio = await open_studio(1)  # a voice-over takes a while at Creatify's own pace
    window, service = studio.window, studio.service
    await into_sandbox(studio)
    await send_job(service)
    await until(lambda: bool(service.running_jobs()), timeout=10)
    window.close()  # the title bar's close button
    await until(lambda: quit_box(window) is not None, message="no question on quit")
    box = quit_box(window)
    assert box is not None and window.isVisible()
    assert "1 job is still running in the sandbox" in box.text()
    assert "picks it up" in box.informativeText()
    box.grab().save("/tmp/dev_quit_box.png")
    assert clipped_in(box) == []
    window.close()  # asked again while the question shows: still one box
    await asyncio.sleep(0.1)
    assert quit_box(window) is box
    cancel = box.findChild(QPushButton, "cancel_button")
    assert cancel is not None
    cancel.click()
    await until(lambda: quit_box(window) is None)
    await asyncio.sleep(0.1)
    assert window.isVisible()  # Cancel keeps the window
    window.activateWindow()
    await until(window.isActiveWindow, message="the window did not become active")
    QTest.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Q
    await until(lambda: quit_box(window) is not None, message="Ctrl+Q asked nothing")
    box = quit_box(window)
    assert box is not None
    cancel = box.findChild(QPushButton, "cancel_button")
    assert cancel is not None
    cancel.click()
    await until(lambda: quit_box(window) is None)
    quit_action = window.findChild(QAction, "action_quit")
    assert quit_action is not None
    quit_action.trigger()  # File → Quit
    await until(lambda: quit_box(window) is not None)
    box = quit_box(window)
    assert box is not None
    quit_button = box.findChild(QPushButton, "quit_button")
    assert quit_button is not None
    quit_button.click()
    await until(lambda: not window.isVisible(), message="Quit did not close the window")
    assert service.running_jobs()  # nothing was stopped: the job goes on
    await idle()


async def test_quitting_with_nothing_running_asks_nothing(open_studio: Open) -> None:
    studio = await open_studio(500)
    window, service = studio.window, studio.service
    await into_sandbox(studio)
    key = await send_job(service)
    await until(lambda: (job := service.job(key)) is not None and job.state.is_terminal,
                timeout=20)
    assert not service.running_jobs()
    window.close()
    await asyncio.sleep(0.1)
    assert quit_box(window) is None
    assert not window.isVisible()
    await idle()


def test_the_words_say_where_the_jobs_go_on() -> None:
    from ui.window.quitting import running_words

    text, more = running_words(3, sandbox=False)
    assert text == "3 jobs are still running at Creatify."
    assert "they go on at Creatify" in more and "next time you open it" in more
    text, more = running_words(1, sandbox=True)
    assert "sandbox keeps it" in more
