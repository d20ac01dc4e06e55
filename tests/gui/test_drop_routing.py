"""Links dragged over the real window, text boxes included, go where a creator means: several
open the batch sheet, one fills the product page URL (or the URL field it is dropped on); plain
text still lands in text boxes; a highlight says where the drop will go while dragging.

Every drag goes through the window's own QWindow at the position of the widget it is over, so
Qt picks the widget under the pointer exactly as for a drag from a browser.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QScrollArea, QWidget

from app.sandbox import Sandbox
from tests.gui import test_window
from tests.gui.test_drop_batch import text as plain
from tests.gui.test_drop_batch import uri_list
from tests.gui.test_window import Studio, connect_to
from ui.forms.editors import LineEditor, TextEditor
from ui.generator.tab import GeneratorTab
from ui.window.main_window import MainWindow

pytestmark = pytest.mark.e2e

studio = test_window.studio  # the real window, in a fresh data folder (a fixture)

LINKS = ("https://shop.example.com/p/mug", "https://shop.example.com/p/lamp",
         "https://shop.example.com/p/kettle")


def on_screen(widget: QWidget) -> None:
    """Scroll the form so ``widget`` shows (a creator drags onto what they see)."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    if isinstance(parent, QScrollArea):  # moves the form at once (no events to process)
        parent.ensureWidgetVisible(widget, 40, 40)


def point_on(window: MainWindow, widget: QWidget) -> QPointF:
    return QPointF(widget.mapTo(window, widget.rect().center()))


def drag(window: MainWindow, widget: QWidget, mime: QMimeData) -> bool:
    """A drag entering the window and moving over ``widget``; True if a drop would be taken."""
    handle = window.windowHandle()
    assert handle is not None
    where = point_on(window, widget)
    enter = QDragEnterEvent(where, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(handle, enter)
    move = QDragMoveEvent(where, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                          Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(handle, move)
    return move.isAccepted()


def release(window: MainWindow, widget: QWidget, mime: QMimeData) -> None:
    """The drop that ends a :func:`drag` over ``widget``."""
    handle = window.windowHandle()
    assert handle is not None
    QApplication.sendEvent(handle, QDropEvent(point_on(window, widget), Qt.DropAction.CopyAction,
                                              mime, Qt.MouseButton.LeftButton,
                                              Qt.KeyboardModifier.NoModifier))


def drag_and_drop(window: MainWindow, widget: QWidget, mime: QMimeData) -> None:
    assert drag(window, widget, mime)
    release(window, widget, mime)


def script_box(tab: GeneratorTab) -> QPlainTextEdit:
    editor = tab.form.editors["override_script"]
    assert isinstance(editor, TextEditor)
    on_screen(editor)
    return editor.edit


def page_box(tab: GeneratorTab) -> QLineEdit:
    editor = tab.form.editors["product_url"]
    assert isinstance(editor, LineEditor)
    on_screen(editor)
    return editor.edit


async def url_to_video(studio: Studio, simulator: Sandbox) -> GeneratorTab:
    await connect_to(studio, simulator)
    return studio.window.show_generator("url_to_video")


# Window problem 5:
async def test_links_dropped_on_the_script_open_the_batch_sheet_and_leave_it_empty(
        studio: Studio, simulator: Sandbox) -> None:
    tab = await url_to_video(studio, simulator)
    window = studio.window
    script = script_box(tab)
    drag_and_drop(window, script.viewport(), uri_list(*LINKS))
    assert script.toPlainText() == ""
    assert tab.values().get("override_script") is None
    sheet = window.batch_sheet
    assert sheet is not None and sheet.isVisible()
    assert sheet.target_key == "url_to_video"
    assert [r.url for r in sheet.rows] == list(LINKS)
    sheet.close()
    # Text of addresses only (as dragged from a text editor) counts as links too.
    drag_and_drop(window, script.viewport(), plain("\n".join(LINKS[:2])))
    assert script.toPlainText() == ""
    assert window.batch_sheet is not sheet and window.batch_sheet is not None
    assert [r.url for r in window.batch_sheet.rows] == list(LINKS[:2])
    window.batch_sheet.close()


# Window problem 5:
async def test_one_link_dropped_on_the_script_fills_the_product_page_url(
        studio: Studio, simulator: Sandbox) -> None:
    tab = await url_to_video(studio, simulator)
    window = studio.window
    script = script_box(tab)
    drag_and_drop(window, script.viewport(), uri_list(LINKS[0]))
    assert script.toPlainText() == ""
    assert window.batch_sheet is None
    assert tab.values()["product_url"] == LINKS[0]
    assert "product page is filled in" in window.statusBar().currentMessage()


# Window problem 5:
async def test_a_link_dropped_on_a_url_field_fills_that_field(
        studio: Studio, simulator: Sandbox) -> None:
    tab = await url_to_video(studio, simulator)
    window = studio.window
    page = page_box(tab)
    page.setText("https://old.example.com/p/old")
    drag_and_drop(window, page, uri_list(LINKS[1]))
    assert page.text() == LINKS[1]  # replaced, not appended to
    assert tab.values()["product_url"] == LINKS[1]
    assert window.batch_sheet is None
    # Another tab's URL field that is not the product page: the Reference ad of Ad Clone.
    clone = window.show_generator("ad_clone")
    reference = clone.form.editors["video_url"]
    assert isinstance(reference, LineEditor)
    on_screen(reference)
    drag_and_drop(window, reference.edit, uri_list("https://cdn.example.com/ads/ref.mp4"))
    assert clone.values()["video_url"] == "https://cdn.example.com/ads/ref.mp4"
    assert not clone.values().get("product_url")
    # A refused address does not go in.
    drag_and_drop(window, reference.edit, uri_list("http://192.168.0.10/ad.mp4"))
    assert clone.values()["video_url"] == "https://cdn.example.com/ads/ref.mp4"
    assert "Not used" in window.statusBar().currentMessage()


# Window problem 5:
async def test_plain_text_still_drops_into_the_script(studio: Studio,
                                                      simulator: Sandbox) -> None:
    tab = await url_to_video(studio, simulator)
    window = studio.window
    script = script_box(tab)
    words = "Meet the blue mug: see https://shop.example.com/p/mug for more."
    drag_and_drop(window, script.viewport(), plain(words))
    assert script.toPlainText() == words
    assert window.batch_sheet is None
    assert not tab.values().get("product_url")
    assert not window.drop_router.overlay.isVisible()


# Window problem 5:
async def test_the_overlay_shows_where_links_go_while_dragging_and_hides_after(
        studio: Studio, simulator: Sandbox) -> None:
    tab = await url_to_video(studio, simulator)
    window = studio.window
    overlay = window.drop_router.overlay
    script = script_box(tab)
    assert not overlay.isVisible()
    several = uri_list(*LINKS)
    assert drag(window, script.viewport(), several)
    assert overlay.isVisible()
    assert overlay.line == "Drop 3 links to open the batch sheet for URL to Video"
    central = window.centralWidget()
    assert central is not None and overlay.area.size() == central.size()
    # Leaving the window takes the highlight away.
    handle = window.windowHandle()
    assert handle is not None
    QApplication.sendEvent(handle, QDragLeaveEvent())
    assert not overlay.isVisible()
    # One link over a bare area of the form (the estimate panel): the product page URL
    # field is highlighted, where the link will go.
    page = page_box(tab)
    one = uri_list(LINKS[0])
    assert drag(window, tab.estimator, one)
    assert overlay.isVisible() and overlay.line == "Drop to fill the product page URL"
    editor = tab.form.editors["product_url"]
    assert overlay.area.topLeft() == editor.mapTo(window, editor.rect().topLeft())
    assert overlay.area.size() == editor.size()
    release(window, tab.estimator, one)
    assert not overlay.isVisible()
    assert page.text() == LINKS[0]
    # Plain text over the Script: no highlight (it is the box's own drop).
    assert drag(window, script_box(tab).viewport(), plain("Just words."))
    assert not overlay.isVisible()
    QApplication.sendEvent(handle, QDragLeaveEvent())
