"""The Library window: every finished result as a card in a grid (poster, name, generator,
date, length, tags), found by generator and words, newest or oldest first; the selected one's
name and tags edited in place, the settings that made it, preview, open, show in folder, and
two compared side by side.

Opening never waits for the whole history: the newest :data:`FIRST_JOBS` jobs are read at
once (the first cards), the newest :data:`HISTORY` in a worker thread over its own connection
to the ledger (``StudioService.jobs_page_in_thread``) and put in place in one model update.
Later changes come with the service's ``jobsChanged`` batches. Names and tags are saved in a
worker thread (:class:`app.library.LibraryStore`), posters are loaded by
:class:`~ui.library.posters.PosterLoader`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.generators import SPECS
from app.jobs.ledger import JobRecord
from app.library import LibraryItem, LibraryStore, PosterCache, library_items, parse_tags
from app.platform import LaunchError, open_path, reveal_path
from ui.common.background import run_in_thread
from ui.jobs.launch import show_launch_problem
from ui.library.compare import CompareDialog, item_source
from ui.library.delegate import CARD, POSTER, CardDelegate
from ui.library.details import ItemDetails
from ui.library.model import LibraryModel, display_name
from ui.library.posters import PosterLoader
from ui.service import StudioService

FIRST_JOBS = 120
HISTORY = 5000
HISTORY_CHUNK = 25
"""The history is read this many jobs at a time…"""
HISTORY_PAUSE_S = 0.004
"""…the worker letting go of the interpreter lock this long between reads: decoding rows
holds it, and the GUI thread needs it for each card it paints (read in one go, the history
slowed the first paint fourfold: one 50–100 ms stall)."""


class LibraryWindow(QWidget):
    """The library of one connection's results."""

    loaded = Signal()  # the whole history is in the grid

    def __init__(self, service: StudioService, parent: QWidget | None = None, *,
                 store: LibraryStore | None = None, posters: PosterCache | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("library_window")
        self.setWindowTitle("Library")
        self.service = service
        self.store = store or LibraryStore.in_folder(service.data_dir)
        self.posters = PosterLoader(service, posters or PosterCache.in_cache(
            service.data_dir / "cache"), self)
        self.model = LibraryModel(self.store, self)
        self.loading = False
        self.dialogs: list[QWidget] = []
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self._generation = 0

        self.generator = QComboBox()
        self.generator.setObjectName("library_generator")
        self.generator.setAccessibleName("Show results of generator")
        self.generator.addItem("All generators", None)
        for spec in SPECS:
            self.generator.addItem(spec.title, spec.key)
        self.search = QLineEdit()
        self.search.setObjectName("library_search")
        self.search.setAccessibleName("Search the library")
        self.search.setPlaceholderText("Search names, titles, tags…")
        self.search.setClearButtonEnabled(True)
        self.order = QComboBox()
        self.order.setObjectName("library_order")
        self.order.setAccessibleName("Order")
        self.order.addItem("Newest first", True)
        self.order.addItem("Oldest first", False)
        self.count = QLabel("")
        self.count.setObjectName("library_count")

        self.view = QListView()
        self.view.setObjectName("library_grid")
        self.view.setAccessibleName("Results")
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setUniformItemSizes(True)
        self.view.setGridSize(QSize(CARD.width() + 4, CARD.height() + 4))
        self.view.setSpacing(0)
        self.view.setLayoutMode(QListView.LayoutMode.Batched)
        self.view.setBatchSize(200)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.verticalScrollBar().setSingleStep(24)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setModel(self.model)
        self.delegate = CardDelegate(self._poster, self.view)
        self.view.setItemDelegate(self.delegate)
        ratio = self.devicePixelRatioF()
        self.posters.ratio = ratio
        self.posters.display = QSize(round(POSTER.width() * ratio), round(POSTER.height() * ratio))
        self.details = ItemDetails()
        self.details.setMinimumWidth(300)

        bar = QHBoxLayout()
        bar.addWidget(self.generator)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.order)
        bar.addWidget(self.count)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([860, 320])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)
        self.resize(1200, 760)

        self.generator.currentIndexChanged.connect(
            lambda: self._filter(generator=self.generator.currentData()))
        self.search.textChanged.connect(lambda text: self._filter(text=text))
        self.order.currentIndexChanged.connect(
            lambda: self._filter(newest_first=bool(self.order.currentData())))
        self.view.selectionModel().selectionChanged.connect(self._selected)
        self.view.doubleClicked.connect(lambda _index: self.preview())
        self.view.activated.connect(lambda _index: self.preview())
        self.details.renamed.connect(self.rename)
        self.details.tagged.connect(lambda key, text: self.set_tags(key, parse_tags(text)))
        self.details.preview_button.clicked.connect(self.preview)
        self.details.open_button.clicked.connect(lambda: self._launch(open_path))
        self.details.reveal_button.clicked.connect(lambda: self._launch(reveal_path))
        self.details.compare_button.clicked.connect(self.compare)
        QShortcut(QKeySequence(Qt.Key.Key_F2), self, self.details.name_edit.setFocus)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        self.posters.ready.connect(self.model.item_changed)
        service.jobsChanged.connect(self._jobs_changed)
        service.jobsReloaded.connect(self.reload)
        self._selected()
        self.reload()

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        """The newest jobs now, the rest of the history (if there is more) from a worker
        thread."""
        self._generation += 1
        generation = self._generation
        first = self.service.jobs_page(limit=FIRST_JOBS)
        self.model.set_items(library_items(first))
        self._counted()
        self.loading = True
        if len(first) < FIRST_JOBS or not self.service.jobs_page_in_thread(
                self, HISTORY, lambda jobs, error: self._history(generation, jobs, error),
                chunk=HISTORY_CHUNK, pause_s=HISTORY_PAUSE_S):
            self._done_loading()

    def _history(self, generation: int, jobs: list[JobRecord] | None,
                 error: str | None) -> None:
        if generation != self._generation:
            return
        if jobs is None:
            self.service.errorRaised.emit(f"The library could not read the older jobs: {error}")
        else:
            keys = self.selected_keys()
            self.model.set_items(library_items(jobs))
            self._reselect(keys)
        self._done_loading()

    def _done_loading(self) -> None:
        self.loading = False
        self._counted()
        self.loaded.emit()

    def _jobs_changed(self, batch: dict[str, JobRecord]) -> None:
        keys = self.selected_keys()
        if self.model.update_jobs(batch.values()):
            self._reselect(keys)
            self._counted()

    def _filter(self, **filters: object) -> None:
        keys = self.selected_keys()
        self.model.set_filters(**filters)  # type: ignore[arg-type]
        self._reselect(keys)
        self._counted()

    def _counted(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        self.count.setText(f"{shown} of {total}" if shown != total else
                           f"{total} result{'s' if total != 1 else ''}")

    def _poster(self, item: LibraryItem) -> object:
        return self.posters.poster(item)

    # ------------------------------------------------------------------ selection

    def selected_items(self) -> list[LibraryItem]:
        rows = sorted(index.row() for index in self.view.selectionModel().selectedIndexes())
        return [self.model.item(row) for row in rows]

    def selected_keys(self) -> list[str]:
        return [item.key for item in self.selected_items()]

    def select(self, *keys: str) -> None:
        """Select the items ``keys`` (the first one current)."""
        selection = self.view.selectionModel()
        selection.clearSelection()
        for number, key in enumerate(keys):
            row = self.model.row_of(key)
            if row is None:
                continue
            index = self.model.index(row)
            flags = QItemSelectionModel.SelectionFlag.Select
            if number == 0:
                selection.setCurrentIndex(index, flags)
                self.view.scrollTo(index)
            else:
                selection.select(index, flags)

    def _reselect(self, keys: list[str]) -> None:
        if keys:
            self.select(*keys)
        else:
            self._selected()

    def _selected(self, *_args: object) -> None:
        items = self.selected_items()
        item = items[0] if len(items) == 1 else None
        meta = self.store.meta(item.key) if item is not None else None
        self.details.show_item(item, meta.name if meta else "", meta.tags if meta else ())
        if len(items) > 1:
            self.details.heading.setText(f"{len(items)} results selected")
        self.details.compare_button.setEnabled(len(items) == 2)

    # ------------------------------------------------------------------ names and tags

    def rename(self, key: str, name: str) -> None:
        if self.store.rename(key, name):
            self._changed(key)

    def set_tags(self, key: str, tags: tuple[str, ...]) -> None:
        if self.store.set_tags(key, tags):
            self._changed(key)

    def _changed(self, key: str) -> None:
        self.model.item_changed(key)
        items = self.selected_items()
        if len(items) == 1 and items[0].key == key:
            self.details.heading.setText(display_name(items[0], self.store.name(key)))
        self.save()

    def save(self) -> None:
        """Write the names and tags in a worker thread (a failure is said, not lost)."""
        def done(_result: object, error: Exception | None) -> None:
            if error is not None:
                self.service.errorRaised.emit(f"The library's names and tags were not saved: "
                                              f"{error}")
        run_in_thread(self, self.store.save, done, errors=(OSError,), name="library save")

    # ------------------------------------------------------------------ actions

    def preview(self) -> QWidget | None:
        """The selected result in the in-app player (Previous/Next through the grid)."""
        from ui.jobs.preview import PreviewDialog

        items = self.selected_items()
        if not items:
            return None
        item = items[0]
        if item.kind == "page":  # a preview page: the browser shows it
            if item.url:
                self.open_url(QUrl(item.url))
            return None
        if item.style:  # a style preview: its own video, not the job's first
            source = item_source(item)
            dialog = PreviewDialog(None, self, service=self.service,
                                   title=f"{item.title} — {item.style}",
                                   sources=[source] if source is not None else [])
        else:
            records = [i.record for i in self.model.items() if not i.style]
            dialog = PreviewDialog(item.record, self, service=self.service, records=records)
        self._keep(dialog)
        dialog.show()
        return dialog

    def compare(self) -> CompareDialog | None:
        """The two selected results side by side."""
        items = self.selected_items()
        if len(items) != 2:
            return None
        left, right = ((item, self.store.name(item.key), self.posters.poster(item))
                       for item in items)
        dialog = CompareDialog(left, right, self)
        self._keep(dialog)
        dialog.show()
        return dialog

    def _keep(self, dialog: QWidget) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialogs.append(dialog)
        dialog.destroyed.connect(lambda _obj=None, gone=dialog: self.dialogs.remove(gone)
                                 if gone in self.dialogs else None)

    def _launch(self, action: Callable[[str | None], object]) -> None:
        items = self.selected_items()
        path = items[0].path if len(items) == 1 else None
        try:
            action(path)
        except LaunchError as exc:
            self.service.errorRaised.emit(str(exc))
            show_launch_problem(self, exc, path)

    # ------------------------------------------------------------------ window

    def closeEvent(self, event: QCloseEvent) -> None:
        for dialog in list(self.dialogs):
            dialog.close()
        self.posters.close()
        if self.store.dirty:
            self.save()
        super().closeEvent(event)


__all__ = ["FIRST_JOBS", "HISTORY", "LibraryWindow"]
