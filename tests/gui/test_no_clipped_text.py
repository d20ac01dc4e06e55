"""No clipped text: every page and dialog of the real window, light and dark, at 1280×800 and
1024×700, with every visible label, button and group box title fitting its text
(:mod:`tests.gui.clipping` says how each is measured). The welcome page, the first screen
anyone sees, also at a small 800×520 and with the long keyring notice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QGroupBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.batch import rows_from_text
from app.credentials import KeyringUnavailable
from app.generators import SPECS
from tests.gui.clipping import Clipped, clipped_in
from tests.gui.conftest import idle, until
from tests.gui.test_window import Studio, studio  # noqa: F401
from ui.common.theme import apply_theme
from ui.service import Mode
from ui.window.welcome import WelcomePage

SIZES = ((1280, 800), (1024, 700))
THEMES = ("light", "dark")
URLS = " ".join(f"https://shop.example.com/products/mug-{n}" for n in range(5))
KEYRING_NOTE = str(KeyringUnavailable(
    "No system keyring was found (keyring backend: fail Keyring).", platform="linux"))


@pytest.fixture(autouse=True)
def _system_theme_after() -> Iterator[None]:
    yield
    apply_theme("system")  # the next tests start from the platform's own look


async def settle() -> None:
    """Let posted layout requests and resizes run (a few turns of the loop)."""
    for _ in range(3):
        await asyncio.sleep(0.03)


def report(found: list[tuple[str, Clipped]]) -> str:
    lines = sorted({clip.line(where) for where, clip in found})
    return f"{len(lines)} widget(s) do not fit their text:\n" + "\n".join(lines)


def welcome_lines(page: WelcomePage) -> list[str]:
    """What on the welcome page is cut: a label shorter than its text needs at its width, or
    outside the part of the page the scroll area shows once scrolled to it."""
    problems = []
    for label in page.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        needed = label.heightForWidth(label.width()) if label.wordWrap() else \
            label.sizeHint().height()
        if needed > label.height():
            problems.append(f"{label.objectName()}: {needed} px needed, {label.height()} shown")
        area = label.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is not None:
            area.ensureWidgetVisible(label, 0, 0)
        shown = label.visibleRegion().boundingRect()
        if shown.height() < label.height() or shown.width() < label.width():
            problems.append(f"{label.objectName()}: only {shown.width()}×{shown.height()} of "
                            f"{label.width()}×{label.height()} can be seen")
    return problems


# Window problem 3:
async def test_the_welcome_page_shows_its_intro_and_the_keyring_notice_whole(
        studio: Studio) -> None:  # noqa: F811
    window = studio.window
    window.show_welcome_note(KEYRING_NOTE)
    page = window.welcome
    problems = []
    for theme in THEMES:
        apply_theme(theme)
        for width, height in (*SIZES, (800, 520)):
            window.resize(width, height)
            await settle()
            assert window.stack.currentWidget() is page
            for line in welcome_lines(page):
                problems.append(f"{theme} {width}×{height}: {line}")
            if (width, height) in SIZES:  # room enough: everything at once, no scrolling
                for label in page.findChildren(QLabel):
                    if label.isVisible() and label.text():
                        shown = label.visibleRegion().boundingRect().size()
                        if shown != label.size():
                            problems.append(f"{theme} {width}×{height}: "
                                            f"{label.objectName()} needs scrolling")
    note = page.findChild(QLabel, "welcome_note")
    assert note is not None and note.isVisible() and "keyring" in note.text()
    assert not problems, "\n".join(problems)


async def test_the_check_sees_cut_labels_buttons_and_titles(qtbot: Any) -> None:
    """The measure itself: each kind of widget, too narrow or too short, is reported; the
    same widgets with room are not."""
    page = QWidget()
    qtbot.addWidget(page)
    layout = QVBoxLayout(page)
    wrapped = QLabel("A long notice that wraps over several lines " * 4)
    wrapped.setWordWrap(True)
    single = QLabel("A single line that is much wider than its label")
    rich = QLabel("<b>Bold</b> and a <a href='https://example.com'>link</a> in rich text")
    button = QPushButton("Enter API credentials")
    check = QCheckBox("Download results when a job finishes")
    box = QGroupBox("A group box title that is long")
    for widget in (wrapped, single, rich, button, check, box):
        layout.addWidget(widget)
    page.resize(900, 600)
    page.show()
    await settle()
    assert clipped_in(page) == []
    for widget in (wrapped, single, rich, button, check, box):
        widget.setFixedWidth(60)
    wrapped.setFixedHeight(30)
    await settle()
    names = {clip.text.split()[0] for clip in clipped_in(page)}
    assert names == {"A", "Bold", "Enter", "Download"}, names
    assert len(clipped_in(page)) == 6
    elided = QLabel("A long file name…", page)
    elided.setFixedWidth(30)
    elided.setToolTip("A long file name, in full")
    elided.show()
    await settle()
    assert len(clipped_in(page)) == 6  # cut with "…" and the whole text in its tooltip


def _top_levels() -> set[QWidget]:
    return {w for w in QApplication.topLevelWidgets() if w.isVisible()}


async def _check(found: list[tuple[str, Clipped]], where: str, top: QWidget) -> None:
    await settle()
    found.extend((where, clip) for clip in clipped_in(top))


async def _dialog(found: list[tuple[str, Clipped]], where: str, before: set[QWidget],
                  open_it: Any) -> None:
    """Open a dialog (or window) with ``open_it``, check it, close it."""
    open_it()
    await until(lambda: bool(_top_levels() - before), message=f"{where} did not open")
    await settle()
    for top in _top_levels() - before:
        found.extend((where, clip) for clip in clipped_in(top))
        top.close()
    await settle()


async def _finished_job(studio: Studio) -> Any:  # noqa: F811
    """A Text to Speech job sent and finished in the sandbox, its result downloaded."""
    window, service = studio.window, studio.service
    assert service.session.client is not None
    voices = await service.session.client.voices()
    tab = window.show_generator("text_to_speech")
    tab.form.set_values({"script": "Meet the blue mug: double-walled and dishwasher safe.",
                         "accent": voices[0]["accents"][0]["id"]})
    await until(lambda: tab.current_quote is not None, timeout=10)
    assert tab.current_quote is not None
    task = service.submit(tab.spec, tab.values(), estimate=tab.current_quote.credits)
    record = await task
    assert record is not None

    def done() -> Any:
        assert service.session.ledger is not None
        current = service.session.ledger.get(record.key)
        return current if current.state.is_terminal and current.download_path else None
    await until(done, timeout=30, message="the sandbox job did not finish and download")
    return done()


async def test_no_page_or_dialog_clips_its_text(studio: Studio) -> None:  # noqa: F811
    window = studio.window
    window.show_welcome_note(KEYRING_NOTE)
    found: list[tuple[str, Clipped]] = []
    for theme in THEMES:
        apply_theme(theme)
        for width, height in SIZES:
            window.resize(width, height)
            await _check(found, f"welcome [{theme} {width}×{height}]", window)

    window.welcome.sandbox_button.click()
    await until(lambda: studio.service.mode == Mode.SANDBOX
                and studio.service.credits is not None, timeout=20)
    record = await _finished_job(studio)
    for theme in THEMES:
        apply_theme(theme)
        for width, height in SIZES:
            window.resize(width, height)
            for gen in SPECS:
                window.show_generator(gen.key)
                await _check(found, f"{gen.title} page [{theme} {width}×{height}]", window)
            window.queue_dock.show()
            await _check(found, f"Jobs panel [{theme} {width}×{height}]", window.queue_dock)
        window.resize(*SIZES[0])
        dialogs = (
            ("Settings", window.open_settings),
            ("API credentials", window.open_credentials),
            ("Spending", window.open_spending),
            ("Batch sheet", lambda: window.open_batch("url_to_video", rows_from_text(URLS))),
            ("About", window.about),
            ("Player", lambda: window.preview(record)),
        )
        for name, open_it in dialogs:
            await _dialog(found, f"{name} [{theme}]", _top_levels(), open_it)
    await idle(timeout=15)
    assert not found, report(found)
