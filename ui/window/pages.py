"""The generator pages: one per spec, each built the first time it is shown.

Building all the forms at start-up costs about 0.2 s, so the stack holds only the pages
shown so far; :meth:`GeneratorPages.tab` builds one on first use.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QScrollArea, QStackedWidget, QWidget

from app.generators import SPECS
from ui.generator.flows import PriceSettings
from ui.generator.tab import GeneratorTab
from ui.service import StudioService


class GeneratorPages(QStackedWidget):
    """The pages of the built-in generators, in the specs' order; ``built`` holds the pages
    made so far, by generator key; ``shown`` says which page came to the front."""

    shown = Signal(str)

    def __init__(self, service: StudioService, pricing: PriceSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("generator_pages")
        self.setAccessibleName("Generator page")
        self.service = service
        self.pricing = pricing
        self.built: dict[str, GeneratorTab] = {}
        self.keys = [spec.key for spec in SPECS]
        self.currentChanged.connect(self._changed)

    def tab(self, key: str) -> GeneratorTab:
        """The page of generator ``key``, built now if it has not been shown yet."""
        if key not in self.built:
            tab = GeneratorTab(SPECS[self.keys.index(key)], self.service, self.pricing)
            self.built[key] = tab
            self.blockSignals(True)  # the first page added becomes current by itself
            self.addWidget(tab)
            self.blockSignals(False)
        return self.built[key]

    def show_page(self, key: str) -> GeneratorTab:
        tab = self.tab(key)
        if self.currentWidget() is not tab:
            self.setCurrentWidget(tab)
        elif self.count() == 1:
            self.shown.emit(key)  # the first page: added as current without a signal
        return tab

    def current_tab(self) -> GeneratorTab | None:
        widget = self.currentWidget()
        return widget if isinstance(widget, GeneratorTab) else None

    def _changed(self, _index: int) -> None:
        tab = self.current_tab()
        if tab is not None:
            self.shown.emit(tab.spec.key)


def first_input(root: QWidget) -> QWidget | None:
    """The first control inside ``root`` that Tab would stop at (visible, enabled), in the
    window's focus order; a scroll area is skipped for what it holds."""
    widget = root.nextInFocusChain()
    seen: set[int] = set()
    while widget is not None and widget is not root and id(widget) not in seen:
        seen.add(id(widget))
        if (root.isAncestorOf(widget) and widget.isVisible() and widget.isEnabled()
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
                and widget.focusProxy() is None
                and not isinstance(widget, QScrollArea)):
            return widget
        widget = widget.nextInFocusChain()
    return None


def focus_form(tab: GeneratorTab) -> QWidget | None:
    """Put the keyboard focus in ``tab``'s form (its first field, scrolled into view)."""
    target = first_input(tab.form) or first_input(tab)
    if target is None:
        return None
    target.setFocus(Qt.FocusReason.ShortcutFocusReason)
    scroll = tab.findChild(QScrollArea, f"scroll_{tab.spec.key}")
    if scroll is not None and scroll.isAncestorOf(target):
        scroll.ensureWidgetVisible(target)
    return target
