"""The Jobs list as a creator reads and drives it, in the real window against the simulator:
a video and the Link it was made from are one entry, failed rows read red (their bar says
"Failed"), every generator's title shows whole and every cell's whole text is its tooltip,
saved files have readable names, the table is one tab stop whose menu key acts on the
selected job, and a file that cannot be shown in its folder says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QColor, QContextMenuEvent, QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMenu, QMessageBox, QPushButton

from app.generators import BY_KEY, SPECS
from app.jobs.ledger import DownloadState, JobRecord, JobState
from app.sandbox import Sandbox
from tests.gui.conftest import idle, outside_task, until
from tests.gui.test_queue import listed, run_jobs, send_from_form
from tests.gui.test_window import (  # noqa: F401
    Studio,
    confirmation,
    connect_to,
    studio,
    window_values,
)
from ui.common.theme import ERROR, apply_theme, tone_colour
from ui.jobs.columns import STEP_ASIDE
from ui.jobs.model import (
    COL_ASKED,
    COL_GENERATOR,
    COL_OUTPUT,
    COL_PROGRESS,
    COL_STATUS,
    HEADERS,
)
from ui.jobs.panel import QueuePanel

PRODUCT_PAGE = "https://shop.example.com/products/blue-mug"


def ledger_records(st: Studio) -> list[JobRecord]:
    ledger = st.service.session.ledger
    assert ledger is not None
    return ledger.page(limit=5000)


def view_index(panel: QueuePanel, key: str, column: int = 0) -> QModelIndex:
    row = panel.model.row_of(key)
    assert row is not None, f"job {key[:8]} has no row"
    index = panel.proxy.mapFromSource(panel.model.index(row, column))
    assert index.isValid()
    return index


def row_centre(panel: QueuePanel, key: str, column: int = COL_ASKED) -> QPoint:
    index = view_index(panel, key, column)
    panel.view.scrollTo(index)
    return panel.view.visualRect(index).center()


async def focus_window(st: Studio) -> None:
    window = st.window
    window.raise_()
    window.activateWindow()
    await until(lambda: window.isActiveWindow(), timeout=5)


def open_menu(panel: QueuePanel) -> QMenu:
    menus = [m for m in panel.findChildren(QMenu, "job_menu") if m.isVisible()]
    assert menus, "no job menu opened"
    return menus[-1]


def menu_action(menu: QMenu, name: str) -> Any:
    [action] = [a for a in menu.actions() if a.objectName() == name]
    return action


# ------------------------------------------------------------------------ problem 14


# Window problem 14:
async def test_a_video_and_the_link_it_was_made_from_are_one_entry(
        studio: Studio, simulator: Sandbox) -> None:  # noqa: F811
    """URL to Video from a product page: Creatify makes the page's Link first (its own paid
    job in the ledger), then the video. The list shows one entry, the video, whose tooltip
    and detail line say how its Link went; a Link that failed stays in sight, red."""
    simulator.set_faults(fail_rate=0.0)
    inputs = await connect_to(studio, simulator)
    panel = studio.window.queue
    values = {**window_values("url_to_video", inputs), "link": None,
              "product_url": PRODUCT_PAGE}
    await send_from_form(studio, "url_to_video", values)

    def video() -> JobRecord | None:
        done = [r for r in ledger_records(studio) if r.generator == "url_to_video"
                and r.state is JobState.DONE]
        return done[0] if done else None
    await until(lambda: video() is not None, timeout=20)
    made = video()
    assert made is not None
    [link] = [r for r in ledger_records(studio) if r.generator == "links"]
    assert link.state is JobState.DONE and made.request["link"] == link.server_id
    # One entry: the video. The Link is folded into it, not a row of its own.
    assert panel.model.row_of(link.key) is None
    assert panel.model.link_of(made) == link
    assert [panel.model.record(r).generator for r in range(panel.model.rowCount())] \
        == ["url_to_video"]
    tip = view_index(panel, made.key, COL_GENERATOR).data(Qt.ItemDataRole.ToolTipRole)
    assert "URL to Video" in tip and f"Link of its product page (job {link.short_key}): Done" \
        in tip
    await focus_window(studio)
    QTest.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, row_centre(panel, made.key))
    await until(lambda: panel.detail.isVisible())
    assert "Link of its product page" in panel.detail.text() and "Done" in panel.detail.text()
    panel.view.clearSelection()
    panel.select(link.key)  # (a notice about the Link shows its video)
    chosen = panel.selected()
    assert chosen is not None and chosen.key == made.key
    # Removed, the video takes its Link along: no Link row when the list is read again.
    panel.remove(made.key)
    panel.reload()
    assert panel.model.rowCount() == 0
    panel.undo_remove()
    await until(lambda: panel.model.row_of(made.key) is not None)
    panel.reload()
    assert panel.model.row_of(link.key) is None and panel.model.link_of(made) is not None

    # A page Creatify cannot read: the Link fails, no video is sent, and the failed Link is
    # its own row, red, with the reason.
    await send_from_form(studio, "url_to_video",
                         {**values, "product_url": "https://shop.example.com/fail-scrape/mug"})
    failed = [r for r in ledger_records(studio) if r.generator == "links"
              and r.state is not JobState.DONE]

    def failed_link() -> JobRecord | None:
        found = [r for r in ledger_records(studio) if r.generator == "links"
                 and r.state.is_terminal and r.state is not JobState.DONE]
        return found[0] if found else None
    await until(lambda: failed_link() is not None, timeout=20)
    bad = failed_link()
    assert bad is not None and not failed
    listed(studio)
    status = view_index(panel, bad.key, COL_STATUS)
    assert "Failed to scrape" in status.data()
    assert status.data(Qt.ItemDataRole.ForegroundRole) == tone_colour(ERROR)
    assert len([r for r in ledger_records(studio) if r.generator == "url_to_video"]) == 1
    await idle()


def bar_pixels(panel: QueuePanel, key: str) -> QImage:
    """The progress cell as painted."""
    rect = panel.view.visualRect(view_index(panel, key, COL_PROGRESS))
    return panel.view.viewport().grab(rect).toImage()


def count_near(image: QImage, colour: QColor, tolerance: int = 40) -> int:
    near = 0
    for y in range(image.height()):
        for x in range(image.width()):
            pixel = image.pixelColor(x, y)
            if abs(pixel.red() - colour.red()) + abs(pixel.green() - colour.green()) \
                    + abs(pixel.blue() - colour.blue()) <= tolerance:
                near += 1
    return near


# Window problem 14:
async def test_a_failed_job_reads_red_and_its_bar_says_failed(
        studio: Studio, simulator: Sandbox) -> None:  # noqa: F811
    """A job that fails halfway: every cell of its row in the theme's error red (light and
    dark), its bar empty with "Failed" in red instead of blue at the fraction it reached."""
    simulator.set_faults(fail_rate=1.0)
    try:
        [bad] = await run_jobs(studio, simulator, ("text_to_speech",))
    finally:
        simulator.set_faults(fail_rate=0.0)
    [good] = await run_jobs(studio, simulator, ("text_to_speech",))
    assert bad.state is JobState.FAILED and good.state is JobState.DONE
    panel = studio.window.queue
    panel.view.clearSelection()
    try:
        for theme in ("light", "dark"):
            apply_theme(theme)
            await idle()
            red = tone_colour(ERROR)
            for column in range(len(HEADERS)):
                cell = view_index(panel, bad.key, column)
                assert cell.data(Qt.ItemDataRole.ForegroundRole) == red, (theme, column)
                assert view_index(panel, good.key, column).data(
                    Qt.ItemDataRole.ForegroundRole) != red
            bar = bar_pixels(panel, bad.key)
            highlight = panel.view.palette().color(panel.view.palette().ColorRole.Highlight)
            assert count_near(bar, highlight) < 5, f"{theme}: the failed bar is still filled"
            assert count_near(bar, red, 60) > 10, f"{theme}: no red 'Failed' in the bar"
            done_bar = bar_pixels(panel, good.key)
            assert count_near(done_bar, highlight) > 50  # a finished job's bar stays full
            tip = view_index(panel, bad.key, COL_PROGRESS).data(Qt.ItemDataRole.ToolTipRole)
            assert tip.startswith("Failed")
    finally:
        apply_theme("light")
    await idle()


# Window problem 14:
async def test_generator_titles_show_whole_and_every_cell_has_its_text_as_tooltip(
        studio: Studio, simulator: Sandbox) -> None:  # noqa: F811
    """At 1280 px every generator's title fits beside its thumbnail (no "URL to …"); every
    cell's tooltip holds its whole text (a long cell is cut in the table)."""
    simulator.set_faults(fail_rate=0.0)
    window = studio.window
    window.resize(1280, 800)
    records = await run_jobs(studio, simulator, ("url_to_video", "product_image",
                                                 "text_to_speech"))
    panel = window.queue
    window.queue_dock.show()
    video = next(r for r in records if r.generator == "url_to_video")
    thumb = view_index(panel, video.key, COL_GENERATOR)
    thumb.data(Qt.ItemDataRole.DecorationRole)
    await until(lambda: thumb.data(Qt.ItemDataRole.DecorationRole) is not None)
    header = panel.view.horizontalHeader()
    for record in records:  # the title and the thumbnail fit the column
        cell = view_index(panel, record.key, COL_GENERATOR)
        assert panel.view.sizeHintForIndex(cell).width() <= header.sectionSize(COL_GENERATOR), \
            cell.data()
    longest = max((s.title for s in SPECS), key=panel.view.fontMetrics().horizontalAdvance)
    assert panel.view.fontMetrics().horizontalAdvance(longest) + 48 + 8 \
        <= header.sectionSize(COL_GENERATOR)
    for column in range(len(HEADERS)):  # every header shown reads whole
        if header.isSectionHidden(column):
            assert column in STEP_ASIDE, HEADERS[column]
            continue
        assert header.fontMetrics().horizontalAdvance(HEADERS[column]) + 8 \
            <= header.sectionSize(column), HEADERS[column]
    assert header.sectionSize(COL_ASKED) >= 150
    assert not panel.view.horizontalScrollBar().isVisible()
    # Wider, every column is back; the least needed step aside again when narrow.
    window.resize(1800, 800)
    await until(lambda: not any(header.isSectionHidden(c) for c in range(len(HEADERS))))
    window.resize(1024, 700)
    await until(lambda: header.isSectionHidden(STEP_ASIDE[0]))
    assert not any(header.isSectionHidden(c) for c in range(len(HEADERS))
                   if c not in STEP_ASIDE)
    for record in records:
        for column in range(len(HEADERS)):
            cell = view_index(panel, record.key, column)
            text = cell.data()
            if isinstance(text, str) and text:
                tip = cell.data(Qt.ItemDataRole.ToolTipRole)
                assert tip and text in tip, (HEADERS[column], text, tip)
    await idle()


# Window problem 14:
async def test_saved_files_have_readable_names(studio: Studio,  # noqa: F811
                                               simulator: Sandbox) -> None:
    """Text to Speech of "Meet the blue mug: double-walled, …" is saved as "Meet the blue mug
    double-walled … - Text to Speech - <date>.mp3", and the Output column shows that name."""
    simulator.set_faults(fail_rate=0.0)
    inputs = await connect_to(studio, simulator)
    script = ("Meet the blue mug: double-walled, dishwasher safe and big enough for a "
              "Monday. ") * 3
    await send_from_form(studio, "text_to_speech",
                         {**window_values("text_to_speech", inputs), "script": script})

    def saved() -> JobRecord | None:
        found = [r for r in ledger_records(studio) if r.generator == "text_to_speech"
                 and r.download_state is DownloadState.DONE]
        return found[0] if found else None
    await until(lambda: saved() is not None, timeout=20)
    record = saved()
    assert record is not None and record.download_path
    day = record.created_at.strftime("%Y-%m-%d")
    name = Path(record.download_path).name
    assert Path(name).stem == ("Meet the blue mug double-walled dishwasher safe and big - "
                               f"{BY_KEY['text_to_speech'].title} - {day}"), name
    assert "_" not in name and record.short_key not in name
    listed(studio)
    output = view_index(studio.window.queue, record.key, COL_OUTPUT)
    assert output.data() == name
    assert record.download_path in output.data(Qt.ItemDataRole.ToolTipRole)
    await idle()


# ------------------------------------------------------------------------ problem 6


# Window problem 6:
async def test_the_jobs_table_is_one_tab_stop_with_arrow_keys(
        studio: Studio, simulator: Sandbox) -> None:  # noqa: F811
    simulator.set_faults(fail_rate=0.0)
    first, second = await run_jobs(studio, simulator, ("links", "text_to_speech"))
    window = studio.window
    panel = window.queue
    window.queue_dock.show()
    await focus_window(studio)
    panel.search.setFocus(Qt.FocusReason.TabFocusReason)
    await until(lambda: panel.search.hasFocus())
    QTest.keyClick(panel.search, Qt.Key.Key_Tab)  # into the table
    await until(lambda: panel.view.hasFocus())
    panel.view.selectRow(0)
    top = panel.selected()
    assert top is not None
    QTest.keyClick(panel.view, Qt.Key.Key_Down)  # arrows move between jobs
    below = panel.selected()
    assert below is not None and below.key != top.key and {top.key, below.key} \
        == {first.key, second.key}
    QTest.keyClick(panel.view, Qt.Key.Key_Up)
    assert (panel.selected() or below).key == top.key
    QTest.keyClick(panel.view, Qt.Key.Key_Tab)  # out of the table, not to the next cell
    await until(lambda: not panel.view.hasFocus(), message="Tab stayed in the Jobs table")
    focused = QApplication.focusWidget()
    assert focused is not None and focused is not panel.view \
        and not panel.view.isAncestorOf(focused)
    QTest.keyClick(focused, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    await until(lambda: panel.view.hasFocus(), message="Shift+Tab did not come back")
    QTest.keyClick(panel.view, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    await until(lambda: not panel.view.hasFocus())
    assert (panel.selected() or below).key == top.key  # Tab moved no selection
    # Enter opens the selected job (as a double click does); Delete removes it (undoable).
    panel.view.setFocus(Qt.FocusReason.TabFocusReason)
    opened: list[JobRecord] = []
    panel.previewRequested.connect(opened.append)
    QTest.keyClick(panel.view, Qt.Key.Key_Return)
    assert [r.key for r in opened] == [top.key]
    for dialog in window.findChildren(QDialog):
        dialog.close()
    QTest.keyClick(panel.view, Qt.Key.Key_Delete)
    assert panel.model.row_of(top.key) is None and panel.undo_button.isVisible()
    panel.undo_remove()
    await until(lambda: panel.model.row_of(top.key) is not None)
    await idle()


def keyboard_menu_event(panel: QueuePanel, at: QPoint) -> None:
    """A context-menu event the keyboard caused, at ``at`` (the pointer's place, as X11
    reports it)."""
    viewport = panel.view.viewport()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, at, viewport.mapToGlobal(at),
                              Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, event)


@pytest.mark.parametrize("how", ["menu key", "shift+f10", "keyboard event"])
# Window problem 6:
async def test_the_menu_key_acts_on_the_selected_job_not_the_one_under_the_pointer(
        how: str, studio: Studio, simulator: Sandbox) -> None:  # noqa: F811
    simulator.set_faults(fail_rate=0.0)
    chosen, other = await run_jobs(studio, simulator, ("links", "text_to_speech"))
    window = studio.window
    panel = window.queue
    window.queue_dock.show()
    await focus_window(studio)
    viewport = panel.view.viewport()
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     row_centre(panel, chosen.key))
    await until(lambda: panel.view.hasFocus())
    assert panel.selected() is not None and panel.selected().key == chosen.key  # type: ignore[union-attr]
    pointer = row_centre(panel, other.key)
    # The pointer rests on the other job (mouseMove spins the event loop: not in this task).
    await outside_task(lambda: QTest.mouseMove(viewport, pointer))
    if how == "menu key":
        QTest.keyClick(panel.view, Qt.Key.Key_Menu)
    elif how == "shift+f10":
        QTest.keyClick(panel.view, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    else:
        keyboard_menu_event(panel, pointer)
    await until(lambda: bool([m for m in panel.findChildren(QMenu, "job_menu")
                              if m.isVisible()]), message="no menu")
    menu = open_menu(panel)
    row = panel.view.visualRect(view_index(panel, chosen.key))
    row.moveTopLeft(viewport.mapToGlobal(row.topLeft()))
    # At the row: just under it (or just over it, where the screen ends below).
    near = menu.geometry().adjusted(0, -2, 0, 2)
    assert near.top() <= row.bottom() + 1 and near.bottom() >= row.top() - 1, \
        f"the menu {menu.geometry()} opened away from the selected row {row}"
    menu_action(menu, "job_remove").trigger()  # "Remove" takes the selected job only
    assert panel.model.row_of(chosen.key) is None, "Remove hit the job under the pointer"
    assert panel.model.row_of(other.key) is not None
    assert menu.property("job_key") == chosen.key
    menu.close()
    # A right click first selects the job it is on: the menu is that job's.
    right = row_centre(panel, other.key)
    QApplication.sendEvent(viewport, QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, right, viewport.mapToGlobal(right),
        Qt.KeyboardModifier.NoModifier))
    menu = open_menu(panel)
    assert menu.property("job_key") == other.key
    assert panel.selected() is not None and panel.selected().key == other.key  # type: ignore[union-attr]
    menu.close()
    panel.undo_remove()
    await idle()


# ------------------------------------------------------------------------ problem 15


# Window problem 15:
async def test_show_in_folder_without_a_launcher_says_so_with_the_path(
        studio: Studio, simulator: Sandbox, tmp_path: Path,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    simulator.set_faults(fail_rate=0.0)
    [record] = await run_jobs(studio, simulator, ("text_to_speech",))
    assert record.download_path and Path(record.download_path).exists()
    empty = tmp_path / "no-programs"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no xdg-open (nor open, nor explorer)
    window = studio.window
    panel = window.queue
    window.queue_dock.show()
    await focus_window(studio)
    viewport = panel.view.viewport()
    at = row_centre(panel, record.key)  # a right click on the job
    QApplication.sendEvent(viewport, QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, at, viewport.mapToGlobal(at),
        Qt.KeyboardModifier.NoModifier))
    menu = open_menu(panel)
    reveal = menu_action(menu, "job_reveal")
    assert reveal.isEnabled()
    reveal.trigger()
    menu.close()

    def shown() -> QMessageBox | None:
        boxes = [b for b in window.findChildren(QMessageBox, "launch_problem") if b.isVisible()]
        return boxes[-1] if boxes else None
    await until(lambda: shown() is not None, message="nothing told the creator")
    box = shown()
    assert box is not None
    said = f"{box.text()}\n{box.informativeText()}"
    assert record.download_path in said
    assert "xdg-open" in said and "xdg-utils" in said  # what is missing, what to install
    assert "file manager" in said  # what to do meanwhile
    copy = box.findChild(QPushButton, "launch_copy_path")
    assert copy is not None
    copy.click()
    assert QGuiApplication.clipboard().text() == record.download_path
    await until(lambda: shown() is None)
    await idle()
