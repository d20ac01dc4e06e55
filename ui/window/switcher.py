"""The quick switcher (Ctrl+K): type a few letters to find any generator (by title, group or
description), a recent job (from the ledger, through the service) or a setting or action, and
Enter opens the first match. Keyboard only: the arrows move through the matches, Escape
closes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt
from PySide6.QtGui import QAction, QIcon, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.generators import GeneratorSpec
from app.generators.groups import entry_of, group_of
from app.jobs.ledger import JobRecord
from ui.jobs.model import status_text
from ui.window.icons import generator_icon
from ui.window.sidebar import ICON, LINE_ROLE, TwoLineDelegate

GENERATOR, ACTION, JOB = "generator", "action", "job"
ORDER = {GENERATOR: 0, ACTION: 1, JOB: 2}
RECENT_JOBS = 30
"""How many of the newest jobs the switcher searches."""


@dataclass(frozen=True)
class Match:
    """One thing the switcher can open."""

    kind: str
    title: str
    line: str
    words: str
    """Everything it is found by, lower case."""
    run: Callable[[], object]
    icon: QIcon | None = None
    ident: str = ""
    """The generator key, the job key or the action's object name."""


def generator_matches(specs: Sequence[GeneratorSpec], open_page: Callable[[str], object]
                      ) -> list[Match]:
    matches = []
    for spec in specs:
        run: Callable[[], object] = partial(open_page, spec.key)
        group, entry = group_of(spec), entry_of(spec)
        extra = " (deprecated)" if spec.deprecated else ""
        matches.append(Match(
            GENERATOR, spec.title + extra, f"{group.title} · {entry.blurb}",
            " ".join((spec.title, group.title, entry.blurb, spec.description, spec.key,
                      "deprecated" if spec.deprecated else "")).lower(),
            run, generator_icon(entry.icon, group.key),
            spec.key))
    return matches


def action_matches(actions: Sequence[QAction]) -> list[Match]:
    matches = []
    for action in actions:
        if not action.isEnabled() or not action.text():
            continue
        title = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        line = "Setting or action" + (f" · {keys}" if keys else "")
        matches.append(Match(ACTION, title, line,
                             f"{title} {action.toolTip()} {action.objectName()} setting".lower(),
                             action.trigger, generator_icon("gear", "more"),
                             action.objectName()))
    return matches


def job_matches(records: Sequence[JobRecord], specs: Sequence[GeneratorSpec],
                open_job: Callable[[str], object]) -> list[Match]:
    """The newest jobs, each with its generator's icon."""
    by_key = {spec.key: spec for spec in specs}
    matches = []
    for record in records[:RECENT_JOBS]:
        if record.hidden:
            continue
        spec = by_key.get(record.generator)
        generator = spec.title if spec is not None else record.generator
        icon = generator_icon(entry_of(spec).icon, group_of(spec).key) if spec else None
        when = record.created_at.astimezone().strftime("%d %b %H:%M")
        status = status_text(record)
        title = record.title or generator
        matches.append(Match(
            JOB, title, f"Job · {generator} · {status} · {when}",
            " ".join((title, generator, status, record.short_key, "job")).lower(),
            partial(open_job, record.key), icon, record.key))
    return matches


def rank(matches: Sequence[Match], query: str) -> list[Match]:
    """The matches holding every word of ``query``; titles starting with it first, then
    titles holding every word, then the rest; generators before actions before jobs."""
    words = query.lower().split()
    found = [m for m in matches if all(word in m.words for word in words)]

    def score(match: Match) -> tuple[int, int]:
        title = match.title.lower()
        if words and title.startswith(query.strip().lower()):
            first = 0
        elif words and all(word in title for word in words):
            first = 1
        else:
            first = 2
        return first, ORDER[match.kind]
    return sorted(found, key=score)


class QuickSwitcher(QDialog):
    """A popup over the window: a search box above the matches."""

    def __init__(self, matches: Sequence[Match], parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("quick_switcher")
        self.setAccessibleName("Quick switcher")
        self.setWindowTitle("Go to…")
        self.matches = list(matches)
        self.shown: list[Match] = []
        self.search = QLineEdit()
        self.search.setObjectName("switcher_search")
        self.search.setAccessibleName("Find a generator, job or setting")
        self.search.setPlaceholderText("Find a generator, a recent job or a setting…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.filter)
        self.search.installEventFilter(self)
        self.results = QListWidget()
        self.results.setObjectName("switcher_results")
        self.results.setAccessibleName("Matches")
        self.results.setItemDelegate(TwoLineDelegate(self.results))
        self.results.setIconSize(QSize(ICON, ICON))
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing stays in the box
        self.results.setFrameShape(QFrame.Shape.NoFrame)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.itemActivated.connect(self._activated)
        self.results.itemClicked.connect(self._activated)
        self.empty = QLabel("Nothing matches. Try a generator's name, a job's title, or "
                            "“settings”.")
        self.empty.setObjectName("switcher_empty")
        self.empty.setWordWrap(True)
        self.empty.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.search)
        layout.addWidget(self.empty)
        layout.addWidget(self.results)
        self.setFixedWidth(520)
        self.setStyleSheet("QDialog#quick_switcher { border: 1px solid palette(mid); }")
        self.filter("")

    def filter(self, text: str) -> None:
        self.shown = rank(self.matches, text)
        self.results.clear()
        job_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        for match in self.shown:
            item = QListWidgetItem(match.title)
            item.setData(LINE_ROLE, match.line)
            item.setIcon(match.icon or job_icon)
            item.setToolTip(f"{match.title}\n{match.line}")
            self.results.addItem(item)
        self.empty.setVisible(not self.shown)
        self.results.setVisible(bool(self.shown))
        if self.shown:
            self.results.setCurrentRow(0)
        rows = min(len(self.shown), 9)
        row_height = self.results.sizeHintForRow(0) if self.shown else 0
        self.results.setFixedHeight(rows * row_height + 4)
        self.adjustSize()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 8,
                        Qt.Key.Key_PageUp: -8}[Qt.Key(key)]
                if self.shown:
                    row = max(0, min(len(self.shown) - 1, self.results.currentRow() + step))
                    self.results.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.open_current()
                return True
        return super().eventFilter(watched, event)

    def open_current(self) -> Match | None:
        """Open the chosen match (the first one unless the arrows moved); closes the popup."""
        row = self.results.currentRow()
        if not self.shown or row < 0:
            return None
        match = self.shown[row]
        self.accept()
        match.run()
        return match

    def _activated(self, item: QListWidgetItem) -> None:
        self.results.setCurrentItem(item)
        self.open_current()

    def popup(self) -> None:
        """Show at the top centre of the window, the cursor in the search box."""
        window = self.parentWidget()
        if window is not None:
            top = window.mapToGlobal(QPoint(0, 0))
            self.move(top.x() + (window.width() - self.width()) // 2, top.y() + 48)
        self.show()
        self.activateWindow()
        self.search.setFocus(Qt.FocusReason.PopupFocusReason)
