"""Credentials and settings dialogs (opened with ``open()``: never a nested event loop)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.credentials import Credentials, CredentialStore, KeyringUnavailable
from app.settings import LABELS, MAX_BATCH_CONCURRENCY, Settings, validate
from ui.service import DEFAULT_BASE_URL, StudioService


def ask_to_send(parent: QWidget, *, name: str, title: str, question: str, details: str,
                send_text: str, send_name: str, on_send: Callable[[], None],
                send_is_default: bool = True) -> QMessageBox:
    """The confirmation before anything paid is sent: opened with ``open()`` (no nested
    loop); ``on_send`` runs only if the user chose the send button."""
    box = QMessageBox(QMessageBox.Icon.Question, title, question,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                      parent)
    box.setObjectName(name)
    box.setInformativeText(details)
    box.setDefaultButton(QMessageBox.StandardButton.Yes if send_is_default
                         else QMessageBox.StandardButton.Cancel)
    send = box.button(QMessageBox.StandardButton.Yes)
    send.setText(send_text)
    send.setObjectName(send_name)

    def done(result: int) -> None:
        if result == QMessageBox.StandardButton.Yes:
            on_send()
    box.finished.connect(done)
    box.open()
    return box


def _named(widget: QWidget, name: str, accessible: str) -> QWidget:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


class CredentialsDialog(QDialog):
    """Enter X-API-ID and X-API-KEY, test them, keep them in the OS keyring.

    ``accepted_credentials(creds, stored)`` fires when the user saves: ``stored`` is False when
    they chose "use for this session only" (no secure keyring, or by choice).
    """

    accepted_credentials = Signal(object, bool)

    def __init__(self, service: StudioService, store: CredentialStore, base_url: str,
                 current: Credentials | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Creatify API credentials")
        self.setObjectName("credentials_dialog")
        self.service = service
        self.store = store
        self.base_url = base_url or DEFAULT_BASE_URL
        self.api_id = QLineEdit(current.api_id if current else "")
        _named(self.api_id, "api_id", "X-API-ID")
        self.api_id.setPlaceholderText("X-API-ID from Creatify's API settings")
        self.api_key = QLineEdit(current.api_key if current else "")
        _named(self.api_key, "api_key", "X-API-KEY")
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText("X-API-KEY")
        self.show_key = QAction("Show", self)
        self.show_key.setCheckable(True)
        self.show_key.toggled.connect(self._toggle_key)
        self.api_key.addAction(self.show_key, QLineEdit.ActionPosition.TrailingPosition)
        self.show_button = QPushButton("Show")
        _named(self.show_button, "show_key", "Show or hide the key")
        self.show_button.setCheckable(True)
        self.show_button.toggled.connect(self.show_key.setChecked)

        self.test_button = QPushButton("Test connection")
        _named(self.test_button, "test_connection", "Test connection")
        self.test_button.clicked.connect(self._test)
        self.test_result = QLabel("")
        _named(self.test_result, "connection_result", "Connection test result")
        self.test_result.setWordWrap(True)

        secure = store.is_secure()
        self.keyring_note = QLabel(
            "" if secure else
            "<b>No secure password store is available</b>, so the credentials cannot be "
            "saved. Creatify Studio never writes them to a file.<br>" + _fix_text(store))
        _named(self.keyring_note, "keyring_note", "Password store problem")
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setVisible(not secure)

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Save to keyring",
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        _named(self.save_button, "save_credentials", "Save to keyring")
        self.save_button.setVisible(secure)
        self.session_button = self.buttons.addButton("Use for this session only",
                                                     QDialogButtonBox.ButtonRole.ActionRole)
        _named(self.session_button, "session_only", "Use for this session only")
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        _named(cancel, "cancel_credentials", "Cancel")
        self.save_button.clicked.connect(lambda: self._finish(store_it=True))
        self.session_button.clicked.connect(lambda: self._finish(store_it=False))
        cancel.clicked.connect(self.reject)

        form = QFormLayout()
        form.addRow("X-API-ID", self.api_id)
        key_row = QHBoxLayout()
        key_row.addWidget(self.api_key, 1)
        key_row.addWidget(self.show_button)
        form.addRow("X-API-KEY", key_row)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Find both in Creatify: Settings → API. They are kept in your "
                                "system's keyring, never in a file."))
        layout.addLayout(form)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        layout.addLayout(test_row)
        layout.addWidget(self.keyring_note)
        layout.addWidget(self.buttons)
        service.connectionTested.connect(self._tested)
        self.api_id.textChanged.connect(self._edited)
        self.api_key.textChanged.connect(self._edited)
        self._edited()

    def _toggle_key(self, shown: bool) -> None:
        self.api_key.setEchoMode(QLineEdit.EchoMode.Normal if shown
                                 else QLineEdit.EchoMode.Password)
        self.show_button.setText("Hide" if shown else "Show")
        self.show_button.setChecked(shown)

    def credentials(self) -> Credentials | None:
        try:
            return Credentials(self.api_id.text(), self.api_key.text())
        except ValueError:
            return None

    def _edited(self) -> None:
        ok = self.credentials() is not None
        for button in (self.test_button, self.save_button, self.session_button):
            button.setEnabled(ok)
        if not ok and (self.api_id.text() or self.api_key.text()):
            try:
                Credentials(self.api_id.text(), self.api_key.text())
            except ValueError as exc:
                self.test_result.setText(str(exc))
        else:
            self.test_result.setText("")

    def _test(self) -> None:
        creds = self.credentials()
        if creds is None:
            return
        self.test_result.setText("Testing…")
        self.test_button.setEnabled(False)
        self.service.test_connection(creds, self.base_url)

    def _tested(self, ok: bool, message: str) -> None:
        self.test_button.setEnabled(True)
        colour = "#15803d" if ok else "#b91c1c"
        self.test_result.setText(f"<span style='color:{colour}'>{message}</span>")

    def _finish(self, *, store_it: bool) -> None:
        creds = self.credentials()
        if creds is None:
            return
        if store_it:
            try:
                self.store.save(creds)
            except KeyringUnavailable as exc:
                self.keyring_note.setText(f"<b>Could not save:</b> {exc}")
                self.keyring_note.setVisible(True)
                self.save_button.setVisible(False)
                return
        self.accepted_credentials.emit(creds, store_it)
        self.accept()


def _fix_text(store: CredentialStore) -> str:
    try:
        store.load()
    except KeyringUnavailable as exc:
        return str(exc)
    return ""


class SettingsDialog(QDialog):
    """Plan, words per minute, output folder, theme, downloads."""

    saved = Signal(object)  # Settings

    def __init__(self, settings: Settings, default_output: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setObjectName("settings_dialog")
        self.settings = settings
        self.plan = QComboBox()
        _named(self.plan, "setting_plan", "Plan")
        for key, label in (("api_starter", "API Starter — $99 / 500 credits"),
                           ("api_pro", "API Pro — $299 / 2,000 credits"),
                           ("enterprise", "Enterprise — my own rate")):
            self.plan.addItem(label, key)
        self.plan.setCurrentIndex(max(0, self.plan.findData(settings.plan)))
        self.rate = QLineEdit(settings.enterprise_rate)
        _named(self.rate, "setting_enterprise_rate", "Enterprise price per credit in dollars")
        self.rate.setPlaceholderText("e.g. 0.12 dollars per credit")
        self.wpm = QSpinBox()
        _named(self.wpm, "setting_wpm", "Words per minute")
        self.wpm.setRange(60, 300)
        self.wpm.setValue(settings.words_per_minute)
        self.wpm.setSuffix(" words/min")
        self.output = QLineEdit(settings.output_dir)
        _named(self.output, "setting_output_dir", "Output folder")
        self.output.setPlaceholderText(default_output)
        browse = QPushButton("Choose…")
        _named(browse, "setting_output_browse", "Choose the output folder")
        browse.clicked.connect(self._browse)
        self.theme = QComboBox()
        _named(self.theme, "setting_theme", "Theme")
        for key in ("system", "light", "dark"):
            self.theme.addItem(key.capitalize(), key)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))
        self.auto_download = QCheckBox("Download results when a job finishes")
        _named(self.auto_download, "setting_auto_download", "Download results automatically")
        self.auto_download.setChecked(settings.auto_download)
        self.template = QLineEdit(settings.name_template)
        _named(self.template, "setting_name_template", "File name template")
        self.template.setToolTip("Placeholders: {generator} {title} {date} {time} {short_id} "
                                 "{job_id}")
        self.notify_done = QCheckBox("When a job is done")
        _named(self.notify_done, "setting_notify_done", "Notify when a job is done")
        self.notify_done.setChecked(settings.notify_done)
        self.notify_failed = QCheckBox("When a job fails")
        _named(self.notify_failed, "setting_notify_failed", "Notify when a job fails")
        self.notify_failed.setChecked(settings.notify_failed)
        self.notify_drained = QCheckBox("When every job has finished")
        _named(self.notify_drained, "setting_notify_drained", "Notify when the queue drains")
        self.notify_drained.setChecked(settings.notify_drained)
        self.budget: dict[str, QLineEdit] = {}
        for name, hint in (("budget_per_job", "e.g. 50"), ("budget_daily", "e.g. 200"),
                           ("budget_monthly", "e.g. 2000"), ("budget_low_balance", "e.g. 100")):
            edit = QLineEdit(getattr(settings, name))
            edit.setPlaceholderText(f"no limit ({hint})")
            _named(edit, f"setting_{name}", LABELS[name])
            self.budget[name] = edit
        self.batch_concurrency = QSpinBox()
        self.batch_concurrency.setRange(1, MAX_BATCH_CONCURRENCY)
        self.batch_concurrency.setValue(settings.batch_concurrency)
        _named(self.batch_concurrency, "setting_batch_concurrency", LABELS["batch_concurrency"])
        self.problem = QLabel("")
        _named(self.problem, "settings_problem", "Settings problem")
        self.problem.setStyleSheet("color: #b91c1c;")
        self.problem.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Plan", self.plan)
        form.addRow("Enterprise rate ($/credit)", self.rate)
        form.addRow("Speaking rate", self.wpm)
        out_row = QHBoxLayout()
        out_row.addWidget(self.output, 1)
        out_row.addWidget(browse)
        form.addRow("Output folder", out_row)
        form.addRow("Theme", self.theme)
        form.addRow("", self.auto_download)
        form.addRow("File names", self.template)
        notify = QVBoxLayout()
        for box in (self.notify_done, self.notify_failed, self.notify_drained):
            notify.addWidget(box)
        form.addRow("Notify me", notify)
        budget_note = QLabel("Budget guard, in credits (empty: no limit). Every paid request "
                             "is checked against your balance and these first.")
        budget_note.setWordWrap(True)
        form.addRow(budget_note)
        form.addRow("Per-job ceiling", self.budget["budget_per_job"])
        form.addRow("Daily cap", self.budget["budget_daily"])
        form.addRow("Monthly cap", self.budget["budget_monthly"])
        form.addRow("Low-balance threshold", self.budget["budget_low_balance"])
        form.addRow("Batch jobs at once", self.batch_concurrency)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        _named(buttons.button(QDialogButtonBox.StandardButton.Save), "settings_save", "Save")
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.plan.currentIndexChanged.connect(self._plan_changed)
        self._plan_changed()

    def _plan_changed(self) -> None:
        self.rate.setEnabled(self.plan.currentData() == "enterprise")

    def _browse(self) -> None:
        dialog = QFileDialog(self, "Output folder", self.output.text())
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.fileSelected.connect(self.output.setText)
        dialog.open()

    def edited(self) -> Settings:
        from dataclasses import replace
        return replace(self.settings, plan=self.plan.currentData(),
                       enterprise_rate=self.rate.text().strip(),
                       words_per_minute=self.wpm.value(), output_dir=self.output.text().strip(),
                       theme=self.theme.currentData(),
                       auto_download=self.auto_download.isChecked(),
                       name_template=self.template.text().strip(),
                       notify_done=self.notify_done.isChecked(),
                       notify_failed=self.notify_failed.isChecked(),
                       notify_drained=self.notify_drained.isChecked(),
                       batch_concurrency=self.batch_concurrency.value(),
                       **{name: edit.text().strip() for name, edit in self.budget.items()})

    def _save(self) -> None:
        settings = self.edited()
        problems = validate(settings)
        if problems:
            self.problem.setText("\n".join(problems.values()))
            return
        self.saved.emit(settings)
        self.accept()
