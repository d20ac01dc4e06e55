"""Themes switch live and completely: chosen in the Settings dialog, light, dark and back,
every label of the real window is drawn in the new palette at once (read from the grabbed
pixels, not from what the code set), and in dark a disabled button looks disabled."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from app.generators import SPECS
from tests.gui.conftest import idle, until
from tests.gui.test_window import Studio, studio  # noqa: F401
from ui.common.theme import apply_theme, contrast_ratio, is_dark
from ui.dialogs import SettingsDialog
from ui.generator.tab import GeneratorTab
from ui.service import Mode
from ui.window.main_window import MainWindow

PAGE_URL = "https://shop.example.com/products/blue-mug"


@pytest.fixture(autouse=True)
def _system_theme_after() -> Iterator[None]:
    yield
    apply_theme("system")


async def settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0.03)


def shown_colours(widget: QWidget, inset: int = 0) -> tuple[QColor, QColor]:
    """The background and the text colour of ``widget`` as the window draws it: the most
    common pixel, and the pixel that stands out from it most."""
    top = widget.window()
    rect = QRect(widget.mapTo(top, QPoint(0, 0)), widget.size()).adjusted(
        inset, inset, -inset, -inset)
    image = top.grab(rect).toImage().convertToFormat(QImage.Format.Format_RGB32)
    counts: Counter[int] = Counter(image.pixel(x, y) for y in range(image.height())
                                   for x in range(image.width()))
    back = QColor.fromRgb(counts.most_common(1)[0][0])
    text = max((QColor.fromRgb(p) for p in counts), key=lambda c: contrast_ratio(c, back))
    return back, text


def page_labels(tab: GeneratorTab) -> list[QLabel]:
    """The page's enabled labels with words in them that are on screen whole."""
    return [label for label in tab.findChildren(QLabel)
            if label.isVisible() and label.isEnabled() and label.text().strip()
            and label.visibleRegion().boundingRect().size() == label.size()]


async def open_settings(window: MainWindow) -> SettingsDialog:
    """File → Settings…: the dialog now showing."""
    window.settings_action.trigger()

    def shown() -> SettingsDialog | None:
        dialogs = [d for d in window.findChildren(SettingsDialog) if d.isVisible()]
        return dialogs[0] if dialogs else None
    await until(shown, message="Settings did not open")
    dialog = shown()
    assert dialog is not None
    return dialog


async def choose_theme(window: MainWindow, qtbot: Any, theme: str, *, save: bool) -> None:
    """Settings…, type the theme's first letter on the Theme box, then Save (or Escape)."""
    dialog = await open_settings(window)
    dialog.theme.setFocus()
    QTest.keyClicks(dialog.theme, theme[:1].upper())
    assert dialog.theme.currentData() == theme
    if save:
        save_button = dialog.findChild(QPushButton, "settings_save")
        assert save_button is not None
        qtbot.mouseClick(save_button, Qt.MouseButton.LeftButton)
    else:
        QTest.keyClick(dialog, Qt.Key.Key_Escape)
    await until(lambda: not dialog.isVisible())
    await settle()


async def sandbox_page(studio: Studio) -> GeneratorTab:  # noqa: F811
    window = studio.window
    window.resize(1280, 800)
    window.welcome.sandbox_button.click()
    await until(lambda: studio.service.mode == Mode.SANDBOX
                and studio.service.credits is not None, timeout=20)
    tab = window.show_generator("url_to_video")
    await until(lambda: tab.current_quote is not None, timeout=10)
    await settle()
    return tab


def text_colours(button: QPushButton) -> tuple[QColor, QColor]:
    return shown_colours(button, inset=3)


# Window problem 4:
async def test_switching_theme_in_settings_repaints_every_label_at_once(
        studio: Studio, qtbot: Any) -> None:  # noqa: F811
    window = studio.window
    tab = await sandbox_page(studio)
    estimate = [label for label in tab.estimator.findChildren(QLabel)
                if label.isVisible() and label.text().strip()]
    assert estimate, "the estimate panel shows no label"
    problems = []
    for theme in ("light", "dark", "light"):
        await choose_theme(window, qtbot, theme, save=True)
        assert window.settings.theme == theme
        assert is_dark(window.palette()) == (theme == "dark")
        for label in page_labels(tab) + [lab for lab in estimate if lab.isVisible()]:
            back, text = shown_colours(label)
            ratio = contrast_ratio(text, back)
            if ratio < 4.5:
                problems.append(f"{theme}: {label.objectName() or label.text()[:30]!r} "
                                f"{text.name()} on {back.name()} = {ratio:.2f}:1")
    # A page first built in the dark theme (pages are built when first shown), with the
    # deprecation warning a retired generator carries.
    await choose_theme(window, qtbot, "dark", save=True)
    fresh = window.show_generator("ai_shorts")
    await settle()
    for label in page_labels(fresh):
        back, text = shown_colours(label)
        ratio = contrast_ratio(text, back)
        if ratio < 4.5:
            problems.append(f"dark, built after the switch: "
                            f"{label.objectName() or label.text()[:30]!r} "
                            f"{text.name()} on {back.name()} = {ratio:.2f}:1")
    assert not problems, "\n".join(problems)
    await idle(timeout=15)


# Window problem 4:
async def test_a_disabled_button_looks_disabled_in_dark(
        studio: Studio, qtbot: Any) -> None:  # noqa: F811
    window = studio.window
    tab = await sandbox_page(studio)
    await choose_theme(window, qtbot, "dark", save=True)
    button = tab.submit_button
    tab.form.set_values(tab.spec.with_page({}, PAGE_URL))  # as a dropped product page does
    tab.refresh()
    await until(button.isEnabled, message="Generate stayed disabled with a product page")
    await settle()
    enabled_back, enabled_text = text_colours(button)
    enabled = contrast_ratio(enabled_text, enabled_back)
    tab.form.set_values({tab.spec.url_field: ""} if tab.spec.url_field else {})
    tab.refresh()
    await until(lambda: not button.isEnabled(), message="Generate stayed enabled")
    await settle()
    back, disabled_text = text_colours(button)
    disabled = contrast_ratio(disabled_text, back)
    assert enabled >= 4.5, \
        f"enabled text {enabled_text.name()} on {enabled_back.name()}: {enabled:.2f}"
    assert disabled < enabled * 0.6, (f"disabled text {disabled_text.name()} ({disabled:.2f}:1) "
                                      f"as strong as enabled ({enabled:.2f}:1)")
    assert contrast_ratio(enabled_text, disabled_text) >= 2.0
    palette = button.palette()
    role = QPalette.ColorRole.ButtonText
    assert palette.color(QPalette.ColorGroup.Disabled, role) != \
        palette.color(QPalette.ColorGroup.Active, role)
    await idle(timeout=15)


async def test_a_theme_is_tried_at_once_and_cancel_goes_back(
        studio: Studio, qtbot: Any) -> None:  # noqa: F811
    window = studio.window
    await choose_theme(window, qtbot, "light", save=True)
    assert not is_dark(QApplication.palette())
    await choose_theme(window, qtbot, "dark", save=False)  # tried, then Escape
    assert not is_dark(QApplication.palette()) and window.settings.theme == "light"
    dialog = await open_settings(window)
    dialog.theme.setFocus()
    QTest.keyClicks(dialog.theme, "D")
    await settle()
    assert is_dark(QApplication.palette()), "the chosen theme is not shown before Save"
    assert is_dark(window.welcome.palette())
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    await until(lambda: not dialog.isVisible())
    assert not is_dark(QApplication.palette())


async def test_system_goes_back_to_the_platform_look_with_dim_disabled_text(
        studio: Studio, qtbot: Any) -> None:  # noqa: F811
    window = studio.window
    platform = QApplication.style().standardPalette()
    await choose_theme(window, qtbot, "dark", save=True)
    await choose_theme(window, qtbot, "system", save=True)
    palette = QApplication.palette()
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.WindowText,
                 QPalette.ColorRole.Base, QPalette.ColorRole.Highlight):
        assert palette.color(role) == platform.color(role), role
    back = palette.color(QPalette.ColorRole.Button)
    enabled = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.ButtonText)
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText)
    assert contrast_ratio(disabled, back) < contrast_ratio(enabled, back) * 0.6


def readable_problems(top: QWidget, where: str) -> list[str]:
    """Every label on screen in ``top`` whose words stand out from their background less than
    4.5:1, read from the pixels."""
    problems = []
    for label in top.findChildren(QLabel):
        if not (label.isVisible() and label.isEnabled() and label.text().strip()) \
                or label.visibleRegion().boundingRect().size() != label.size():
            continue
        back, text = shown_colours(label)
        ratio = contrast_ratio(text, back)
        if ratio < 4.5:
            problems.append(f"{where}: {label.objectName() or label.text()[:30]!r} "
                            f"{text.name()} on {back.name()} = {ratio:.2f}:1")
    return problems


# Window problem 4:
async def test_every_page_reads_in_both_themes(studio: Studio) -> None:  # noqa: F811
    window = studio.window
    await sandbox_page(studio)
    problems: list[str] = []
    for theme in ("light", "dark"):
        apply_theme(theme)
        for gen in SPECS:
            window.show_generator(gen.key)
            await settle()
            problems += readable_problems(window, f"{gen.title} [{theme}]")
    assert not problems, "\n".join(problems)
    await idle(timeout=15)
