"""Links dragged anywhere over the window go where a creator means, text boxes included.

An application event filter (:class:`DropRouter`, installed while a drag is over the window)
sees every drag event of the window's widgets before the widget does. Links — a
``text/uri-list`` (browser links, files) or text that is nothing but addresses — never land in
a text box: one link fills the product page URL of the page's tab (or the URL field it is
dropped on), several open the batch sheet, exactly as a drop on a bare area. Plain text still
drops into text boxes as usual. While links are dragged, a
:class:`~ui.window.drops.overlay.DropOverlay` highlights where the drop will go.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QMimeData, QObject, QTimer
from PySide6.QtGui import QDropEvent, QWindow
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from app.generators import BY_KEY, FieldKind
from ui.forms.base import FieldEditor
from ui.forms.local_media import takes_local_drop
from ui.generator.tab import GeneratorTab
from ui.service import Mode
from ui.window.drops.overlay import DropOverlay
from ui.window.drops.reading import DropReading, dropped, holds_links, read_drop

if TYPE_CHECKING:
    from ui.window.main_window import MainWindow

_ALL_DRAGS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop,
              QEvent.Type.DragLeave)


@dataclass(frozen=True)
class UrlField:
    """A one-line box that takes one address: a URL field of a form (or any box whose
    placeholder is an address), the tab it belongs to and, if it is that tab's product page
    URL, the tab's key."""

    edit: QLineEdit
    label: str
    page_of: str | None


@dataclass(frozen=True)
class DropRoute:
    """Where a drag would go: the area to highlight, the line saying so, and what to do."""

    area: QWidget
    line: str
    reading: DropReading | None = None  # None: not connected (the window says so on drop)
    field: UrlField | None = None  # the one link goes into this box
    refused: bool = False


def url_field_of(widget: QWidget) -> UrlField | None:
    """``widget`` as a box taking one address, or None."""
    if not isinstance(widget, QLineEdit) or widget.isReadOnly():
        return None
    editor: FieldEditor | None = None
    tab: GeneratorTab | None = None
    parent = widget.parentWidget()
    while parent is not None and tab is None:
        if editor is None and isinstance(parent, FieldEditor):
            editor = parent
        if isinstance(parent, GeneratorTab):
            tab = parent
        parent = parent.parentWidget()
    is_url = editor is not None and editor.field.kind is FieldKind.URL
    if not is_url and not widget.placeholderText().startswith("https://"):
        return None
    page = tab is not None and editor is not None and is_url \
        and editor.field.name == tab.spec.url_field
    label = editor.field.label if editor is not None and is_url \
        else widget.accessibleName() or "this field"
    return UrlField(widget, label, tab.spec.key if page and tab is not None else None)


class _WindowHooks(QObject):
    """The router's watch on the window itself: its QWindow (where every drag from outside
    starts and ends, before Qt hands it to the widget under the pointer) and the window
    widget (drags sent to it directly, and its Show, when the QWindow appears)."""

    def __init__(self, router: DropRouter) -> None:
        super().__init__(router)
        self.router = router
        self.handle: QWindow | None = None
        router.window.installEventFilter(self)

    def hook_handle(self) -> None:
        handle = self.router.window.windowHandle()
        if handle is not None and handle is not self.handle:
            self.handle = handle
            handle.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        router, kind = self.router, event.type()
        if watched is router.window:
            if kind in (QEvent.Type.Show, QEvent.Type.WinIdChange):
                self.hook_handle()
            if kind in _ALL_DRAGS and not router.watching:
                return router.handle(router.window, event)
            return False
        if kind == QEvent.Type.DragEnter:
            router.watch(True)
        elif kind in (QEvent.Type.DragLeave, QEvent.Type.Drop):  # after Qt has handed it on
            QTimer.singleShot(0, router, lambda: router.watch(False))
        return False


class DropRouter(QObject):
    """Routes the window's drops of links and shows where they will go (see the module).

    While a drag is over the window (from its QWindow's drag-enter to the drop or leave) the
    router is an application event filter, so it sees the drag events of every widget of the
    window before the widget does; the rest of the time it costs nothing per event."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("drop_router")
        self.window = window
        self.overlay = DropOverlay(window)
        self.watching = False
        self._last: DropReading | None = None
        self._hooks = _WindowHooks(self)

    def watch(self, on: bool) -> None:
        """Start (a drag entered the window) or stop seeing every widget's events."""
        app = QApplication.instance()
        if app is None or on == self.watching:
            return
        self.watching = on
        if on:
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)
            self.overlay.hide()

    def _inside(self, widget: QWidget) -> bool:
        return widget is self.window or self.window.isAncestorOf(widget)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() not in _ALL_DRAGS or not isinstance(watched, QWidget) \
                or not self._inside(watched):
            return False
        return self.handle(watched, event)

    def handle(self, watched: QWidget, event: QEvent) -> bool:
        """A drag event for ``watched`` (a widget of the window): True when it was routed
        (the widget never sees it), False when the widget takes it as usual."""
        kind = event.type()
        if kind == QEvent.Type.DragLeave:
            self.overlay.hide()
            return False
        if not isinstance(event, QDropEvent):
            return False
        route = self.route(watched, event.mimeData())
        if route is None:  # text for a text box, or nothing the window takes
            self.overlay.hide()
            return False
        event.acceptProposedAction()
        if kind == QEvent.Type.Drop:
            self.overlay.hide()
            self.deliver(route)
        else:
            self.overlay.show_over(route.area, route.line, refused=route.refused)
        return True

    # ------------------------------------------------------------------ deciding

    def _read(self, target: str, text: str, files: list[Path]) -> DropReading:
        """The drop read once per drag (drag-move events come by the dozen)."""
        last = self._last
        if last is None or (last.target, last.text, last.files) != (target, text, tuple(files)):
            last = self._last = read_drop(target, text, files)
        return last

    def route(self, receiver: QWidget, mime: QMimeData) -> DropRoute | None:
        """Where ``mime`` dropped on ``receiver`` goes; None leaves it to the widget."""
        window = self.window
        if takes_local_drop(receiver, mime):
            return None  # one local file on a field that uploads it: the field's own drop
        if receiver is not window and not holds_links(mime):
            return None  # plain text into a text box, as usual
        if not (mime.hasUrls() or mime.hasText()):
            return None
        central = window.centralWidget() or window
        if window.service.mode == Mode.NONE:
            return DropRoute(central, "Connect first (API credentials or the sandbox), then "
                             "drop the product pages", refused=True)
        target = window.drop_target()
        title = BY_KEY[target].title
        reading = self._read(target, *dropped(mime))
        if reading.error:
            return DropRoute(central, f"Cannot read this: {reading.error}", reading,
                             refused=True)
        if not reading.rows:
            return DropRoute(central, "No web address in what you are dragging", reading,
                             refused=True)
        if not reading.one_link:
            count = len(reading.rows)
            what = f"{count:,} link{'s' if count != 1 else ''}"
            if reading.files:
                names = ", ".join(path.name for path in reading.files)
                what = f"{names} ({count:,} row{'s' if count != 1 else ''})"
            return DropRoute(central, f"Drop {what} to open the batch sheet for {title}",
                             reading)
        problem = reading.rows[0].problem
        field = url_field_of(receiver)
        if field is not None:
            line = "Drop to fill the product page URL" if field.page_of \
                else f"Drop to fill “{field.label}”"
            return DropRoute(field.edit, f"Not usable here: {problem}" if problem else line,
                             reading, field, refused=bool(problem))
        area, line = central, f"Drop to open {title} with this product page"
        tab = window.current_tab()
        if tab is not None and tab.spec.key == target and tab.isVisible():
            line = "Drop to fill the product page URL"
            area = self._page_editor(tab) or central
        return DropRoute(area, f"Not usable: {problem}" if problem else line, reading,
                         refused=bool(problem))

    @staticmethod
    def _page_editor(tab: GeneratorTab) -> QWidget | None:
        """The tab's product page URL editor when it shows on screen (not scrolled away)."""
        editor = tab.form.editors.get(tab.spec.url_field or "")
        if editor is None or not editor.isVisible() or editor.visibleRegion().isEmpty():
            return None
        return editor

    # ------------------------------------------------------------------ delivering

    def deliver(self, route: DropRoute) -> None:
        """Do what the overlay said."""
        reading, field = route.reading, route.field
        window = self.window
        if reading is not None and field is None and not reading.error \
                and reading.target == window.drop_target():  # read while dragging: not again
            self._last = None  # the rows are the sheet's now (it edits them)
            window.accept_rows(reading.target, reading.rows, reading.table)
            return
        if reading is None or field is None:  # as a drop on a bare area (or "connect first")
            window.accept_dropped(text=reading.text if reading else "",
                                  files=reading.files if reading else ())
            return
        row = reading.rows[0]
        if field.page_of is not None:
            self.window.fill_from_url(field.page_of, row)
            return
        bar = self.window.statusBar()
        if row.problem:
            bar.showMessage(f"Not used: {row.url[:80]} — {row.problem}", 12000)
            return
        field.edit.setText(row.url)
        field.edit.setFocus()
        bar.showMessage(f"{field.label}: filled in from the drop.", 8000)
