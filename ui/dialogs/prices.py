"""File → Update prices… and the price files' section of About.

Creatify changes its prices between our releases (the Asset Generator's fell 2.7–8× in a few
months), so a newer price file — the asset price file's format (``asset-models.json``) or
the general table's (``prices.json``) — can be imported without a release. The pricing core
(:func:`app.pricing.updates.import_price_file`) validates the whole file before changing
anything, keeps it in the data folder and makes every estimate use it at once; this module
only asks for the file, runs the import off the GUI thread (reading and checking a file of up
to 5 MB), and says what happened: one line on success ("Asset prices of 6 Dec 2026
imported: 64 models"), the reason in a message box on refusal (then nothing changed).
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app import APP_NAME, __version__
from app.pricing import PricingError
from app.pricing.updates import ASSET, GENERAL, PriceFileInfo, import_price_file, price_files

if TYPE_CHECKING:
    from ui.service import StudioService

KIND_NAMES = {ASSET: "Asset prices", GENERAL: "Prices"}
"""A price file's kind in the success line: the asset price file, or the general table."""


def _day(value: datetime.date) -> str:
    return f"{value.day} {value:%b %Y}"


def kind_name(info: PriceFileInfo) -> str:
    return KIND_NAMES.get(info.kind, info.title)


def counts_text(info: PriceFileInfo) -> str:
    """What a file holds: "64 models" (an asset price file), "56 prices" (a general table)."""
    if info.kind == ASSET:
        return f"{info.models} model{'s' if info.models != 1 else ''}"
    return f"{info.entries} price{'s' if info.entries != 1 else ''}"


def imported_line(info: PriceFileInfo) -> str:
    """The success line: "Asset prices of 6 Dec 2026 imported: 64 models"."""
    return f"{kind_name(info)} of {_day(info.as_of)} imported: {counts_text(info)}"


def _source_html(source: str) -> str:
    """The source as text, its web addresses as links (a source may name several)."""
    parts = []
    for word in source.split(" "):
        bare = word.rstrip(".,;)")
        if bare.startswith(("https://", "http://")):
            parts.append(f"<a href='{escape(bare)}'>{escape(bare)}</a>"
                         + escape(word[len(bare):]))
        else:
            parts.append(escape(word))
    return " ".join(parts)


def about_box(parent: QWidget) -> QMessageBox:
    """Help → About: the version and the price files in force (open it with ``open()``)."""
    box = QMessageBox(QMessageBox.Icon.Information, f"About {APP_NAME}",
                      f"<b>{APP_NAME}</b> {__version__}<br>A desktop studio for the Creatify "
                      f"API.<br><br>{about_prices_html()}", parent=parent)
    box.setObjectName("about_box")
    return box


def about_prices_html(files: list[PriceFileInfo] | None = None) -> str:
    """The About box's section on prices: each price file (bundled and imported), its
    date, what it holds, whether it is the one in force, and where it came from."""
    files = price_files() if files is None else files
    items = []
    for info in files:
        if info.imported_at is None:
            origin = "bundled with the app"
        else:
            when = info.imported_at.astimezone()
            origin = f"imported {when.day} {when:%b %Y at %H:%M}"
        state = "in force" if info.in_force else "replaced by an imported file"
        items.append(f"<li><b>{escape(info.title)}</b> of {escape(_day(info.as_of))} — "
                     f"{escape(origin)}; {escape(counts_text(info))}; {state}."
                     f"<br><small>Source: {_source_html(info.source)}</small></li>")
    return "Price files:<ul>" + "".join(items) + "</ul>"


class PriceFileImport(QObject):
    """One price file import: the file dialog, the import off the GUI thread, the answer.

    ``imported`` carries the new file's :class:`PriceFileInfo` (estimates must be redone:
    the caller refreshes its tabs), ``refused`` the reason (nothing changed).
    """

    imported = Signal(object)  # PriceFileInfo
    refused = Signal(str)

    def __init__(self, service: StudioService, parent: QWidget,
                 report: Callable[[str], object] | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.window = parent
        self.report = report
        self.dialog: QFileDialog | None = None
        self.box: QMessageBox | None = None
        self.task: asyncio.Task[None] | None = None

    def choose(self) -> QFileDialog:
        """Ask for the file (``open()``: no nested loop); choosing it starts the import."""
        dialog = QFileDialog(self.window, "Update prices — choose a price file")
        dialog.setObjectName("prices_file_dialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        # Qt's own dialog everywhere: the same behaviour on every desktop (and in tests).
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setNameFilters(["Price files (*.json)", "All files (*)"])
        dialog.fileSelected.connect(self.start)
        self.dialog = dialog
        dialog.open()
        return dialog

    def start(self, path: str) -> asyncio.Task[None]:
        """Import ``path`` in a worker thread; the answer comes back on the GUI thread."""
        data_dir = Path(self.service.data_dir)

        async def run() -> None:
            try:
                info = await asyncio.to_thread(import_price_file, Path(path), data_dir)
            except PricingError as exc:
                self._refuse(path, str(exc))
                return
            except OSError as exc:
                self._refuse(path, f"the file could not be read ({exc.strerror or exc}).")
                return
            line = imported_line(info)
            if self.report is not None:
                self.report(line)
            self.imported.emit(info)
        self.task = self.service.tasks.spawn(run(), "import price file")
        return self.task

    def _refuse(self, path: str, reason: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Price file refused",
                          f"{Path(path).name} was not imported.", parent=self.window)
        box.setObjectName("prices_refused")
        box.setInformativeText(f"{reason}\n\nThe estimates keep the prices they had.")
        self.box = box
        box.open()
        self.refused.emit(reason)


__all__ = ["PriceFileImport", "about_box", "about_prices_html", "counts_text", "imported_line",
           "kind_name"]
