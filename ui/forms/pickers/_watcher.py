"""The lazy watcher of one service catalogue (loading / loaded / failed, with a retry)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from ui.service import StudioService

NOT_CONNECTED = "Not connected: connect to Creatify or start the sandbox"


class CatalogueWatcher(QObject):
    """One catalogue of the service, asked for lazily.

    ``request()`` asks once (later calls do nothing); ``retry()`` asks again. The watcher
    re-asks after the connection changes (the service drops its cache then).
    """

    loading = Signal()
    loaded = Signal(list)
    failed = Signal(str, bool)  # message, whether a retry can help

    def __init__(self, service: StudioService, kind: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.kind = kind
        self.items: list[Any] | None = None
        self.requested = False
        self.error: str | None = None
        service.catalogueLoaded.connect(self._on_loaded)
        service.catalogueFailed.connect(self._on_failed)
        service.modeChanged.connect(self._on_mode)

    def request(self) -> None:
        if self.requested:
            return
        self.requested = True
        self._ask()

    def retry(self) -> None:
        self.requested = True
        if not self._connected():
            self._report(NOT_CONNECTED + ".", retry=False)
            return
        self.error = None
        self.loading.emit()
        self.service.load_catalogue(self.kind)

    def _connected(self) -> bool:
        return self.service.connected

    def _ask(self) -> None:
        if not self._connected():
            if self.items is None:
                self._report(NOT_CONNECTED + ".", retry=False)
            return
        items = self.service.catalogue(self.kind)
        if items is None:
            if self.items is None:
                self.error = None
                self.loading.emit()
            return
        self._take(items)

    def _take(self, items: list[Any]) -> None:
        self.items = list(items)
        self.error = None
        self.loaded.emit(self.items)

    def _report(self, message: str, retry: bool) -> None:
        self.error = message
        self.failed.emit(message, retry)

    def _on_loaded(self, kind: str, items: list[Any]) -> None:
        if kind == self.kind:
            self._take(items)

    def _on_failed(self, kind: str, message: str) -> None:
        if kind == self.kind and self.requested:
            self._report(message, retry=True)

    def _on_mode(self, _mode: str) -> None:
        if self.requested:
            self._ask()


__all__ = ["NOT_CONNECTED", "CatalogueWatcher"]
