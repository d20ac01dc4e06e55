"""Getting around the real window by what a creator makes: the sidebar, Ctrl+1…9 into the
form, the quick switcher (Ctrl+K) and the keyboard shortcut sheet (F1)."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.generators import BY_KEY, SPECS
from app.generators.groups import GROUPS
from app.jobs.ledger import JobRecord
from app.settings import Settings
from tests.gui.conftest import idle, settle_then_close, until
from tests.gui.test_window import Studio, studio  # noqa: F401 - the fixture
from ui.dialogs import SettingsDialog
from ui.generator.tab import GeneratorTab
from ui.service import Mode, StudioService
from ui.window.main_window import MainWindow
from ui.window.shortcut_sheet import ShortcutSheet
from ui.window.shortcuts import SHORTCUTS, WINDOW
from ui.window.sidebar import Sidebar
from ui.window.switcher import QuickSwitcher

CTRL = Qt.KeyboardModifier.ControlModifier
SIZES = ((1180, 760), (1024, 700))
DEPRECATED = {spec.key for spec in SPECS if spec.deprecated}


async def in_sandbox(studio: Studio) -> MainWindow:  # noqa: F811
    window = studio.window
    window.welcome.sandbox_button.click()
    await until(lambda: studio.service.credits is not None, timeout=10)
    window.activateWindow()
    return window


def focused_in(widget: QWidget) -> bool:
    focus = QApplication.focusWidget()
    return focus is not None and (focus is widget or widget.isAncestorOf(focus))


def click_entry(sidebar: Sidebar, key: str) -> None:
    item = sidebar.items[key]
    sidebar.scrollToItem(item)
    QTest.mouseClick(sidebar.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0),
                     sidebar.visualItemRect(item).center())


def showing(window: MainWindow, key: str) -> bool:
    tab = window.current_tab()
    return tab is not None and tab.spec.key == key and tab.isVisible()


# Window problem 8:
async def test_every_generator_is_in_view_in_the_sidebar_and_a_click_opens_it(
        studio: Studio) -> None:  # noqa: F811
    """No strip of tabs scrolling sideways: at the default size and a small one, every
    generator's entry is in view whole (title not cut), nothing scrolls sideways, and a click
    opens its page; the deprecated ones are folded at the end, one click away."""
    window = await in_sandbox(studio)
    sidebar = window.sidebar
    assert sidebar.isVisible() and window.sidebar_dock.isVisible()
    assert sorted(sidebar.keys) == sorted(spec.key for spec in SPECS)
    for width, height in SIZES:
        window.resize(width, height)
        await until(partial(lambda w: window.width() == w, width))
        await idle()
        sidebar.scrollToTop()
        view = sidebar.viewport().rect()
        assert not sidebar.horizontalScrollBar().isVisible()
        assert sidebar.folded("deprecated")
        for key in sidebar.keys:
            item = sidebar.items[key]
            if key in DEPRECATED:
                assert item.parent() is sidebar.headings["deprecated"]
                continue
            rect = sidebar.visualItemRect(item)
            assert view.contains(rect), f"{key} is out of view at {width}×{height}: {rect}"
            title = sidebar.fontMetrics().horizontalAdvance(item.text(0))
            assert title < rect.width() - 40, f"{key}'s title is cut at {width}"
        heading = sidebar.visualItemRect(sidebar.headings["deprecated"])
        assert view.contains(heading), f"the Deprecated group is out of view at {width}"
        for key in sidebar.keys:
            if key in DEPRECATED:
                continue
            click_entry(sidebar, key)
            await until(partial(showing, window, key), message=key)
            assert sidebar.current_key() == key
    # The folded group opens with a click on its heading; its pages say they are deprecated.
    QTest.mouseClick(sidebar.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0),
                     sidebar.visualItemRect(sidebar.headings["deprecated"]).center())
    assert not sidebar.folded("deprecated")
    for key in sorted(DEPRECATED):
        click_entry(sidebar, key)
        await until(partial(showing, window, key), message=key)
        tab = window.current_tab()
        assert tab is not None and tab.deprecated.isVisible()
    await idle()


# Window problem 8:
async def test_the_sidebar_is_one_tab_stop_and_the_arrows_move_through_it(
        studio: Studio) -> None:  # noqa: F811
    window = await in_sandbox(studio)
    sidebar = window.sidebar
    first, second = sidebar.keys[0], sidebar.keys[1]
    assert showing(window, first)  # no saved page: the first entry
    sidebar.setFocus()
    await until(lambda: sidebar.hasFocus())
    QTest.keyClick(sidebar, Qt.Key.Key_Down)
    await until(lambda: showing(window, second))
    assert sidebar.hasFocus()  # the arrows browse; the cursor stays in the list
    QTest.keyClick(sidebar, Qt.Key.Key_Up)
    await until(lambda: showing(window, first))
    # Down across a group's heading goes straight to the next generator.
    group_end = len(GROUPS[0].entries) - 1
    sidebar.select(sidebar.keys[group_end])
    QTest.keyClick(sidebar, Qt.Key.Key_Down)
    await until(lambda: showing(window, sidebar.keys[group_end + 1]))
    # Enter opens the form: the cursor goes to its first field.
    QTest.keyClick(sidebar, Qt.Key.Key_Return)
    tab = window.current_tab()
    assert tab is not None
    await until(lambda: focused_in(tab.form))
    # Tab from the sidebar leaves it (one stop, not one per entry).
    sidebar.setFocus()
    await until(lambda: sidebar.hasFocus())
    QTest.keyClick(sidebar, Qt.Key.Key_Tab)
    await until(lambda: not sidebar.hasFocus())
    # End reaches the folded Deprecated heading; Right unfolds it, Down enters it.
    sidebar.setFocus()
    QTest.keyClick(sidebar, Qt.Key.Key_End)
    assert sidebar.currentItem() is sidebar.headings["deprecated"]
    QTest.keyClick(sidebar, Qt.Key.Key_Right)
    assert not sidebar.folded("deprecated")
    QTest.keyClick(sidebar, Qt.Key.Key_Down)
    await until(lambda: window.current_tab() is not None
                and window.current_tab().spec.deprecated)  # type: ignore[union-attr]
    await idle()


# Window problem 6:
async def test_ctrl_number_opens_a_generator_with_the_cursor_in_its_form(
        studio: Studio) -> None:  # noqa: F811
    """Ctrl+1…9 pick the sidebar's first nine entries and put the keyboard in the form
    (before, Ctrl+1 changed the tab and left the cursor where it was)."""
    window = await in_sandbox(studio)
    window.sidebar.setFocus()
    for number in (1, 3, 9):
        QTest.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), CTRL)
        key = window.sidebar.keys[number - 1]
        await until(partial(showing, window, key))
        tab = window.current_tab()
        assert tab is not None
        await until(partial(focused_in, tab.form), message=f"Ctrl+{number}")
        first = next(editor for name, editor in tab.form.editors.items()
                     if tab.form.field_shown(name) and editor.isVisible())
        assert focused_in(first), f"Ctrl+{number}: not the form's first field"
        assert window.sidebar.current_key() == key
    # Ctrl+L: back into the form of the page already showing.
    window.sidebar.setFocus()
    await until(lambda: window.sidebar.hasFocus())
    QTest.keyClick(window, Qt.Key.Key_L, CTRL)
    assert tab is not None
    await until(lambda: focused_in(tab.form))
    # F6 goes round the areas: sidebar, form, Jobs list.
    QTest.keyClick(window, Qt.Key.Key_F6)
    await until(lambda: focused_in(window.queue))
    QTest.keyClick(window, Qt.Key.Key_F6)
    await until(lambda: window.sidebar.hasFocus())
    QTest.keyClick(window, Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    await until(lambda: focused_in(window.queue))
    await idle()


def open_switcher(window: MainWindow) -> QuickSwitcher:
    QTest.keyClick(window, Qt.Key.Key_K, CTRL)
    switcher = window.nav.switcher
    assert switcher is not None and switcher.isVisible()
    return switcher


# Window problem 8:
async def test_ctrl_k_finds_a_generator_a_job_and_a_setting_by_typing(
        studio: Studio) -> None:  # noqa: F811
    window = await in_sandbox(studio)
    # A generator, by a few letters of its title, opened with Enter, cursor in its form.
    switcher = open_switcher(window)
    await until(lambda: switcher.search.hasFocus())
    QTest.keyClicks(switcher.search, "auro fa")
    assert switcher.shown[0].title == "Aurora Fast"
    QTest.keyClick(switcher.search, Qt.Key.Key_Return)
    await until(lambda: showing(window, "aurora_fast"))
    assert not switcher.isVisible()
    tab = window.current_tab()
    assert tab is not None
    await until(lambda: focused_in(tab.form))
    # A generator by its group or its description's words; Down picks the second match.
    switcher = open_switcher(window)
    QTest.keyClicks(switcher.search, "avatar videos")
    assert [m.title for m in switcher.shown[:2]] == ["AI Avatar", "AI Avatar v2"]
    QTest.keyClick(switcher.search, Qt.Key.Key_Down)
    QTest.keyClick(switcher.search, Qt.Key.Key_Enter)
    await until(lambda: showing(window, "avatar_v2"))
    switcher = open_switcher(window)
    QTest.keyClicks(switcher.search, "banner")
    assert switcher.shown[0].ident == "image_ad"
    # Escape closes without opening anything.
    QTest.keyClick(switcher.search, Qt.Key.Key_Escape)
    await until(lambda: window.nav.switcher is None or not switcher.isVisible())
    assert showing(window, "avatar_v2")

    # A recent job, from the ledger: Enter selects it in the Jobs panel.
    task = studio.service.submit(BY_KEY["links"],
                                 {"url": "https://shop.example.com/products/blue-mug"},
                                 estimate=Decimal(1))
    record = await task
    assert isinstance(record, JobRecord)
    window.activateWindow()  # (the offscreen platform forgets the active window meanwhile)
    await until(lambda: QApplication.activeWindow() is window)
    switcher = open_switcher(window)
    QTest.keyClicks(switcher.search, "blue-mug")
    assert switcher.shown and switcher.shown[0].ident == record.key
    assert "Links" in switcher.shown[0].line
    QTest.keyClick(switcher.search, Qt.Key.Key_Return)
    await until(lambda: (selected := window.queue.selected()) is not None
                and selected.key == record.key)
    assert focused_in(window.queue)

    # A setting: "sett" → Settings…, Enter opens the dialog.
    switcher = open_switcher(window)
    QTest.keyClicks(switcher.search, "sett")
    assert switcher.shown[0].title == "Settings…"
    QTest.keyClick(switcher.search, Qt.Key.Key_Return)
    await until(lambda: any(d.isVisible() for d in window.findChildren(SettingsDialog)))
    for dialog in window.findChildren(SettingsDialog):
        dialog.close()
    # Nothing found: said so, and Enter does nothing.
    switcher = open_switcher(window)
    QTest.keyClicks(switcher.search, "zzqx")
    assert switcher.shown == [] and switcher.empty.isVisible()
    QTest.keyClick(switcher.search, Qt.Key.Key_Return)
    assert switcher.isVisible()
    QTest.keyClick(switcher.search, Qt.Key.Key_Escape)
    await idle()


# Window problem 8:
async def test_ctrl_k_on_the_welcome_page_starts_the_sandbox_by_typing(
        studio: Studio) -> None:  # noqa: F811
    window = studio.window
    window.activateWindow()
    await until(lambda: QApplication.activeWindow() is window)
    switcher = open_switcher(window)
    assert not any(match.kind == "generator" for match in switcher.shown)  # no pages yet
    QTest.keyClicks(switcher.search, "sandbox")
    assert switcher.shown[0].ident == "action_sandbox"
    QTest.keyClick(switcher.search, Qt.Key.Key_Return)
    await until(lambda: studio.service.mode == Mode.SANDBOX, timeout=10)
    await until(lambda: window.stack.currentWidget() is window.pages
                and window.sidebar.isVisible())
    await idle()


def bound_keys(window: MainWindow) -> set[str]:
    """Every key sequence the window answers to: its shortcuts and its actions' shortcuts."""
    keys: set[str] = set()
    for shortcut in window.findChildren(QShortcut):
        keys.add(shortcut.key().toString())
    for action in window.findChildren(QAction):
        keys.update(sequence.toString() for sequence in action.shortcuts())
    keys.discard("")
    return keys


# Window problem 6:
async def test_the_shortcut_sheet_lists_every_shortcut_the_window_answers_to(
        studio: Studio) -> None:  # noqa: F811
    window = await in_sandbox(studio)
    QTest.keyClick(window, Qt.Key.Key_F1)
    sheet = window.nav.sheet
    assert isinstance(sheet, ShortcutSheet) and sheet.isVisible()
    rows = sheet.rows()
    assert [what for _keys, what in rows] == [s.what for s in SHORTCUTS]
    assert ("Ctrl+K", "Find a generator, a recent job or a setting by typing") in rows
    assert any(keys == "Ctrl+1 … Ctrl+9" for keys, _what in rows)
    # The sheet and the keys come from one table: nothing bound is missing from it, nothing
    # in it is unbound.
    listed = {QKeySequence(key).toString() for s in SHORTCUTS if s.scope == WINDOW
              for key in s.keys}
    assert bound_keys(window) == listed
    sheet.close()
    await until(lambda: window.nav.sheet is None or not sheet.isVisible())
    # Help → Keyboard shortcuts, and Ctrl+/, open it too.
    help_menu = window.menuBar().findChild(QWidget, "menu_help")
    assert help_menu is not None
    action = window.findChild(QAction, "action_shortcuts")
    assert action is not None and action in help_menu.actions()
    QTest.keyClick(window, Qt.Key.Key_Slash, CTRL)
    await until(lambda: window.nav.sheet is not None and window.nav.sheet.isVisible())
    assert window.nav.sheet is not None
    window.nav.sheet.close()
    await idle()


# Window problem 8:
async def test_the_last_page_comes_back_even_a_folded_one(studio: Studio,  # noqa: F811
                                                          tmp_path: Path) -> None:
    window = await in_sandbox(studio)
    click_entry(window.sidebar, "aurora_fast")
    await until(lambda: showing(window, "aurora_fast"))
    window.close()
    assert window.settings_store.load().last_tab == "aurora_fast"
    # A deprecated page saved last: the window opens on it, its group unfolded.
    service = StudioService(tmp_path / "again")
    again = MainWindow(service, window.settings_store, Settings(last_tab="ai_editing"),
                       window.credential_store, str(tmp_path / "again"))
    try:
        tab = again.current_tab()
        assert isinstance(tab, GeneratorTab) and tab.spec.key == "ai_editing"
        assert again.sidebar.current_key() == "ai_editing"
        assert again.sidebar.items["ai_editing"].isSelected()
        assert not again.sidebar.folded("deprecated")  # unfolded to show where you are
        assert list(again.generator_tabs) == ["ai_editing"]  # the others wait to be shown
    finally:
        await settle_then_close(service)
        again.deleteLater()
