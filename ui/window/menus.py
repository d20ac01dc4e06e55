"""The window's menus (File, View, Help); their keys come from the shortcut table
(``ui/window/shortcuts.py``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QMainWindow

from app import APP_NAME
from ui.window.shortcuts import keys_of
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
    switcher: Slot | None = None
    """View → Go to… (Ctrl+K), the quick switcher."""
    focus_form: Slot | None = None
    """View → Focus the form (Ctrl+L)."""
    shortcuts: Slot | None = None
    """Help → Keyboard shortcuts (F1)."""
    library: Slot | None = None
    """View → Library…, the finished results."""


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
    switcher: QAction | None = None
    focus_form: QAction | None = None
    shortcuts: QAction | None = None
    library: QAction | None = None


def _action(window: QMainWindow, text: str, name: str, slot: Slot,
            command: str | None = None) -> QAction:
    """A menu entry; ``command`` names its keys in the shortcut table."""
    action = QAction(text, window)
    action.setObjectName(name)
    if command is not None:
        action.setShortcuts(keys_of(command))
    action.triggered.connect(lambda _checked=False: slot())
    return action


def _open_own_media(window: QMainWindow) -> None:
    from ui.own_media import open_own_media  # loaded on first use, not at the first paint

    open_own_media(window)


def build_menus(window: QMainWindow, slots: MenuSlots) -> MenuActions:
    """File (credentials, sandbox, settings, update prices, quit), View (go to, focus the
    form, spending, batch), Help (keyboard shortcuts, links, About)."""
    file_menu = window.menuBar().addMenu("&File")
    file_menu.setObjectName("menu_file")
    actions = MenuActions(
        credentials=_action(window, "API &credentials…", "action_credentials",
                            slots.credentials),
        remove=_action(window, "&Remove stored credentials", "action_remove_credentials",
                       slots.remove_credentials),
        sandbox=_action(window, "Try the &sandbox", "action_sandbox", slots.sandbox),
        settings=_action(window, "&Settings…", "action_settings", slots.settings, "settings"),
        spending=_action(window, "&Spending…", "action_spending", slots.spending, "spending"),
        batch=_action(window, "&Batch of URLs…", "action_batch", slots.batch, "batch"),
        update_prices=None if slots.update_prices is None else _action(
            window, "Update &prices…", "action_update_prices", slots.update_prices),
        switcher=None if slots.switcher is None else _action(
            window, "&Go to…", "action_switcher", slots.switcher, "switcher"),
        focus_form=None if slots.focus_form is None else _action(
            window, "&Focus the form", "action_focus_form", slots.focus_form, "focus_form"),
        shortcuts=None if slots.shortcuts is None else _action(
            window, "&Keyboard shortcuts", "action_shortcuts", slots.shortcuts, "shortcuts"),
        library=None if slots.library is None else _action(
            window, "&Library…", "action_library", slots.library),
    )
    if actions.switcher is not None:
        actions.switcher.setToolTip("Find a generator, a recent job or a setting by typing")
    if actions.update_prices is not None:
        actions.update_prices.setToolTip("Import a newer price file (JSON): estimates use it "
                                         "at once; a bad file is refused and changes nothing")
    quit_action = _action(window, "&Quit", "action_quit", window.close, "quit")
    for action in (actions.credentials, actions.remove, actions.sandbox):
        file_menu.addAction(action)
    file_menu.addSeparator()
    own_media = _action(window, "My &avatars and voices…", "action_own_media",
                        partial(_open_own_media, window))
    own_media.setToolTip("Upload an avatar of your own, clone a voice, delete a clone")
    file_menu.addAction(own_media)
    file_menu.addAction(actions.settings)
    if actions.update_prices is not None:
        file_menu.addAction(actions.update_prices)
    file_menu.addSeparator()
    file_menu.addAction(quit_action)

    view_menu = window.menuBar().addMenu("&View")
    view_menu.setObjectName("menu_view")
    for optional in (actions.switcher, actions.focus_form):
        if optional is not None:
            view_menu.addAction(optional)
    if actions.switcher is not None or actions.focus_form is not None:
        view_menu.addSeparator()
    if actions.library is not None:
        view_menu.addAction(actions.library)
    view_menu.addAction(actions.spending)
    view_menu.addAction(actions.batch)

    help_menu = window.menuBar().addMenu("&Help")
    help_menu.setObjectName("menu_help")
    if actions.shortcuts is not None:
        help_menu.addAction(actions.shortcuts)
        help_menu.addSeparator()
    for number, (label, url) in enumerate(HELP_LINKS):
        help_menu.addAction(_action(window, label, f"action_help_{number}",
                                    partial(QDesktopServices.openUrl, QUrl(url))))
    help_menu.addSeparator()
    help_menu.addAction(_action(window, f"&About {APP_NAME}", "action_about", slots.about))
    return actions

