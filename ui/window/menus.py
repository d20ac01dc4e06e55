"""The window's menus (File, View, Help) and its keyboard shortcuts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow

from app import APP_NAME
from ui.window.welcome import HELP_LINKS

Slot = Callable[[], object]


@dataclass(frozen=True)
class MenuSlots:
    """What each menu entry does."""

    credentials: Slot
    remove_credentials: Slot
    sandbox: Slot
    settings: Slot
    spending: Slot
    batch: Slot
    about: Slot
    update_prices: Slot | None = None
    """File → Update prices… (absent: the entry is not offered)."""


@dataclass(frozen=True)
class MenuActions:
    """The actions the window enables, disables or triggers itself."""

    credentials: QAction
    remove: QAction
    sandbox: QAction
    settings: QAction
    spending: QAction
    batch: QAction
    update_prices: QAction | None = None


def _action(window: QMainWindow, text: str, name: str, slot: Slot,
            shortcut: QKeySequence | str | None = None) -> QAction:
    action = QAction(text, window)
    action.setObjectName(name)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda _checked=False: slot())
    return action


def build_menus(window: QMainWindow, slots: MenuSlots) -> MenuActions:
    """File (credentials, sandbox, settings, update prices, quit), View (spending, batch),
    Help (links, About)."""
    file_menu = window.menuBar().addMenu("&File")
    file_menu.setObjectName("menu_file")
    actions = MenuActions(
        credentials=_action(window, "API &credentials…", "action_credentials",
                            slots.credentials),
        remove=_action(window, "&Remove stored credentials", "action_remove_credentials",
                       slots.remove_credentials),
        sandbox=_action(window, "Try the &sandbox", "action_sandbox", slots.sandbox),
        settings=_action(window, "&Settings…", "action_settings", slots.settings, "Ctrl+,"),
        spending=_action(window, "&Spending…", "action_spending", slots.spending,
                         "Ctrl+Shift+S"),
        batch=_action(window, "&Batch of URLs…", "action_batch", slots.batch, "Ctrl+Shift+B"),
        update_prices=None if slots.update_prices is None else _action(
            window, "Update &prices…", "action_update_prices", slots.update_prices),
    )
    if actions.update_prices is not None:
        actions.update_prices.setToolTip("Import a newer price file (JSON): estimates use it "
                                         "at once; a bad file is refused and changes nothing")
    quit_action = _action(window, "&Quit", "action_quit", window.close, "Ctrl+Q")
    for action in (actions.credentials, actions.remove, actions.sandbox):
        file_menu.addAction(action)
    file_menu.addSeparator()
    file_menu.addAction(actions.settings)
    if actions.update_prices is not None:
        file_menu.addAction(actions.update_prices)
    file_menu.addSeparator()
    file_menu.addAction(quit_action)

    view_menu = window.menuBar().addMenu("&View")
    view_menu.setObjectName("menu_view")
    view_menu.addAction(actions.spending)
    view_menu.addAction(actions.batch)

    help_menu = window.menuBar().addMenu("&Help")
    help_menu.setObjectName("menu_help")
    for number, (label, url) in enumerate(HELP_LINKS):
        help_menu.addAction(_action(window, label, f"action_help_{number}",
                                    partial(QDesktopServices.openUrl, QUrl(url))))
    help_menu.addSeparator()
    help_menu.addAction(_action(window, f"&About {APP_NAME}", "action_about", slots.about))
    return actions


def build_shortcuts(window: QMainWindow, *, submit: Slot, show_tab: Callable[[int], object],
                    refresh: Slot) -> None:
    """Ctrl+Enter sends the current tab, Ctrl+1…9 picks a tab, F5 reads the credits again."""
    for sequence in ("Ctrl+Return", "Ctrl+Enter"):
        shortcut = QShortcut(QKeySequence(sequence), window)
        shortcut.activated.connect(submit)
    for number in range(1, 10):
        shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), window)
        shortcut.activated.connect(lambda index=number - 1: show_tab(index))
    refresh_shortcut = QShortcut(QKeySequence("F5"), window)
    refresh_shortcut.activated.connect(refresh)
