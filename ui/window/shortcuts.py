"""Every keyboard shortcut of the window, in one table: the menus and the window's shortcuts
are built from it and Help → Keyboard shortcuts lists it, so the list cannot drift from the
keys.

An entry of scope :data:`WINDOW` is bound by the window (as a menu action's keys when a menu
entry does the same thing, else as a ``QShortcut``); the other scopes are keys a widget
handles itself while it has the focus (the sidebar's arrows, the quick switcher's Enter), listed
so a creator finds them too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow

WINDOW = "window"
SIDEBAR = "sidebar"
SWITCHER = "switcher"
JOBS = "jobs"
PLAYER = "player"

NAVIGATE = "Find your way"
MAKE = "Make something"
WINDOWS = "Windows and settings"
IN_SIDEBAR = "In the sidebar"
IN_SWITCHER = "In the quick switcher (Ctrl+K)"
IN_JOBS = "In the Jobs list"
IN_PLAYER = "In the player"


@dataclass(frozen=True)
class Shortcut:
    """One shortcut: what it runs (``command``), its keys, what it does in a few words."""

    command: str
    keys: tuple[str, ...]
    what: str
    section: str
    scope: str = WINDOW
    shown: str = ""
    """How the sheet writes the keys when not one by one ("Ctrl+1 … Ctrl+9")."""

    @property
    def key_text(self) -> str:
        if self.shown:
            return self.shown
        return ",  ".join(QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)
                          for key in self.keys)


PAGE_KEYS = tuple(f"Ctrl+{number}" for number in range(1, 10))

SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("switcher", ("Ctrl+K",), "Find a generator, a recent job or a setting by typing",
             NAVIGATE),
    Shortcut("page", PAGE_KEYS, "Open one of the sidebar's first nine generators, the cursor "
             "in its form", NAVIGATE, shown="Ctrl+1 … Ctrl+9"),
    Shortcut("focus_form", ("Ctrl+L",), "Put the cursor in the form's first field", NAVIGATE),
    Shortcut("next_pane", ("F6",), "Go to the next area: sidebar, form, Jobs", NAVIGATE),
    Shortcut("previous_pane", ("Shift+F6",), "Go to the previous area", NAVIGATE),
    Shortcut("submit", ("Ctrl+Return", "Ctrl+Enter"), "Generate: send the page's job (the "
             "price is confirmed first)", MAKE, shown="Ctrl+Enter"),
    Shortcut("refresh", ("F5",), "Read the remaining credits again", MAKE),
    Shortcut("batch", ("Ctrl+Shift+B",), "Open the batch sheet (many product pages)", MAKE),
    Shortcut("spending", ("Ctrl+Shift+S",), "Open Spending", WINDOWS),
    Shortcut("settings", ("Ctrl+,",), "Open Settings", WINDOWS),
    Shortcut("shortcuts", ("F1", "Ctrl+/"), "Show this list of keyboard shortcuts", WINDOWS),
    Shortcut("quit", ("Ctrl+Q",), "Quit", WINDOWS),
    Shortcut("sidebar_move", ("Up", "Down"), "Move to another generator (its page opens)",
             IN_SIDEBAR, SIDEBAR, shown="↑  ↓"),
    Shortcut("sidebar_enter", ("Return",), "Open the page and put the cursor in its form",
             IN_SIDEBAR, SIDEBAR, shown="Enter"),
    Shortcut("sidebar_fold", ("Left", "Right"), "Fold or unfold the Deprecated generators",
             IN_SIDEBAR, SIDEBAR, shown="←  →"),
    Shortcut("switcher_move", ("Up", "Down"), "Move through the matches", IN_SWITCHER,
             SWITCHER, shown="↑  ↓"),
    Shortcut("switcher_open", ("Return",), "Open the chosen match (the first one unless you "
             "moved)", IN_SWITCHER, SWITCHER, shown="Enter"),
    Shortcut("switcher_close", ("Escape",), "Close without opening anything", IN_SWITCHER,
             SWITCHER, shown="Esc"),
    Shortcut("jobs_move", ("Up", "Down"), "Move to another job", IN_JOBS, JOBS, shown="↑  ↓"),
    Shortcut("jobs_open", ("Return",), "Open the selected job (as a double click does)",
             IN_JOBS, JOBS, shown="Enter"),
    Shortcut("jobs_remove", ("Delete",), "Remove it from the list (it can be undone)", IN_JOBS,
             JOBS, shown="Delete"),
    Shortcut("jobs_menu", ("Menu", "Shift+F10"), "The selected job's menu (open, retry, "
             "remove…)", IN_JOBS, JOBS, shown="Menu,  Shift+F10"),
    Shortcut("player_play", ("Space",), "Play or pause", IN_PLAYER, PLAYER, shown="Space"),
    Shortcut("player_previous", ("PgUp", "Alt+Left"), "The previous finished job", IN_PLAYER,
             PLAYER, shown="Page Up,  Alt+←"),
    Shortcut("player_next", ("PgDown", "Alt+Right"), "The next finished job", IN_PLAYER,
             PLAYER, shown="Page Down,  Alt+→"),
)
"""The table, in the order the sheet lists it."""

BY_COMMAND = {shortcut.command: shortcut for shortcut in SHORTCUTS}


def keys_of(command: str) -> list[QKeySequence]:
    """The key sequences of ``command`` (a menu action's shortcuts are set from these)."""
    return [QKeySequence(key) for key in BY_COMMAND[command].keys]


def sections() -> list[tuple[str, list[Shortcut]]]:
    """The table by section, in order."""
    result: list[tuple[str, list[Shortcut]]] = []
    for shortcut in SHORTCUTS:
        if not result or result[-1][0] != shortcut.section:
            result.append((shortcut.section, []))
        result[-1][1].append(shortcut)
    return result


def build_shortcuts(window: QMainWindow, handlers: Mapping[str, Callable[..., object]]
                    ) -> list[QShortcut]:
    """A ``QShortcut`` for each window-scope entry in ``handlers`` (the ones menus do not
    carry). ``page`` is called with the entry's index (0 for Ctrl+1)."""
    made: list[QShortcut] = []
    for command, handler in handlers.items():
        shortcut = BY_COMMAND[command]
        if shortcut.scope != WINDOW:
            raise ValueError(f"{command!r} is handled by its widget, not the window")
        for index, key in enumerate(shortcut.keys):
            bound = QShortcut(QKeySequence(key), window)
            bound.setObjectName(f"shortcut_{command}_{index}")
            if command == "page":
                bound.activated.connect(lambda index=index, run=handler: run(index))
            else:
                bound.activated.connect(lambda run=handler: run())
            made.append(bound)
    return made
