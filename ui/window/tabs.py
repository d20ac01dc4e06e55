"""The generator tabs: one per spec, each built the first time it is shown.

Building all sixteen forms at start-up costs about 0.2 s, so every tab starts as an empty
placeholder and is swapped for its :class:`~ui.generator.tab.GeneratorTab` on first use.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QWidget

from app.generators import SPECS
from ui.generator.flows import PriceSettings
from ui.generator.tab import GeneratorTab
from ui.service import StudioService


class GeneratorTabs(QTabWidget):
    """One tab per generator spec, in the specs' order; ``built`` holds the tabs made so far."""

    def __init__(self, service: StudioService, pricing: PriceSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("generator_tabs")
        self.setAccessibleName("Generators")
        self.setDocumentMode(True)
        self.setUsesScrollButtons(True)
        self.service = service
        self.pricing = pricing
        self.built: dict[str, GeneratorTab] = {}
        self.keys = [spec.key for spec in SPECS]
        for spec in SPECS:
            title = spec.title + (" (deprecated)" if spec.deprecated else "")
            index = self.addTab(QWidget(), title)
            tip = spec.description + (" — Deprecated by Creatify." if spec.deprecated else "")
            self.setTabToolTip(index, tip)
        self.currentChanged.connect(self.build_at)

    def tab(self, key: str) -> GeneratorTab:
        """The tab of generator ``key``, built now if it has not been shown yet."""
        if key not in self.built:
            index = self.keys.index(key)
            tab = GeneratorTab(SPECS[index], self.service, self.pricing)
            self.built[key] = tab
            current = self.currentIndex()
            title, tip = self.tabText(index), self.tabToolTip(index)
            self.blockSignals(True)
            placeholder = self.widget(index)
            self.removeTab(index)
            self.insertTab(index, tab, title)
            self.setTabToolTip(index, tip)
            self.setCurrentIndex(current)
            self.blockSignals(False)
            if placeholder is not None:
                placeholder.deleteLater()
        return self.built[key]

    def build_at(self, index: int) -> None:
        """Build the tab at ``index`` (when it becomes the current one)."""
        if 0 <= index < len(self.keys):
            self.tab(self.keys[index])

    def current_tab(self) -> GeneratorTab | None:
        widget = self.currentWidget()
        return widget if isinstance(widget, GeneratorTab) else None
