"""The main window: welcome page, one tab per generator, status bar, menus and shortcuts."""

from __future__ import annotations

import base64
import dataclasses
import logging
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QSystemTrayIcon,
    QTabWidget,
    QToolButton,
    QWidget,
)

from app import APP_NAME, __version__
from app.batch import (
    BatchError,
    BatchRow,
    Table,
    load_file,
    rows_from_text,
    rows_from_urls,
)
from app.credentials import Credentials, CredentialStore, KeyringUnavailable
from app.generators import BY_KEY, SPECS, default_page_target
from app.generators.quote import format_credits
from app.jobs.budget import credits as credits_figure
from app.jobs.ledger import JobRecord, JobState
from app.pricing import PricingError, load_price_table
from app.settings import Settings, SettingsStore, budget_limits, price_plan
from ui.batch.sheet import BatchSheet
from ui.common.theme import apply_theme
from ui.dialogs import CredentialsDialog, SettingsDialog
from ui.generator.flows import PriceSettings
from ui.generator.tab import GeneratorTab
from ui.jobs.model import preview_ready
from ui.jobs.panel import QueuePanel
from ui.jobs.preview import PreviewDialog
from ui.service import DEFAULT_BASE_URL, Mode, StudioService, describe
from ui.window.welcome import HELP_LINKS, WelcomePage

log = logging.getLogger(__name__)

class MainWindow(QMainWindow):
    """Everything the user sees. Talks to the core only through ``service``."""

    credentialsReady = Signal(object)  # Credentials chosen in the dialog (to connect with)
    sandboxRequested = Signal()
    disconnectRequested = Signal()

    def __init__(self, service: StudioService, settings_store: SettingsStore,
                 settings: Settings, credential_store: CredentialStore,
                 default_output: str) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.service = service
        self.settings_store = settings_store
        self.settings = settings
        self.credential_store = credential_store
        self.default_output = default_output
        self.session_credentials: Credentials | None = None
        self._dialogs: list[QWidget] = []
        self.spending: QWidget | None = None
        self.batch_sheet: BatchSheet | None = None
        self.setAcceptDrops(True)
        self.pricing = PriceSettings()
        self._apply_settings(settings)
        self.setWindowTitle(APP_NAME)
        self.resize(1180, 760)

        self.welcome = WelcomePage(self.open_credentials, self.sandboxRequested.emit)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("generator_tabs")
        self.tabs.setAccessibleName("Generators")
        self.tabs.setDocumentMode(True)
        self.tabs.setUsesScrollButtons(True)
        # Tabs are built when first shown (16 forms cost ~0.2 s): a placeholder until then.
        self.generator_tabs: dict[str, GeneratorTab] = {}
        self._keys = [spec.key for spec in SPECS]
        for spec in SPECS:
            title = spec.title + (" (deprecated)" if spec.deprecated else "")
            index = self.tabs.addTab(QWidget(), title)
            tip = spec.description + (" — Deprecated by Creatify." if spec.deprecated else "")
            self.tabs.setTabToolTip(index, tip)
        self.tabs.currentChanged.connect(self._build_tab)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.tabs)
        self.setCentralWidget(self.stack)

        self.queue = QueuePanel(service)
        self.queue_dock = QDockWidget("Jobs", self)
        self.queue_dock.setObjectName("queue_dock")
        self.queue_dock.setWidget(self.queue)
        self.queue_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                                    | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.queue_dock)
        self.queue.previewRequested.connect(self.preview)
        self.queue.retryRequested.connect(self.retry)
        self.queue.renderRequested.connect(self.render_from_queue)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(self.windowIcon(), self)
            self.tray.setObjectName("tray")
            self.tray.messageClicked.connect(self._notification_clicked)
            self.tray.show()
        self._notified: set[str] = set()
        self._last_notified: str | None = None
        service.jobChanged.connect(self._notify)

        self._build_status_bar()
        self._build_menus()
        self._build_shortcuts()
        self._restore_layout()

        service.modeChanged.connect(self._mode_changed)
        service.creditsChanged.connect(self._credits_changed)
        service.committedChanged.connect(self._committed_changed)
        service.creditsFailed.connect(self._credits_failed)
        service.errorRaised.connect(lambda message: self.statusBar().showMessage(message, 10000))
        self._mode_changed(service.mode)

    # ------------------------------------------------------------------ building

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.mode_badge = QLabel("")
        self.mode_badge.setObjectName("mode_badge")
        self.mode_badge.setAccessibleName("Connection mode")
        self.credits_label = QLabel("Credits: —")
        self.credits_label.setObjectName("credits_label")
        self.credits_label.setAccessibleName("Remaining credits")
        self.refresh_button = QToolButton()
        self.refresh_button.setText("⟳")
        self.refresh_button.setObjectName("refresh_credits")
        self.refresh_button.setAccessibleName("Refresh credits")
        self.refresh_button.setToolTip("Refresh the remaining credits (F5)")
        self.refresh_button.clicked.connect(self.service.refresh_credits)
        bar.addPermanentWidget(self.mode_badge)
        bar.addPermanentWidget(self.credits_label)
        bar.addPermanentWidget(self.refresh_button)

    def _action(self, text: str, name: str, slot: Callable[[], object],
                shortcut: QKeySequence | str | None = None) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        file_menu.setObjectName("menu_file")
        self.credentials_action = self._action("API &credentials…", "action_credentials",
                                               self.open_credentials)
        self.remove_action = self._action("&Remove stored credentials",
                                          "action_remove_credentials",
                                          self.remove_credentials)
        self.sandbox_action = self._action("Try the &sandbox", "action_sandbox",
                                           self.sandboxRequested.emit)
        self.settings_action = self._action("&Settings…", "action_settings",
                                            self.open_settings, "Ctrl+,")
        quit_action = self._action("&Quit", "action_quit", self.close, "Ctrl+Q")
        for action in (self.credentials_action, self.remove_action, self.sandbox_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu("&View")
        view_menu.setObjectName("menu_view")
        self.spending_action = self._action("&Spending…", "action_spending",
                                            self.open_spending, "Ctrl+Shift+S")
        self.batch_action = self._action("&Batch of URLs…", "action_batch",
                                         self.open_empty_batch, "Ctrl+Shift+B")
        view_menu.addAction(self.spending_action)
        view_menu.addAction(self.batch_action)

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.setObjectName("menu_help")
        for number, (label, url) in enumerate(HELP_LINKS):
            help_menu.addAction(self._action(label, f"action_help_{number}",
                                             partial(QDesktopServices.openUrl, QUrl(url))))
        help_menu.addSeparator()
        help_menu.addAction(self._action(f"&About {APP_NAME}", "action_about", self.about))

    def _build_shortcuts(self) -> None:
        for sequence in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.activated.connect(self.submit_current)
        for number in range(1, 10):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
            shortcut.activated.connect(lambda index=number - 1: self.show_tab(index))
        refresh = QShortcut(QKeySequence("F5"), self)
        refresh.activated.connect(self.service.refresh_credits)

    def _restore_layout(self) -> None:
        if self.settings.window_geometry:
            try:
                self.restoreGeometry(QByteArray(base64.b64decode(self.settings.window_geometry)))
            except ValueError:
                log.info("ignoring a damaged saved window position")
        if self.settings.last_tab in self._keys:
            self.tabs.setCurrentIndex(self._keys.index(self.settings.last_tab))
        self._build_tab(self.tabs.currentIndex())

    def tab(self, key: str) -> GeneratorTab:
        """The tab of generator ``key``, built now if it has not been shown yet."""
        if key not in self.generator_tabs:
            spec = SPECS[self._keys.index(key)]
            tab = GeneratorTab(spec, self.service, self.pricing)
            self.generator_tabs[key] = tab
            index = self._keys.index(key)
            current = self.tabs.currentIndex()
            title, tip = self.tabs.tabText(index), self.tabs.tabToolTip(index)
            self.tabs.blockSignals(True)
            placeholder = self.tabs.widget(index)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, tab, title)
            self.tabs.setTabToolTip(index, tip)
            self.tabs.setCurrentIndex(current)
            self.tabs.blockSignals(False)
            if placeholder is not None:
                placeholder.deleteLater()
        return self.generator_tabs[key]

    def show_generator(self, key: str) -> GeneratorTab:
        tab = self.tab(key)
        self.tabs.setCurrentWidget(tab)
        return tab

    def _build_tab(self, index: int) -> None:
        if 0 <= index < len(self._keys):
            self.tab(self._keys[index])

    # ------------------------------------------------------------------ actions

    def current_tab(self) -> GeneratorTab | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, GeneratorTab) else None

    def submit_current(self) -> None:
        tab = self.current_tab()
        if tab is not None and self.stack.currentWidget() is self.tabs:
            tab.request_submit()

    def show_tab(self, index: int) -> None:
        if 0 <= index < self.tabs.count() and self.stack.currentWidget() is self.tabs:
            self.tabs.setCurrentIndex(index)

    def _keep(self, dialog: QWidget) -> None:
        self._dialogs.append(dialog)
        dialog.destroyed.connect(lambda: self._dialogs.remove(dialog)
                                 if dialog in self._dialogs else None)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def open_credentials(self) -> None:
        base_url = self.settings.api_base_url or DEFAULT_BASE_URL
        current = self.session_credentials
        if current is None:
            try:
                current = self.credential_store.load()
            except KeyringUnavailable:
                current = None
        dialog = CredentialsDialog(self.service, self.credential_store, base_url, current, self)
        dialog.accepted_credentials.connect(self._credentials_chosen)
        self._keep(dialog)
        dialog.open()

    def _credentials_chosen(self, creds: Credentials, stored: bool) -> None:
        self.session_credentials = None if stored else creds
        self.credentialsReady.emit(creds)

    def remove_credentials(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Remove credentials",
                          "Remove the Creatify API credentials from the system keyring?",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                          self)
        box.setObjectName("confirm_remove_credentials")

        def done(result: int) -> None:
            if result != QMessageBox.StandardButton.Yes:
                return
            try:
                self.credential_store.delete()
            except KeyringUnavailable as exc:
                self.statusBar().showMessage(str(exc), 10000)
                return
            self.session_credentials = None
            if self.service.mode == Mode.LIVE:
                self.disconnectRequested.emit()
            self.statusBar().showMessage("Credentials removed.", 5000)
        box.finished.connect(done)
        self._keep(box)
        box.open()

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self.default_output, self)
        dialog.saved.connect(self.save_settings)
        self._keep(dialog)
        dialog.open()

    def save_settings(self, settings: Settings) -> None:
        try:
            self.settings_store.save(settings)
        except (OSError, ValueError) as exc:
            self.statusBar().showMessage(f"Settings not saved: {describe(exc)}", 10000)
            return
        self._apply_settings(settings)
        for tab in self.generator_tabs.values():
            tab.refresh()

    def _apply_settings(self, settings: Settings) -> None:
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

    def about(self) -> None:
        table = load_price_table()
        box = QMessageBox(QMessageBox.Icon.Information, f"About {APP_NAME}",
                          f"<b>{APP_NAME}</b> {__version__}<br>A desktop studio for the Creatify "
                          f"API.<br><br>Prices as of {table.as_of:%d %B %Y} "
                          f"(<a href='{table.source}'>billing page</a>).", parent=self)
        box.setObjectName("about_box")
        self._keep(box)
        box.open()

    # ------------------------------------------------------------------ jobs

    def preview(self, record: JobRecord) -> PreviewDialog:
        """Open a finished job's result in the player (double-click in the queue)."""
        dialog = PreviewDialog(record, self)
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

    def render_from_queue(self, record: JobRecord) -> None:
        """A ready preview in the Jobs panel: its tab asks to confirm the render's cost (or
        opens the styles to choose one)."""
        if record.generator not in self._keys:
            return
        self.show_generator(record.generator).offer_render(record)

    def _notify(self, record: JobRecord) -> None:
        """Done / failed / queue drained, each with its own setting."""
        ready = preview_ready(record)
        if not (record.state.is_terminal or ready) or record.key in self._notified:
            return
        self._notified.add(record.key)
        ok = ready or record.state in (JobState.DONE, JobState.IMAGE_DONE)
        wanted = self.settings.notify_done if ok else self.settings.notify_failed
        if record.state is JobState.NOT_CREATED or not wanted:
            message = None
        elif ready:
            message = f"The preview of {record.title} is ready: render it when you like it."
        elif ok:
            message = f"{record.title} is ready."
        else:
            message = f"{record.title} {record.state.value}: {record.failed_reason or ''}"
        drained = self.service.all_finished()
        if message is None and drained and self.settings.notify_drained:
            message = "All jobs have finished."
        if message is None:
            return
        self._last_notified = record.key
        if self.tray is not None:
            icon = QSystemTrayIcon.MessageIcon.Information if ok \
                else QSystemTrayIcon.MessageIcon.Warning
            self.tray.showMessage(APP_NAME, message, icon, 8000)
        self.statusBar().showMessage(message, 8000)

    def _notification_clicked(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()
        if self._last_notified:
            self.queue_dock.show()
            self.queue.select(self._last_notified)

    # ------------------------------------------------------------------ service signals

    def _mode_changed(self, mode: str) -> None:
        sandbox = mode == Mode.SANDBOX
        self.setWindowTitle(f"{APP_NAME} — SANDBOX (nothing is billed)" if sandbox else APP_NAME)
        self.mode_badge.setText(" SANDBOX " if sandbox else (" LIVE " if mode == Mode.LIVE
                                                              else " offline "))
        self.mode_badge.setStyleSheet(
            "background: #f59e0b; color: black; font-weight: 700; border-radius: 3px;"
            if sandbox else "")
        self.stack.setCurrentWidget(self.tabs if mode != Mode.NONE else self.welcome)
        self.sandbox_action.setEnabled(not sandbox)
        if mode == Mode.NONE:
            self.credits_label.setText("Credits: —")
        for tab in self.generator_tabs.values():
            tab.refresh()

    def _credits_changed(self, credits: Decimal | None) -> None:
        """"Credits: 480 remaining / 25 committed in flight", amber below the threshold."""
        if credits is None:
            self.credits_label.setText("Credits: —")
            self.credits_label.setStyleSheet("")
            return
        committed = self.service.committed
        self.credits_label.setText(f"Credits: {format_credits(credits)} remaining / "
                                   f"{credits_figure(committed)} committed in flight")
        low = self.service.budget.low_balance
        below = low is not None and credits - committed < low
        self.credits_label.setStyleSheet("color: #b45309; font-weight: 600;" if below else "")
        self.credits_label.setToolTip(
            f"Below your low-balance threshold of {format_credits(low)}: paid jobs that would "
            f"go lower are refused." if below and low is not None else
            "Remaining credits (read from Creatify) and the estimates of jobs still running.")

    def _committed_changed(self, _committed: Decimal) -> None:
        self._credits_changed(self.service.credits)

    def _credits_failed(self, message: str) -> None:
        self.credits_label.setText("Credits: ?")
        self.statusBar().showMessage(f"Could not read the credits: {message}", 10000)

    # ------------------------------------------------------------------ spending

    def open_spending(self) -> None:
        from ui.spending import SpendingWindow  # QtCharts: loaded on first use
        if self.spending is None:
            self.spending = SpendingWindow(self.service, self, plan=lambda: self.pricing.plan)
        self.spending.show()
        self.spending.raise_()
        self.spending.activateWindow()

    # ------------------------------------------------------------------ drops and batches

    @staticmethod
    def _offer_drop(event: QDragMoveEvent) -> None:
        """Take links, text and files (what they hold is checked on drop)."""
        mime = event.mimeData()
        if mime.hasUrls() or mime.hasText():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._offer_drop(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._offer_drop(event)

    def drop_target(self) -> str:
        """Where a drop goes: the tab showing if it takes a product page (URL to Video, Links,
        Ad Clone), else the default page target (URL to Video)."""
        tab = self.current_tab()
        return tab.spec.key if tab is not None and tab.spec.url_field else default_page_target()

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        files: list[Path] = []
        text_parts: list[str] = []
        if mime.hasUrls():
            for url in mime.urls():
                local = url.toLocalFile() if url.isLocalFile() else ""
                if local and Path(local).suffix.lower() in (".txt", ".csv", ".tsv"):
                    files.append(Path(local))
                else:
                    text_parts.append(url.toString())
        elif mime.hasText():
            text_parts.append(mime.text())
        event.acceptProposedAction()
        self.accept_dropped(text="\n".join(text_parts), files=files)

    def accept_dropped(self, *, text: str = "", files: Sequence[Path] = ()) -> None:
        """URLs from a drop: one fills the form, several open the batch sheet."""
        if self.service.mode == Mode.NONE:
            self.statusBar().showMessage("Connect first (API credentials or the sandbox), then "
                                         "drop the product pages again.", 10000)
            return
        target = self.drop_target()
        rows: list[BatchRow] = []
        table: Table | None = None
        try:
            for path in files:
                more, table = load_file(path, target)
                rows.extend(more)
            if text.strip():
                rows.extend(rows_from_text(text))
        except BatchError as exc:
            self.statusBar().showMessage(f"Not read: {exc}", 10000)
            return
        if len(files) > 1 or (files and text.strip()):
            table = None  # several sources: one list of URLs, no single column mapping
            rows = rows_from_urls([(r.url, r.where) for r in rows],
                                  [r.overrides for r in rows])
        if not rows:
            self.statusBar().showMessage("No web address found in what was dropped.", 8000)
            return
        if len(rows) == 1 and table is None:
            self.fill_from_url(target, rows[0])
            return
        self.open_batch(target, rows, table)

    def fill_from_url(self, target: str, row: BatchRow) -> None:
        if row.problem:
            self.statusBar().showMessage(f"Not used: {row.url[:80]} — {row.problem}", 12000)
            return
        tab = self.show_generator(target)
        tab.form.set_values(tab.spec.with_page({}, row.url))  # the page, and no Link id
        tab.refresh()
        self.statusBar().showMessage(f"{BY_KEY[target].title}: the product page is filled in; "
                                     f"check the settings and Generate.", 8000)

    def open_batch(self, target: str, rows: list[BatchRow], table: Table | None = None) -> None:
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
        current = self.current_tab()
        settings = dataclasses.replace(
            self.settings,
            window_geometry=base64.b64encode(bytes(self.saveGeometry().data())).decode(),
            last_tab=current.spec.key if current else self.settings.last_tab)
        try:
            self.settings_store.save(settings)
        except (OSError, ValueError) as exc:
            log.warning("could not save the window layout: %s", exc)
        super().closeEvent(event)
