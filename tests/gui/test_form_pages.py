"""The generator page's layout and words, driven with the mouse and keyboard against a real
StudioService talking to the real simulator: switching the flow leaves the form still; the
estimate is compact with Generate as the page's primary action; API names read as words and
avatars are large enough to recognise. (The money rules themselves: ``test_form_money.py``,
whose fixtures these tests share.)

Async tests run on a qasync loop (see conftest.py): no ``qtbot.wait*`` in here, poll with
``until`` instead.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QComboBox, QListView, QPushButton

from app.generators import Flow
from tests.gui.conftest import until
from tests.gui.test_form_money import Page, page, quiet, service
from tests.samples import Inputs
from ui.common.theme import apply_theme

__all__ = ["page", "service"]  # the shared fixtures


# Window problem 9:
async def test_changing_the_flow_leaves_the_form_where_it_was(page: Page,
                                                              qtbot: Any) -> None:
    """Scrolled to the end of URL to Video, switching from comparing styles (a long list) to
    one step (one style) with the keyboard moves neither the form, the scroll position nor
    the flow control under the creator's hand."""
    tab = await page("url_to_video", 1024, 520)
    tab.flow.setCurrentIndex(tab.flow.findData(Flow.COMPARE_STYLES))
    await quiet()
    bar = tab.scroll_area.verticalScrollBar()
    bar.setValue(bar.maximum())
    await until(lambda: bar.value() > 0)
    viewport = tab.scroll_area.viewport()
    value = bar.value()
    form_at = tab.form.mapTo(viewport, QPoint(0, 0))
    flow_at = tab.flow.mapTo(tab, QPoint(0, 0))
    tab.flow.setFocus(Qt.FocusReason.TabFocusReason)
    await until(tab.flow.hasFocus)
    qtbot.keyClick(tab.flow, Qt.Key.Key_Home)  # "In one step"
    assert tab.selected_flow() is Flow.CREATE
    await quiet()
    assert tab.form.field_shown("visual_style") and not tab.form.field_shown("visual_styles")
    assert bar.value() == value
    assert tab.form.mapTo(viewport, QPoint(0, 0)) == form_at
    assert tab.flow.mapTo(tab, QPoint(0, 0)) == flow_at


def accent_share(button: QPushButton) -> float:
    """The share of the button's pixels in (nearly) the palette's accent colour."""
    image = button.grab().toImage()
    accent = button.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight)
    near = total = 0
    for y in range(2, image.height() - 2, 2):
        for x in range(2, image.width() - 2, 3):
            colour = QColor(image.pixel(x, y))
            total += 1
            near += (abs(colour.red() - accent.red()) + abs(colour.green() - accent.green())
                     + abs(colour.blue() - accent.blue())) < 90
    return near / total


# Window problem 9:
@pytest.mark.parametrize("theme", ["light", "dark"])
async def test_the_estimate_is_compact_and_generate_is_primary(theme: str, page: Page) -> None:
    """At 1280×800 the estimate is as tall as what it says (not half the window of empty
    space), Generate sits right under it as the default button, larger than the others and
    in the accent colour (in either theme), and looks disabled when it is."""
    apply_theme(theme)
    try:
        tab = await page("text_to_speech", 1280, 800)
        tab.form.set_values({"script": "Meet the blue mug. " * 20,
                             "accent": Inputs().accent_id})
        await quiet()
        panel, generate = tab.estimator, tab.submit_button
        assert panel.height() <= panel.sizeHint().height() + 8
        assert panel.height() < tab.height() * 0.4
        assert generate.mapTo(tab, QPoint(0, 0)).y() - (
            panel.mapTo(tab, QPoint(0, 0)).y() + panel.height()) < 24
        assert generate.isDefault()
        assert generate.font().pointSizeF() > tab.render_button.font().pointSizeF()
        assert generate.height() > tab.render_button.sizeHint().height()
        await until(generate.isEnabled, timeout=10, message=tab.hint.text())
        assert accent_share(generate) > 0.5
        generate.setEnabled(False)
        assert accent_share(generate) < 0.2
    finally:
        apply_theme("light")


# Window problem 10:
async def test_styles_read_as_words_and_are_sent_as_the_api_names(page: Page,
                                                                   qtbot: Any) -> None:
    """URL to Video's visual and script styles read "Green screen effect", "Avatar bubble";
    the value sent is the API's exactly, which the item's tooltip shows."""
    tab = await page("url_to_video")
    combo = tab.form.editors["visual_style"].focusProxy()
    assert isinstance(combo, QComboBox)
    items = [combo.itemText(i) for i in range(combo.count())]
    assert "Green screen effect" in items and "Avatar bubble" in items
    assert not [t for t in items if t.endswith("Template")], items
    assert combo.currentText() == "Avatar bubble"
    combo.setFocus(Qt.FocusReason.TabFocusReason)
    await until(combo.hasFocus)
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # the next style
    assert combo.currentText() == "Green screen effect"
    assert tab.values()["visual_style"] == "GreenScreenEffectTemplate"
    tab.form.set_values({"link": Inputs().link_id})
    body = tab.spec.build_body(tab.values())
    assert body["visual_style"] == "GreenScreenEffectTemplate"
    index = combo.currentIndex()
    assert "GreenScreenEffectTemplate" in str(combo.itemData(index, Qt.ItemDataRole.ToolTipRole))
    scripts = tab.form.editors["script_style"].focusProxy()
    assert isinstance(scripts, QComboBox)
    names = [scripts.itemText(i) for i in range(scripts.count())]
    assert "Problem and solution" in names and "Call to action" in names, names


# Window problem 10:
async def test_avatars_are_large_enough_to_recognise(page: Page, qtbot: Any) -> None:
    """Opening the avatar list shows each face at 64 px or more, loaded a few at a time."""
    tab = await page("avatar_v1", 1280, 800)
    picker = tab.form.editors["creator"]
    combo = picker.combo
    await until(lambda: picker.loaded and combo.count() > 1, timeout=10)
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    await until(view.isVisible)
    assert isinstance(view, QListView)
    await until(lambda: not combo.itemIcon(0).isNull(), timeout=10)
    assert view.iconSize().height() >= 64
    row = view.visualRect(view.model().index(0, 0))
    assert row.height() >= 64, row
    face = combo.itemIcon(0).pixmap(view.iconSize())
    assert max(face.width(), face.height()) >= 64  # (the sandbox's pictures are wide)
    combo.hidePopup()
    await until(lambda: not view.isVisible())
