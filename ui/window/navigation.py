"""Getting around the window: the sidebar beside the generator pages, Ctrl+1…9, focusing the
form, moving between areas (F6), the quick switcher (Ctrl+K) and the shortcut sheet (F1).

The window owns one :class:`Navigator`; its public methods (``show_generator``, ``tab``,
``current_tab``…) stay on the window and call this.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QWidget,
)

from app.generators import SPECS
from ui.generator.flows import PriceSettings
from ui.generator.tab import GeneratorTab
from ui.jobs.panel import QueuePanel
from ui.service import StudioService
from ui.window.pages import GeneratorPages, focus_form
from ui.window.shortcut_sheet import ShortcutSheet
from ui.window.sidebar import Sidebar, sidebar_dock
from ui.window.switcher import QuickSwitcher, action_matches, generator_matches, job_matches


class Navigator(QObject):
    """The sidebar (a dock on the left, full height) and the stack of generator pages."""

    def __init__(self, window: QMainWindow, stack: QStackedWidget, service: StudioService,
                 pricing: PriceSettings) -> None:
        super().__init__(window)
        self.window = window
        self.stack = stack
        self.service = service
        self.pages = GeneratorPages(service, pricing)
        self.sidebar = Sidebar(SPECS)
        self.dock = sidebar_dock(window, self.sidebar)
        self.sidebar.chosen.connect(self.show)
        self.sidebar.entered.connect(lambda key: self.show(key, focus=True))
        self.pages.shown.connect(self.sidebar.select)
        self.switcher: QuickSwitcher | None = None
        self.sheet: ShortcutSheet | None = None
        self.jobs: QueuePanel | None = None
        self.jobs_dock: QDockWidget | None = None

    def attach_jobs(self, jobs: QueuePanel, dock: QDockWidget) -> None:
        """The Jobs panel: the third area of F6, where a recent job found by Ctrl+K shows."""
        self.jobs, self.jobs_dock = jobs, dock

    def open_job(self, key: str) -> None:
        """The job selected in the Jobs panel, the keyboard there."""
        if self.jobs is None or self.jobs_dock is None:
            return
        self.jobs_dock.show()
        self.jobs.select(key)
        self.jobs.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def active(self) -> bool:
        """The generator pages are showing (not the welcome page)."""
        return self.stack.currentWidget() is self.pages

    def set_connected(self, connected: bool, welcome: QWidget) -> None:
        self.stack.setCurrentWidget(self.pages if connected else welcome)
        self.dock.setVisible(connected)

    # ------------------------------------------------------------------ pages

    def show(self, key: str, focus: bool = False) -> GeneratorTab:
        """Bring ``key``'s page to the front (built on first use), its entry current in the
        sidebar; with ``focus``, the cursor goes to the form's first field."""
        tab = self.pages.show_page(key)
        self.sidebar.select(key)
        if focus:
            focus_form(tab)
        return tab

    def show_nth(self, index: int) -> None:
        """Ctrl+1…9: the sidebar's entry ``index``, the cursor in its form."""
        if self.active() and 0 <= index < len(self.sidebar.keys):
            self.show(self.sidebar.keys[index], focus=True)

    def focus_form(self) -> None:
        tab = self.pages.current_tab()
        if self.active() and tab is not None:
            focus_form(tab)

    def cycle(self, step: int) -> None:
        """F6 / Shift+F6: sidebar → form → Jobs list → sidebar."""
        if not self.active():
            return
        focused = QApplication.focusWidget()
        tab = self.pages.current_tab()
        jobs = self.jobs.view if self.jobs is not None else None
        areas: list[QWidget | None] = [self.sidebar, tab, jobs if jobs is not None
                                       and jobs.isVisible() else None]
        here = next((number for number, area in enumerate(areas) if area is not None
                     and focused is not None and (area is focused or area.isAncestorOf(focused))),
                    -1 if step > 0 else 0)
        for turn in range(1, len(areas) + 1):
            area = areas[(here + step * turn) % len(areas)]
            if area is None:
                continue
            if area is tab and tab is not None:
                focus_form(tab)
            else:
                area.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return

    # ------------------------------------------------------------------ switcher, sheet

    def menu_actions(self) -> list[QAction]:
        """The menus' plain entries (not the switcher itself, toggles or separators)."""
        found: list[QAction] = []
        for top in self.window.menuBar().actions():
            menu = top.menu()
            if not isinstance(menu, QMenu) or not top.isVisible():
                continue
            for action in menu.actions():
                if action.isSeparator() or action.menu() is not None or action.isCheckable() \
                        or not action.isVisible() or action.objectName() == "action_switcher":
                    continue
                found.append(action)
        return found

    def open_switcher(self) -> QuickSwitcher:
        """Ctrl+K: the generators, the recent jobs and the menus' entries, found by typing
        (on the welcome page, the menus' entries only)."""
        if self.switcher is not None:
            self.switcher.close()
        order = {key: index for index, key in enumerate(self.sidebar.keys)}
        specs = sorted(SPECS, key=lambda spec: order.get(spec.key, len(order)))
        pages = generator_matches(specs, self._switch_to) if self.active() else []
        matches = [*pages,
                   *action_matches(self.menu_actions()),
                   *job_matches(self.service.jobs_page(limit=200), SPECS, self.open_job)]
        switcher = QuickSwitcher(matches, self.window)
        switcher.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        switcher.destroyed.connect(lambda _obj=None, gone=switcher: self._forget(gone))
        self.switcher = switcher
        switcher.popup()
        return switcher

    def _forget(self, gone: QWidget) -> None:
        """A closed switcher or sheet (deleted later: a newer one may be open by then)."""
        if self.switcher is gone:
            self.switcher = None
        if self.sheet is gone:
            self.sheet = None

    def _switch_to(self, key: str) -> None:
        if self.active():
            self.show(key, focus=True)

    def open_sheet(self) -> ShortcutSheet:
        """F1: the keyboard shortcut sheet (one at a time)."""
        if self.sheet is None:
            self.sheet = ShortcutSheet(self.window)
            self.sheet.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.sheet.destroyed.connect(lambda _obj=None, gone=self.sheet: self._forget(gone))
        self.sheet.show()
        self.sheet.raise_()
        self.sheet.activateWindow()
        return self.sheet
