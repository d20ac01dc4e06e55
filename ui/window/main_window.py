"""The main window: it puts together the welcome page, the sidebar and the generator pages,
the Jobs dock, the status bar, the menus and shortcuts, and takes drops of product pages."""

from __future__ import annotations

import base64
import dataclasses
import logging
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from app import APP_NAME
from app.credentials import Credentials, CredentialStore, KeyringUnavailable
from app.settings import Settings, SettingsStore, budget_limits, price_plan
from ui.common.theme import apply_theme
from ui.window.menus import MenuSlots, build_menus
from ui.window.status_bar import StatusWidgets
from ui.window.welcome import WelcomePage

if TYPE_CHECKING:
    from PySide6.QtGui import (
        QCloseEvent,
        QDragEnterEvent,
        QDragMoveEvent,
        QDropEvent,
        QPaintEvent,
    )

    from app.batch import BatchRow, Table
    from app.jobs.ledger import JobRecord
    from ui.batch.sheet import BatchSheet
    from ui.dialogs import PriceFileImport
    from ui.generator.flows import PriceSettings
    from ui.generator.tab import GeneratorTab
    from ui.jobs.panel import QueuePanel
    from ui.jobs.preview import PreviewDialog
    from ui.library import LibraryWindow
    from ui.service import StudioService
    from ui.window.developer import DeveloperMenu
    from ui.window.notices import JobNotices
    from ui.window.quitting import QuitGuard

log = logging.getLogger(__name__)

class MainWindow(QMainWindow):
    """Everything the user sees. Talks to the core only through ``service``."""

    credentialsReady = Signal(object)  # Credentials chosen in the dialog (to connect with)
    sandboxRequested = Signal()
    disconnectRequested = Signal()
    firstPainted = Signal()  # the frame is on screen: the rest can load
    becameReady = Signal()  # everything built, the window takes input

    def __init__(self, service: StudioService | None, settings_store: SettingsStore,
                 settings: Settings, credential_store: CredentialStore,
                 default_output: str) -> None:
        """The frame (title, menus, welcome page, status bar); with ``service``, the rest at
        once. Start-up passes None, shows the frame and calls :meth:`attach` after the first
        paint, so the first paint needs neither the service nor the pages (issue 14)."""
        super().__init__()
        self.setObjectName("main_window")
        self.settings_store = settings_store
        self.settings = settings
        self.credential_store = credential_store
        self.default_output = default_output
        self.session_credentials: Credentials | None = None
        self._dialogs: list[QWidget] = []
        self.spending: QWidget | None = None
        self.library: LibraryWindow | None = None
        self.batch_sheet: BatchSheet | None = None
        self.painted = False
        self.ready = False
        self.setAcceptDrops(True)
        apply_theme(settings.theme)
        self.setWindowTitle(APP_NAME)
        self.resize(1180, 760)

        self._pending: list[Callable[[], object]] = []  # clicked before attach(): run then
        later = self._when_ready
        self.welcome = WelcomePage(later(self.open_credentials), later(self.sandboxRequested.emit))
        self.stack = QStackedWidget()  # the welcome page, or the generator pages
        self.stack.addWidget(self.welcome)
        self.setCentralWidget(self.stack)
        self.status_widgets = StatusWidgets(self.statusBar(), later(self._refresh_credits))
        self.mode_badge = self.status_widgets.mode_badge
        self.credits_label = self.status_widgets.credits_label
        self.refresh_button = self.status_widgets.refresh_button
        actions = build_menus(self, MenuSlots(
            credentials=later(self.open_credentials),
            remove_credentials=later(self.remove_credentials),
            sandbox=later(self.sandboxRequested.emit), settings=later(self.open_settings),
            spending=later(self.open_spending), batch=later(self.open_empty_batch),
            about=self.about, update_prices=later(self.update_prices),
            switcher=later(lambda: self.nav.open_switcher()),
            focus_form=later(lambda: self.nav.focus_form()),
            shortcuts=later(lambda: self.nav.open_sheet()),
            library=later(self.open_library)))
        self.credentials_action, self.remove_action = actions.credentials, actions.remove
        self.sandbox_action, self.settings_action = actions.sandbox, actions.settings
        self.spending_action, self.batch_action = actions.spending, actions.batch
        self._restore_geometry()
        if service is None:  # a quiet "Loading…" until attach(); clicks wait for it
            self.statusBar().showMessage("Loading…")
        else:
            self.attach(service)

    def attach(self, service: StudioService) -> None:
        """Build what works through ``service``: the sidebar and pages, the Jobs dock, the
        notices, the Developer menu, the shortcuts; then the window takes input."""
        from ui.generator.flows import PriceSettings
        from ui.generator.presets_reuse import ReuseButton
        from ui.jobs.panel import QueuePanel
        from ui.window.developer import DeveloperMenu
        from ui.window.drops import DropRouter
        from ui.window.navigation import Navigator
        from ui.window.notices import JobNotices
        from ui.window.quitting import QuitGuard
        from ui.window.shortcuts import build_shortcuts

        self.service = service
        self.pricing: PriceSettings = PriceSettings()
        self._apply_settings(self.settings)
        self.drop_router = DropRouter(self)  # links dropped anywhere: the sheet or a URL field
        self.nav = Navigator(self, self.stack, service, self.pricing)
        self.pages, self.sidebar = self.nav.pages, self.nav.sidebar
        self.sidebar_dock = self.nav.dock
        self.generator_tabs = self.pages.built  # the pages built so far, by generator key
        self._keys = self.pages.keys
        self.stack.addWidget(self.pages)

        self.queue: QueuePanel = QueuePanel(service)
        self.queue_dock = QDockWidget("Jobs", self)
        self.queue_dock.setObjectName("queue_dock")
        self.queue_dock.setWidget(self.queue)
        self.queue_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                                    | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.queue_dock)
        self.queue.previewRequested.connect(self.preview)
        self.queue.retryRequested.connect(self.retry)
        self.queue.renderRequested.connect(self.render_from_queue)
        self.queue.reuseRequested.connect(self.reuse_settings)
        self.queue.scriptRequested.connect(self.use_script)
        self.reuse_button = ReuseButton(self.queue)  # (beside the selected job's line)
        self.nav.attach_jobs(self.queue, self.queue_dock)
        self.notices: JobNotices = JobNotices(self, service, lambda: self.settings,
                                              self._show_job)
        self.tray = self.notices.tray
        self.developer: DeveloperMenu = DeveloperMenu(self, service,
                                                      self.statusBar().showMessage)
        self.quit_guard: QuitGuard = QuitGuard(self, service)
        build_shortcuts(self, {"submit": self.submit_current, "page": self.nav.show_nth,
                               "refresh": service.refresh_credits,
                               "next_pane": lambda: self.nav.cycle(1),
                               "previous_pane": lambda: self.nav.cycle(-1)})
        last = self.settings.last_tab
        self.nav.show(last if last in self._keys else self.sidebar.keys[0])

        service.modeChanged.connect(self._mode_changed)
        service.creditsChanged.connect(self._credits_changed)
        service.committedChanged.connect(self._committed_changed)
        service.followerChanged.connect(self.status_widgets.show_follower)
        service.creditsFailed.connect(self._credits_failed)
        service.errorRaised.connect(lambda message: self.statusBar().showMessage(message, 10000))
        self._mode_changed(service.mode)
        if self.statusBar().currentMessage() == "Loading…":
            self.statusBar().clearMessage()
        self.ready = True
        self.setProperty("startupReady", True)  # (the start-up benchmark watches for this)
        self.becameReady.emit()
        if (service.data_dir / "own_media.json").exists():  # avatars may still be in review
            QTimer.singleShot(0, self._follow_own_media)
        pending, self._pending = self._pending, []
        for action in pending:
            action()

    def _follow_own_media(self) -> None:
        """An avatar uploaded in an earlier run is followed through its review from the start
        (not only once "My avatars and voices" is opened)."""
        from ui.own_media import own_media_of
        own_media_of(self)

    def _when_ready(self, action: Callable[[], object]) -> Callable[[], None]:
        """``action`` now, or — clicked while the window still loads — at the end of
        :meth:`attach` (once, however often it was clicked)."""
        def run() -> None:
            if self.ready:
                action()
            elif action not in self._pending:
                self._pending.append(action)
        return run

    def _refresh_credits(self) -> None:
        self.service.refresh_credits()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            self.firstPainted.emit()

    # ------------------------------------------------------------------ building

    def _restore_geometry(self) -> None:
        if self.settings.window_geometry:
            try:
                self.restoreGeometry(QByteArray(base64.b64decode(self.settings.window_geometry)))
            except ValueError:
                log.info("ignoring a damaged saved window position")

    def tab(self, key: str) -> GeneratorTab:
        """The page of generator ``key``, built now if it has not been shown yet."""
        return self.pages.tab(key)

    def show_generator(self, key: str) -> GeneratorTab:
        """Bring ``key``'s page to the front (and its entry in the sidebar)."""
        return self.nav.show(key)

    # ------------------------------------------------------------------ actions

    def current_tab(self) -> GeneratorTab | None:
        return self.pages.current_tab() if self.ready else None

    def submit_current(self) -> None:
        tab = self.current_tab()
        if tab is not None and self.nav.active():
            tab.request_submit()

    def _keep(self, dialog: QWidget) -> None:
        self._dialogs.append(dialog)
        dialog.destroyed.connect(lambda: self._dialogs.remove(dialog)
                                 if dialog in self._dialogs else None)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def open_credentials(self) -> None:
        """The credentials dialog, filled with the key in use — read from the password store
        in a worker thread (a keyring call can take a while; never on the GUI thread)."""
        current = self.session_credentials
        if current is not None:
            self._open_credentials_dialog(current)
            return
        from ui.common.background import run_in_thread

        def loaded(stored: object, _error: Exception | None) -> None:
            self._open_credentials_dialog(stored if isinstance(stored, Credentials) else None)
        run_in_thread(self, self.credential_store.load, loaded,
                      errors=(KeyringUnavailable,), name="keyring read")

    def _open_credentials_dialog(self, current: Credentials | None) -> None:
        from ui.dialogs import CredentialsDialog

        dialog = CredentialsDialog(self.service, self.credential_store,
                                  self.settings.api_base_url, current, self)
        dialog.accepted_credentials.connect(self._credentials_chosen)
        self._keep(dialog)
        dialog.open()

    def _credentials_chosen(self, creds: Credentials, stored: bool) -> None:
        self.session_credentials = None if stored else creds
        self.credentialsReady.emit(creds)

    def remove_credentials(self) -> None:
        from ui.window.account import confirm_remove

        box = confirm_remove(self, self.credential_store, self.statusBar().showMessage,
                             self._credentials_removed)
        self._keep(box)
        box.open()

    def _credentials_removed(self) -> None:
        from ui.service import Mode

        self.session_credentials = None
        if self.service.mode == Mode.LIVE:
            self.disconnectRequested.emit()

    def open_settings(self) -> None:
        from ui.dialogs import SettingsDialog

        dialog = SettingsDialog(self.settings, self.default_output, self)
        dialog.saved.connect(self.save_settings)
        self._keep(dialog)
        dialog.open()

    def save_settings(self, settings: Settings) -> None:
        from ui.service import describe

        try:
            self.settings_store.save(settings)
        except (OSError, ValueError) as exc:
            self.statusBar().showMessage(f"Settings not saved: {describe(exc)}", 10000)
            return
        self._apply_settings(settings)
        for tab in self.generator_tabs.values():
            tab.refresh()

    def _apply_settings(self, settings: Settings) -> None:
        from app.pricing.table import PricingError

        self.settings = settings
        try:
            self.pricing.plan = price_plan(settings)
        except PricingError:
            self.pricing.plan = None
        self.pricing.words_per_minute = settings.words_per_minute
        self.service.auto_download = settings.auto_download
        self.service.budget = budget_limits(settings)
        self.service.name_template = settings.name_template  # (the current jobs' too)
        apply_theme(settings.theme)
        if self.service is not None:  # a new low-balance warning applies to the figure shown
            self._credits_changed(self.service.credits)

    def about(self) -> None:
        from ui.dialogs import about_box

        box = about_box(self)
        self._keep(box)
        box.open()

    def update_prices(self) -> PriceFileImport:
        """File → Update prices…: a newer price file; every open estimate is redone at once."""
        from ui.dialogs import PriceFileImport

        job = PriceFileImport(self.service, self,
                              report=lambda line: self.statusBar().showMessage(line, 15000))
        job.imported.connect(self._prices_changed)
        job.choose()
        return job

    def _prices_changed(self, _info: object) -> None:
        """A price file was imported: every open estimate and the model picker's price
        hints follow at once."""
        from ui.forms.pickers import AssetModelPicker

        for tab in self.generator_tabs.values():
            for picker in tab.findChildren(AssetModelPicker):
                picker.refresh_prices()
            tab.refresh()

    # ------------------------------------------------------------------ jobs

    def preview(self, record: JobRecord) -> PreviewDialog:
        """Open a finished job's result in the player (double-click in the queue); Previous
        and Next step through the finished jobs as the Jobs list shows them."""
        from ui.jobs.preview import PreviewDialog, finished_jobs

        dialog = PreviewDialog(record, self, service=self.service,
                               records=finished_jobs(self.queue))
        self._keep(dialog)
        dialog.show()
        return dialog

    def retry(self, record: JobRecord) -> None:
        """Open the job's tab filled with its inputs: a new job, after a new confirmation."""
        if record.generator not in self._keys:
            return
        tab = self.show_generator(record.generator)
        values = tab.spec.values_from_request(record.request)
        if record.name_tag and isinstance(values.get("name"), str):
            values["name"] = values["name"].removesuffix(f" [{record.name_tag}]")
        tab.form.set_values(values)
        tab.refresh()
        self.statusBar().showMessage("The form holds the failed job's inputs: check them and "
                                     "press Generate to send a new job.", 10000)

    def reuse_settings(self, record: JobRecord) -> None:
        """"Use these settings again": the job's page, its form filled (nothing is sent)."""
        from ui.generator.presets_reuse import fill_with_job

        if record.generator in self._keys:
            fill_with_job(self.show_generator(record.generator), record)

    def use_script(self, record: JobRecord, target: str) -> None:
        """"Use this script": ``target``'s page with the job's text in its script field."""
        from ui.generator.presets_reuse import fill_with_script

        if target in self._keys:
            fill_with_script(self.show_generator(target), record)

    def render_from_queue(self, record: JobRecord) -> None:
        """A ready preview in the Jobs panel: its tab asks to confirm the render's cost (or
        opens the styles to choose one)."""
        if record.generator not in self._keys:
            return
        self.show_generator(record.generator).offer_render(record)

    def _show_job(self, key: str) -> None:
        self.queue_dock.show()
        self.queue.select(key)

    # ------------------------------------------------------------------ service signals

    def _mode_changed(self, mode: str) -> None:
        from ui.service import Mode

        sandbox = mode == Mode.SANDBOX
        self.setWindowTitle(f"{APP_NAME} — SANDBOX (nothing is billed)" if sandbox else APP_NAME)
        self.status_widgets.show_mode(mode)
        self.nav.set_connected(mode != Mode.NONE, self.welcome)
        self.queue_dock.setVisible(mode != Mode.NONE)  # the welcome page has the room
        self.sandbox_action.setEnabled(not sandbox)
        for tab in self.generator_tabs.values():
            tab.refresh()

    def _credits_changed(self, credits: Decimal | None) -> None:
        self.status_widgets.show_credits(credits, self.service.committed,
                                         self.service.budget.low_balance)

    def _committed_changed(self, _committed: Decimal) -> None:
        self._credits_changed(self.service.credits)

    def _credits_failed(self, message: str) -> None:
        self.status_widgets.credits_unknown()
        self.statusBar().showMessage(f"Could not read the credits: {message}", 10000)

    # ------------------------------------------------------------------ spending

    def open_spending(self) -> None:
        from ui.spending import SpendingWindow  # QtCharts: loaded on first use
        if self.spending is None:
            self.spending = SpendingWindow(self.service, self, plan=lambda: self.pricing.plan)
        self.spending.show()
        self.spending.raise_()
        self.spending.activateWindow()

    def open_library(self) -> LibraryWindow:
        from ui.library import LibraryWindow  # loaded on first use
        if self.library is None:
            self.library = LibraryWindow(self.service, self)
        self.library.show()
        self.library.raise_()
        self.library.activateWindow()
        return self.library

    # ------------------------------------------------------------------ drops and batches

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        from ui.window.drops import offer_drop

        if self.ready:
            offer_drop(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        from ui.window.drops import offer_drop

        if self.ready:
            offer_drop(event)

    def drop_target(self) -> str:
        """Where a drop goes: the tab showing if it takes a product page (URL to Video, Links,
        Ad Clone), else the default page target (URL to Video)."""
        from app.generators import default_page_target

        tab = self.current_tab()
        return tab.spec.key if tab is not None and tab.spec.url_field else default_page_target()

    def dropEvent(self, event: QDropEvent) -> None:
        from ui.window.drops import dropped

        text, files = dropped(event.mimeData())
        event.acceptProposedAction()
        self.accept_dropped(text=text, files=files)

    def accept_dropped(self, *, text: str = "", files: Sequence[Path] = ()) -> None:
        """URLs from a drop: one fills the form, several open the batch sheet."""
        from app.batch import BatchError
        from ui.service import Mode
        from ui.window.drops import read_rows

        if self.service.mode == Mode.NONE:
            self.statusBar().showMessage("Connect first (API credentials or the sandbox), then "
                                         "drop the product pages again.", 10000)
            return
        target = self.drop_target()
        try:
            rows, table = read_rows(target, text, files)
        except BatchError as exc:
            self.statusBar().showMessage(f"Not read: {exc}", 10000)
            return
        self.accept_rows(target, rows, table)

    def accept_rows(self, target: str, rows: list[BatchRow], table: Table | None) -> None:
        """Rows read from a drop for ``target``: one fills the form, several open the batch
        sheet (the drop router hands over what it read while the drag was over the window)."""
        if not rows:
            self.statusBar().showMessage("No web address found in what was dropped.", 8000)
            return
        if len(rows) == 1 and table is None:
            self.fill_from_url(target, rows[0])
            return
        self.open_batch(target, rows, table)

    def fill_from_url(self, target: str, row: BatchRow) -> None:
        from app.generators import BY_KEY

        if row.problem:
            self.statusBar().showMessage(f"Not used: {row.url[:80]} — {row.problem}", 12000)
            return
        tab = self.show_generator(target)
        tab.form.set_values(tab.spec.with_page({}, row.url))  # the page, and no Link id
        tab.refresh()
        self.statusBar().showMessage(f"{BY_KEY[target].title}: the product page is filled in; "
                                     f"check the settings and Generate.", 8000)

    def open_batch(self, target: str, rows: list[BatchRow], table: Table | None = None) -> None:
        from ui.batch.sheet import BatchSheet

        initial = self.tab(target).values()
        sheet = BatchSheet(self.service, target, rows, table=table,
                           plan=lambda: self.pricing.plan,
                           concurrency=self.settings.batch_concurrency, initial=initial,
                           parent=self)
        self._keep(sheet)
        self.batch_sheet = sheet
        sheet.show()

    def open_empty_batch(self) -> None:
        """The batch sheet with no rows yet (Import CSV…, or drop on the window)."""
        self.open_batch(self.drop_target(), [])

    def show_welcome_note(self, text: str) -> None:
        self.welcome.note.setText(text)

    # ------------------------------------------------------------------ closing

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.ready and not self.quit_guard.allows_close():  # jobs running: asked first
            event.ignore()
            return
        current = self.current_tab()
        settings = dataclasses.replace(
            self.settings,
            window_geometry=base64.b64encode(bytes(self.saveGeometry().data())).decode(),
            last_tab=current.spec.key if current else self.settings.last_tab)
        try:
            self.settings_store.save(settings)
        except (OSError, ValueError) as exc:
            log.warning("could not save the window layout: %s", exc)
        if self.ready:  # an unfinished form's last change is written now
            from ui.generator.presets import close_memory
            close_memory(self.service)
        super().closeEvent(event)
