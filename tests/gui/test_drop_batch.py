"""Drag and drop of product URLs onto the real window, the batch sheet, and the budget guard
seen from the window — against the simulator over loopback HTTP.

Real drag-enter and drop events carry URL lists, plain text and files; the sheet's rows,
refusals and reasons, the dry run, one confirmation for the whole batch, and "requeue failed
only" are checked against the simulator's logs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from app.batch import RowState
from app.generators import BY_KEY
from app.generators.quote import format_credits
from app.sandbox import Sandbox
from app.settings import Settings
from tests.gui import test_window
from tests.gui.conftest import until
from tests.gui.test_window import Studio, confirmation, connect_to
from ui.batch.model import COL_ASPECT, COL_CREDITS, COL_STATE, COL_STYLE
from ui.batch.sheet import BatchSheet
from ui.window.main_window import MainWindow

pytestmark = pytest.mark.e2e

studio = test_window.studio  # the real window, in a fresh data folder (a fixture)


@pytest.fixture(scope="module")
def simulator() -> Iterator[Sandbox]:
    with Sandbox(speed=1000, balance=100_000, seed=3) as server:
        yield server


def drop(window: MainWindow, mime: QMimeData) -> bool:
    """A real drag-enter then drop on the window's centre; True if the enter was accepted."""
    centre = window.rect().center()
    enter = QDragEnterEvent(QPointF(centre), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    if not enter.isAccepted():
        return False
    event = QDropEvent(QPointF(centre), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, event)
    return True


def uri_list(*urls: str) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl(u) for u in urls])
    return mime


def text(body: str) -> QMimeData:
    mime = QMimeData()
    mime.setText(body)
    return mime


def sheet_of(window: MainWindow) -> BatchSheet:
    assert window.batch_sheet is not None and window.batch_sheet.isVisible()
    return window.batch_sheet


def batch_confirmation(sheet: BatchSheet) -> QMessageBox | None:
    boxes = [w for w in sheet.findChildren(QMessageBox, "confirm_batch") if w.isVisible()]
    return boxes[-1] if boxes else None


async def test_a_browser_link_list_opens_the_sheet_with_reasons(studio: Studio,
                                                                simulator: Sandbox) -> None:
    await connect_to(studio, simulator)
    window = studio.window
    paid_before = len(simulator.create_log)
    assert drop(window, uri_list("https://shop.example.com/p/mug",
                                 "https://shop.example.com/p/lamp",
                                 "https://SHOP.example.com/p/mug/",
                                 "file:///home/me/catalogue.html",
                                 "javascript:alert(1)",
                                 "http://192.168.0.10/admin"))
    sheet = sheet_of(window)
    assert sheet.target_key == "url_to_video"  # dropped while another tab showed
    model = sheet.model
    states = [model.index(r, COL_STATE).data() for r in range(model.rowCount())]
    assert states[:2] == ["Ready", "Ready"]
    assert states[2] == "Duplicate of row 1: skipped"
    assert states[3].startswith("Refused: file: links point at a file on this computer")
    assert states[4].startswith("Refused: javascript: links run a script")
    assert "on your own computer or network" in states[5]
    assert "6 URLs: 2 to send, 3 refused, 1 duplicate" in sheet.summary.text()
    # Two rows of 30 s: a Link (1) + a video (5) each.
    assert sheet.status.text().startswith("Dry run: 12 credits ($2.38 at API Starter) for 2 "
                                           "jobs")
    assert sheet.status.text().endswith("not sent yet.")
    assert model.index(0, COL_CREDITS).data() == "6 credits"
    assert model.index(3, COL_CREDITS).data() == "—"
    # Choices read as the form shows them; editing a cell starts from the API value.
    spec = BY_KEY["url_to_video"]
    for column, name in ((COL_ASPECT, "aspect_ratio"), (COL_STYLE, "visual_style")):
        value = sheet.model.shared.get(name)
        label = next(c.label for c in spec.field(name).choices if c.value == value)
        assert model.index(0, column).data() == label != str(value)
        assert model.index(0, column).data(Qt.ItemDataRole.EditRole) == str(value)
    assert len(simulator.create_log) == paid_before  # a drop sends nothing
    sheet.close()


async def test_a_drop_on_the_links_tab_goes_to_links_and_one_url_fills_the_form(
        studio: Studio, simulator: Sandbox) -> None:
    await connect_to(studio, simulator)
    window = studio.window
    window.show_generator("links")
    assert drop(window, text("Have a look: https://shop.example.com/p/kettle."))
    assert window.batch_sheet is None
    tab = window.tab("links")
    assert tab.values()["url"] == "https://shop.example.com/p/kettle"
    await until(lambda: tab.submit_button.isEnabled())
    assert drop(window, text("https://a.example.com/1\nhttps://a.example.com/2\n"))
    sheet = sheet_of(window)
    assert sheet.target_key == "links"
    assert sheet.status.text().startswith("Dry run: 2 credits")
    sheet.close()
    window.show_generator("text_to_speech")
    assert drop(window, text("https://shop.example.com/p/toaster"))
    u2v = window.tab("url_to_video")
    assert window.current_tab() is u2v
    assert u2v.values()["product_url"] == "https://shop.example.com/p/toaster"
    assert not u2v.values().get("link")
    assert drop(window, text("javascript:alert(1)"))
    assert "javascript: links run a script" in window.statusBar().currentMessage()


async def test_a_csv_file_maps_its_columns_and_overrides_per_row(
        studio: Studio, simulator: Sandbox, tmp_path: Path) -> None:
    await connect_to(studio, simulator)
    csv_file = tmp_path / "catalogue.csv"
    csv_file.write_text("Product page;Length;Notes\n"
                        "https://shop.example.com/p/a;60;best seller\n"
                        "https://shop.example.com/p/b;;\n"
                        "https://shop.example.com/p/c;ninety;\n", encoding="utf-8")
    window = studio.window
    assert drop(window, uri_list(QUrl.fromLocalFile(str(csv_file)).toString()))
    sheet = sheet_of(window)
    assert [c.currentData() for c in sheet.mapping] == ["url", "video_length", "(ignore)"]
    model = sheet.model
    assert model.index(0, COL_CREDITS).data() == "11 credits"  # 1 + 60 s → 2 × 5
    assert model.index(1, COL_CREDITS).data() == "6 credits"
    assert model.index(2, COL_STATE).data() == \
        "Refused: Length: 'ninety' is not a number of seconds."
    # Ignore the length column: every row takes the shared length.
    sheet.mapping[1].setCurrentIndex(0)
    await until(lambda: model.index(0, COL_CREDITS).data() == "6 credits")
    assert sheet.status.text().startswith("Dry run: 18 credits")
    # A per-row override typed into the sheet.
    assert model.setData(model.index(1, 3), "45")
    await until(lambda: model.index(1, COL_CREDITS).data() == "11 credits")
    assert not model.setData(model.index(0, 3), "abc")
    assert "not a number of seconds" in sheet.note.text()
    sheet.close()


async def test_one_confirmation_sends_the_batch_within_its_limit_then_requeue_failed(
        studio: Studio, simulator: Sandbox) -> None:
    await connect_to(studio, simulator)
    window = studio.window
    urls = [f"https://shop.example.com/batch/{i}" for i in range(6)]
    assert drop(window, text("\n".join(urls)))
    sheet = sheet_of(window)
    sheet.concurrency.setValue(2)
    posts_before = len(simulator.create_log)
    reads_before = simulator.request_log.count(("GET", "/api/remaining_credits/"))
    simulator.set_faults(fail_rate=0.5)
    try:
        sheet.send_button.click()
        await until(lambda: batch_confirmation(sheet) is not None)
        box = batch_confirmation(sheet)
        assert box is not None and "Dry run: 36 credits" in box.informativeText()
        assert len(simulator.create_log) == posts_before  # nothing before "Send all"
        box.button(QMessageBox.StandardButton.Yes).click()
        await until(lambda: sheet.run is not None and not sheet.sending.running()
                    and all(r.state in (RowState.DONE, RowState.FAILED) for r in sheet.rows),
                    timeout=30)
    finally:
        simulator.set_faults(fail_rate=0)
    failed = [r for r in sheet.rows if r.state is RowState.FAILED]
    done = [r for r in sheet.rows if r.state is RowState.DONE]
    assert len(failed) + len(done) == 6
    created = simulator.create_log[posts_before:]
    assert [c.path for c in created].count("/api/links/") == 6
    assert [c.path for c in created].count("/api/link_to_videos/") == 6
    reads = simulator.request_log.count(("GET", "/api/remaining_credits/")) - reads_before
    assert reads >= 12 + 6  # before each paid call, and for each row's Link and video together
    if failed:
        await until(lambda: sheet.requeue_button.isEnabled())  # once the run has ended
        assert sheet.requeue_button.text() == f"Requeue {len(failed)} failed only…"
        sheet.requeue_button.click()
        await until(lambda: batch_confirmation(sheet) is not None)
        box = batch_confirmation(sheet)
        assert box is not None
        assert f"Estimated cost: {format_credits(Decimal(5 * len(failed)))}" in \
            box.informativeText()  # the Links are reused
        box.button(QMessageBox.StandardButton.Yes).click()
        await until(lambda: all(r.state is RowState.DONE for r in sheet.rows), timeout=30)
        again = simulator.create_log[posts_before + 12:]
        assert [c.path for c in again] == ["/api/link_to_videos/"] * len(failed)
    sheet.close()


async def test_a_thousand_dropped_urls_show_the_sheet_quickly(studio: Studio,
                                                              simulator: Sandbox) -> None:
    await connect_to(studio, simulator)
    window = studio.window
    body = "\n".join(f"https://shop.example.com/products/item-{i}?ref=drop" for i in range(1000))
    started = time.perf_counter()
    assert drop(window, text(body))
    sheet = sheet_of(window)
    await asyncio.sleep(0)  # the sheet's first paint (no nested event loop)
    shown = time.perf_counter() - started
    assert sheet.dry is not None
    assert sheet.model.rowCount() == 1000 and sheet.dry.sendable == 1000
    assert sheet.dry.credits == 6000
    print(f"\n1,000 dropped URLs: batch sheet shown and priced in {shown * 1000:.0f} ms")
    assert shown < 3.0, shown
    sheet.close()


async def test_the_budget_guard_refuses_in_the_window_and_the_status_bar_shows_commitments(
        studio: Studio, simulator: Sandbox) -> None:
    inputs = await connect_to(studio, simulator)
    window = studio.window
    window.save_settings(Settings(budget_per_job="4"))
    tab = window.show_generator("url_to_video")
    tab.form.editors["link"].set_value(inputs.link_id)
    await until(lambda: tab.submit_button.isEnabled())
    posts = len(simulator.create_log)
    tab.submit_button.click()
    await until(lambda: confirmation(window) is not None)
    box = confirmation(window)
    assert box is not None
    box.button(QMessageBox.StandardButton.Yes).click()
    await until(lambda: "Not sent" in tab.status.text())
    assert "per-job ceiling of 4 by 1" in tab.status.text()
    assert len(simulator.create_log) == posts
    window.save_settings(Settings())
    await until(lambda: "committed in flight" in window.credits_label.text())
    assert window.credits_label.text().endswith("/ 0 committed in flight")
    tab.submit_button.click()
    await until(lambda: confirmation(window) is not None)
    confirmation(window).button(QMessageBox.StandardButton.Yes).click()  # type: ignore[union-attr]
    await until(lambda: len(simulator.create_log) == posts + 1)
    await until(lambda: tab.last_job is not None and tab.last_job.state.is_terminal, timeout=20)
    window.save_settings(Settings(budget_low_balance=str(10**8)))
    # The balance read after the job ended may have come back before the new threshold (the
    # page sees its job end a moment after the ledger): the label takes it at the next read.
    studio.service.refresh_credits()
    await until(lambda: "font-weight" in window.credits_label.styleSheet(), timeout=10)


# Window problem 13:
async def test_the_empty_sheet_takes_pasted_links_and_ctrl_v(studio: Studio,
                                                             simulator: Sandbox) -> None:
    await connect_to(studio, simulator)
    window = studio.window
    window.batch_action.trigger()  # View → Batch of URLs…
    sheet = sheet_of(window)
    assert sheet.rows == []
    assert sheet.paste.isVisible() and not sheet.view.isVisible()
    assert sheet.paste.edit.placeholderText() == "Paste product page links, one per line"
    assert sheet.status.text().startswith("No links yet")
    assert not sheet.send_button.isEnabled() and not sheet.paste.add_button.isEnabled()
    # Paste into the box (Ctrl+V there pastes into the box), then Add.
    QGuiApplication.clipboard().setText("https://shop.example.com/p/one\n"
                                        "https://shop.example.com/p/two\n")
    sheet.activateWindow()  # the sheet is a window of its own: keys go to it once active
    await until(lambda: QApplication.activeWindow() is sheet)
    sheet.paste.edit.setFocus()
    QTest.keyClick(sheet.paste.edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert "p/two" in sheet.paste.edit.toPlainText()
    assert sheet.rows == []  # nothing added before Add
    QTest.mouseClick(sheet.paste.add_button, Qt.MouseButton.LeftButton)
    assert [r.url for r in sheet.rows] == ["https://shop.example.com/p/one",
                                           "https://shop.example.com/p/two"]
    assert not sheet.paste.isVisible() and sheet.view.isVisible()
    assert sheet.status.text().startswith("Dry run: 12 credits")
    assert sheet.send_button.isEnabled()
    # Ctrl+V on the sheet (the table has the focus): more rows, a repeat flagged.
    QGuiApplication.clipboard().setText("See https://shop.example.com/p/three and "
                                        "https://shop.example.com/p/one/")
    sheet.view.setFocus()
    QTest.keyClick(sheet.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    model = sheet.model
    assert model.rowCount() == 4
    assert model.index(3, COL_STATE).data() == "Duplicate of row 1: skipped"
    assert sheet.note.text() == "2 links added."
    assert sheet.status.text().startswith("Dry run: 18 credits")
    sheet.close()


# Window problem 13:
async def test_the_status_follows_a_real_send(studio: Studio, simulator: Sandbox) -> None:
    await connect_to(studio, simulator)
    window = studio.window
    urls = [f"https://shop.example.com/status/{i}" for i in range(4)]
    assert drop(window, text("\n".join(urls)))
    sheet = sheet_of(window)
    sheet.concurrency.setValue(2)
    before = sheet.status.text()
    assert before.startswith("Dry run: 24 credits") and before.endswith("not sent yet.")
    seen: list[str] = []

    def saw(words: str) -> bool:
        if not seen or seen[-1] != sheet.status.text():
            seen.append(sheet.status.text())
        return any(words in line for line in seen)

    simulator.set_faults(latency=0.1)  # slow enough to see the batch being sent
    try:
        QTest.mouseClick(sheet.send_button, Qt.MouseButton.LeftButton)
        await until(lambda: batch_confirmation(sheet) is not None)
        box = batch_confirmation(sheet)
        assert box is not None and "not sent yet" in box.informativeText()
        box.button(QMessageBox.StandardButton.Yes).click()
        await until(lambda: saw("Sending: "), timeout=10)
        await until(lambda: saw("Sent: ") and not sheet.sending.running(), timeout=30)
    finally:
        simulator.set_faults(latency=0)
    sending = next(line for line in seen if line.startswith("Sending: "))
    assert " of 4 sent" in sending and "estimate 24 credits in all" in sending
    assert sheet.status.text() == "Sent: 4 jobs (4 done) · estimate 24 credits in all."
    assert not any("not sent yet" in line or "nothing has been sent" in line
                   for line in seen[1:])
    sheet.close()
