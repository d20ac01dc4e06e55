"""A form that cannot change a price behind the creator's back: the generator pages driven
with the mouse and keyboard against a real StudioService talking to the real simulator.

The wheel over any control of any form changes nothing unless that control was clicked or
tabbed to; one length input per generator; the fields that set the price are always shown
and named by the estimate (a click takes you to them); switching the flow leaves the form
still; the estimate is compact with Generate as the page's primary action; API names read as
words and avatars are large enough to recognise.

Async tests run on a qasync loop (see conftest.py): no ``qtbot.wait*`` in here, poll with
``until`` instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QTextDocumentFragment, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QScrollBar,
    QVBoxLayout,
    QWidget,
)

from app.generators import BY_KEY, SPECS, DurationKind, Flow, GeneratorSpec
from app.generators.price_inputs import price_fields, sets_price_now
from app.generators.quote import format_credits, quote
from app.pricing import plan_by_key
from tests.gui.conftest import idle, settle_then_close, until
from tests.samples import Inputs, valid_values
from ui.forms.pickers import CatalogueEditor
from ui.generator.estimator import DurationControl
from ui.generator.flows import PriceSettings
from ui.generator.tab import GeneratorTab
from ui.service import StudioService

VALUE_CONTROLS = (QComboBox, QAbstractSpinBox, QAbstractSlider)


@pytest.fixture
async def service(tmp_path: Path, qapp: Any) -> AsyncIterator[StudioService]:
    """A service connected to its own sandbox (the real simulator over loopback HTTP)."""
    studio = StudioService(tmp_path / "output", sandbox_speed=500)
    await studio.use_sandbox()
    await until(lambda: studio.credits is not None, timeout=10)
    await quiet()  # the connection's own reads finish here, not lost when setup's loop stops
    yield studio
    await settle_then_close(studio)


Page = Callable[..., "Any"]


@pytest.fixture
def page(service: StudioService, qtbot: Any) -> Callable[[str, int, int], Any]:
    """``await page(key, width, height)``: that generator's page, shown at that size."""
    hosts: list[QWidget] = []

    async def open_page(key: str, width: int = 1024, height: int = 700) -> GeneratorTab:
        host = QWidget()
        hosts.append(host)  # kept alive for the test
        qtbot.addWidget(host)
        tab = GeneratorTab(BY_KEY[key], service, PriceSettings(plan_by_key("api_starter")))
        QVBoxLayout(host).addWidget(tab)
        host.resize(width, height)
        host.show()
        await until(host.isVisible)
        host.activateWindow()
        # The page's first catalogue reads finish inside the test: a read still in flight
        # when a test returns loses its wake-up to the loop's stop (see conftest's idle).
        await quiet()
        return tab
    return open_page


async def filled(tab: GeneratorTab) -> None:
    """The page with values in every field (scenes, variables and inputs build their
    controls from them), the advanced options open and the catalogues loaded."""
    tab.form.set_values(valid_values(tab.spec.key, Inputs()))
    toggle = getattr(tab.form, "advanced_toggle", None)
    if toggle is not None and not toggle.isChecked():
        QTest.mouseClick(toggle, Qt.MouseButton.LeftButton)
        await until(toggle.isChecked)
    pickers = tab.findChildren(CatalogueEditor)
    for picker in pickers:
        picker.ensure_loaded()  # as opening it would
    with contextlib.suppress(AssertionError):  # (a busy machine: checked all the same)
        await until(lambda: all(p.loaded for p in pickers), timeout=20)
    await quiet()


async def quiet() -> None:
    """Let the page's background loading (catalogues, thumbnails) finish where it can: the
    machine may be slow, and what is checked never depends on it having finished."""
    with contextlib.suppress(AssertionError):
        await idle(timeout=10)


def lacks_focus(widget: QWidget) -> bool:
    return not widget.hasFocus()


def state(control: QWidget) -> object:
    if isinstance(control, QComboBox):
        return control.currentIndex(), control.currentText()
    if isinstance(control, QAbstractSpinBox):
        return control.text()
    assert isinstance(control, QAbstractSlider)
    return control.value()


def price_state(tab: GeneratorTab) -> object:
    return (repr(tab.values()), tab.seconds(), tab.selected_flow(),
            tab.estimator.credits.text(), tab.estimator.breakdown.text())


def wheel(widget: QWidget, notch: int) -> bool:
    """One notch of the wheel (``notch`` -120 down, 120 up) with the pointer over
    ``widget``'s centre; True when the widget took it (an ignored notch goes on to its
    parents — the page's scroll area — when a real mouse sends it)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, notch),
                        QPoint(0, notch), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def under_pointer(tab: GeneratorTab, control: QWidget) -> None:
    """Scroll the page so ``control`` is in view (the pointer can be over it)."""
    if tab.scroll_area.isAncestorOf(control):
        tab.scroll_area.ensureWidgetVisible(control, 0, 0)


def value_controls(tab: GeneratorTab) -> list[QWidget]:
    """Every visible combo box, spin box and slider of the page (scroll bars are the page's
    own scrolling, not values)."""
    return [c for c in tab.findChildren(QWidget)
            if isinstance(c, VALUE_CONTROLS) and not isinstance(c, QScrollBar)
            and c.isVisibleTo(tab)]


# Window problem 1:
@pytest.mark.timeout(300)  # (a busy machine loads the catalogues slowly)
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.key)
async def test_scrolling_over_any_control_of_any_form_changes_nothing(
        spec: GeneratorSpec, page: Page) -> None:
    """The pointer passing over a choice, a number, a picker, a flow or a length while the
    creator scrolls the page changes no value and no estimate — in every flow, the advanced
    options open; once the control is clicked or tabbed to, the wheel works as usual."""
    tab = await page(spec.key, 1024, 560)
    await filled(tab)
    checked = 0
    for index in range(tab.flow.count()):
        tab.flow.setCurrentIndex(index)
        await asyncio.sleep(0.05)
        for control in value_controls(tab):
            under_pointer(tab, control)
            tab.scroll_area.setFocus(Qt.FocusReason.OtherFocusReason)
            await until(functools.partial(lacks_focus, control))
            before, own = price_state(tab), state(control)
            name = control.objectName() or type(control).__name__
            for notch in (-120, 120, 120, -120):
                took = wheel(control, notch)
                assert not took or not control.isEnabled(), f"{spec.key}: {name} took it"
            assert state(control) == own, f"{spec.key}: the wheel moved {name}"
            assert price_state(tab) == before, f"{spec.key}: the wheel over {name} changed it"
            checked += 1
    assert checked or spec.key in ("image_ad", "links")  # (nothing but addresses there)

    # Focused, the wheel works as usual (the length's spin box, or the first choice).
    target: QWidget | None = tab.duration.spin if tab.duration is not None else next(
        (c for c in value_controls(tab) if isinstance(c, QComboBox) and c.isEnabled()
         and c.count() > 2), None)
    if target is not None:
        under_pointer(tab, target)
        target.window().activateWindow()
        target.setFocus(Qt.FocusReason.TabFocusReason)
        await until(target.hasFocus)
        own = state(target)
        for notch in (-120, 120):  # (one way may be at its end already)
            wheel(target, notch)
            if state(target) != own:
                break
        assert state(target) != own, f"{spec.key}: a focused control ignores the wheel"


# Window problem 1:
async def test_the_wheel_over_url_to_video_length_goes_to_the_page(page: Page) -> None:
    """The report's case: scrolling down URL to Video with the pointer over "Length" (30 s)
    and over the page's other choices hands every notch on to the page: 30 s stays 30 s, the
    estimate stays 5 credits."""
    tab = await page("url_to_video", 1024, 420)
    tab.form.set_values({"link": Inputs().link_id, "video_length": 30})
    await quiet()
    length = tab.form.editors["video_length"].focusProxy()
    model = tab.form.editors["model_version"].focusProxy()
    tab.scroll_area.setFocus(Qt.FocusReason.OtherFocusReason)
    await until(lambda: not length.hasFocus())
    assert tab.estimator.credits.text() == "5 credits"
    for control in (length, model, tab.flow):
        for _ in range(3):
            assert not wheel(control, -120)  # passed on to the page, which scrolls
    assert tab.values()["video_length"] == 30 and tab.values()["model_version"] == "standard"
    assert tab.selected_flow() is Flow.CREATE
    assert tab.estimator.credits.text() == "5 credits"


def length_inputs(tab: GeneratorTab) -> list[QWidget]:
    """The visible inputs that set the billed length: a length control, or the spec's own
    length field."""
    found: list[QWidget] = [d for d in tab.findChildren(DurationControl) if d.isVisibleTo(tab)]
    source = tab.spec.duration
    if source.kind is DurationKind.CHOICE and source.field \
            and tab.form.editors[source.field].isVisibleTo(tab):
        found.append(tab.form.editors[source.field])
    return found


# Window problem 2:
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.key)
async def test_one_length_input_per_generator(spec: GeneratorSpec, page: Page) -> None:
    """Exactly one visible length input where the flow is priced by a length, none where it
    is not: URL to Video's "Length" menu is the one (no second slider below it)."""
    tab = await page(spec.key)
    for index in range(tab.flow.count()):
        tab.flow.setCurrentIndex(index)
        timed = spec.timed(tab.selected_flow())
        assert len(length_inputs(tab)) == (1 if timed else 0), (spec.key, tab.selected_flow())


# Window problem 2:
async def test_url_to_video_length_menu_drives_the_estimate(page: Page, qtbot: Any) -> None:
    """Choosing 60 s in the one Length menu quotes 60 s: the estimate, its breakdown and the
    line of what it rests on all say so."""
    tab = await page("url_to_video")
    tab.form.set_values({"link": Inputs().link_id})
    combo = tab.form.editors["video_length"].focusProxy()
    assert isinstance(combo, QComboBox)
    assert tab.estimator.credits.text() == "5 credits"  # 30 s: one block of 30 s
    combo.setFocus(Qt.FocusReason.TabFocusReason)
    await until(combo.hasFocus)
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # 45 s
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # 60 s
    assert tab.values()["video_length"] == 60 and tab.seconds() == 60
    expected = quote(tab.spec, tab.values(), 60).credits
    assert expected is not None
    assert tab.estimator.credits.text() == format_credits(expected) == "10 credits"
    assert "60 s → 2 × 30 s blocks" in tab.estimator.breakdown.text()
    assert "Length: 60 s" in tab.estimator.inputs.text()
    assert not tab.findChildren(DurationControl)  # no second, disagreeing control


def link_point(label: QLabel, before: str, link: str) -> QPoint:
    """Where the link text ``link`` sits in ``label`` (its first line reads
    ``before`` + ``link``…): the middle of the link's words."""
    metrics = label.fontMetrics()
    left = label.contentsRect().left() + label.indent() if label.indent() > 0 \
        else label.contentsRect().left()
    x = left + metrics.horizontalAdvance(before) + metrics.horizontalAdvance(link) // 2
    return QPoint(x, label.contentsRect().top() + metrics.height() // 2)


# Window problem 9:
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.key)
async def test_fields_that_set_the_price_are_shown_and_named(spec: GeneratorSpec,
                                                            page: Page) -> None:
    """Every field the price depends on (a chosen length, a model, a resolution, the styles
    to compare …) is in view without "Show advanced options", and the estimate names each
    one that sets the price as the form stands."""
    tab = await page(spec.key)
    for index in range(tab.flow.count()):
        tab.flow.setCurrentIndex(index)
        flow = tab.selected_flow()
        names = price_fields(spec, tab.values(), flow)
        for name in names:
            assert not spec.field(name).advanced, (spec.key, name)
            assert tab.form.editors[name].isVisibleTo(tab), (spec.key, flow, name)
        for name in sets_price_now(spec, tab.values(), flow, names):
            assert spec.field(name).label in tab.estimator.inputs.text(), (spec.key, name)
    if spec.key == "aurora":  # Aurora 2.0's resolution sets its price too, and only then
        assert price_fields(spec) == ("model_version", "resolution")
        assert "Resolution" not in tab.estimator.inputs.text()
        tab.form.set_values({"model_version": "aurora_v2"})
        shown = QTextDocumentFragment.fromHtml(tab.estimator.inputs.text()).toPlainText()
        assert shown == "Priced on Model: Aurora 2.0 · Resolution (Aurora 2.0): 720p"


# Window problem 9:
async def test_the_estimate_takes_you_to_what_it_needs(page: Page, qtbot: Any) -> None:
    """AI Avatar lip-syncing an audio file: the estimate asks for the length and has its
    own length input right under it, in view; typing the length prices the job; the
    "Priced on" link and the hint's link scroll to their field and focus it."""
    tab = await page("avatar_v1", 1024, 480)
    tab.form.set_values({"audio": Inputs().audio_url})
    await quiet()
    assert "Enter the video length" in tab.estimator.breakdown.text()
    spin = tab.duration.spin if tab.duration is not None else None
    assert spin is not None and spin.isVisibleTo(tab)
    assert tab.estimator.isAncestorOf(spin)  # next to the estimate, never off-screen
    top_left = spin.mapTo(tab, QPoint(0, 0))
    assert tab.rect().contains(top_left) and tab.rect().contains(
        top_left + QPoint(spin.width() - 1, spin.height() - 1))
    qtbot.mouseClick(spin, Qt.MouseButton.LeftButton)
    spin.selectAll()
    qtbot.keyClicks(spin, "42")
    await until(lambda: tab.estimator.credits.text() == "10 credits")  # 2 blocks × 5

    # "Priced on Model: Standard": a click scrolls the form to the model and focuses it.
    model = tab.form.editors["model_version"]
    bar = tab.scroll_area.verticalScrollBar()
    bar.setValue(0)
    inputs = tab.estimator.inputs
    assert inputs.text().startswith("Priced on ")
    qtbot.mouseClick(inputs, Qt.MouseButton.LeftButton,
                     pos=link_point(inputs, "Priced on ", "Model: Standard"))
    await until(lambda: model.focusProxy().hasFocus() if model.focusProxy() else model.hasFocus())
    viewport = tab.scroll_area.viewport()
    where = model.mapTo(viewport, QPoint(0, 0))
    assert where.y() >= 0 and where.y() + model.height() <= viewport.height()

    # The hint under Generate names what is missing: its link goes there.
    creator = tab.form.editors["creator"]
    await until(lambda: "Avatar" in tab.hint.text())
    bar.setValue(bar.maximum())
    qtbot.mouseClick(tab.hint, Qt.MouseButton.LeftButton,
                     pos=link_point(tab.hint, "To continue — ", "Avatar"))
    await until(lambda: creator.focusProxy().hasFocus())
    where = creator.mapTo(viewport, QPoint(0, 0))
    assert where.y() >= 0 and where.y() + creator.height() <= viewport.height()
