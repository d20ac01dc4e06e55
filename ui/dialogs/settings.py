"""The settings dialog (opened with ``open()``: never a nested event loop).

The theme is tried at once when chosen (the whole window follows); Cancel goes back to the
theme in force when the dialog opened, Save keeps it. The Storage page sets where local files
are uploaded; its access keys go to the system keyring (through the window's
:class:`ui.uploads.UploadService`), never to the settings file."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Signal
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
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.settings import LABELS, MAX_BATCH_CONCURRENCY, Settings, validate
from app.uploads import StorageConfig, StorageKeys, UploadError, storage_config
from ui.common.theme import ERROR, MUTED, OK, THEME_NAMES, apply_theme, set_tone
from ui.common.widgets import named
from ui.uploads import UploadService

PROVIDERS = ("Amazon S3: leave the endpoint empty. Cloudflare R2: "
             "https://<account id>.r2.cloudflarestorage.com, region auto. MinIO or another "
             "server: its address, with path-style addresses.")


class StoragePage(QWidget):
    """Where local files are uploaded: the bucket's settings, its keys (keyring) and a test."""

    def __init__(self, settings: Settings, uploads: UploadService | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settings_storage")
        self.uploads = uploads
        self.saved_keys: StorageKeys | None = None

        def line(name: str, value: str, hint: str) -> QLineEdit:
            edit = named(QLineEdit(value), f"setting_{name}", LABELS[name])
            edit.setPlaceholderText(hint)
            return edit
        self.endpoint = line("storage_endpoint", settings.storage_endpoint,
                             "empty: Amazon S3 — or https://…")
        self.bucket = line("storage_bucket", settings.storage_bucket, "e.g. my-creatify-files")
        self.region = line("storage_region", settings.storage_region, "us-east-1")
        self.folder = line("storage_folder", settings.storage_folder, "empty: the bucket's top")
        self.links = named(QComboBox(), "setting_storage_links", LABELS["storage_links"])
        self.links.addItem("Signed links that expire (the bucket stays private)", "presigned")
        self.links.addItem("Public links (the bucket, or a CDN, is readable by anyone)",
                           "public")
        self.links.setCurrentIndex(max(0, self.links.findData(settings.storage_links)))
        self.public_url = line("storage_public_url", settings.storage_public_url,
                               "https://pub-….r2.dev or your CDN")
        self.hours = named(QSpinBox(), "setting_storage_link_hours", LABELS["storage_link_seconds"])
        self.hours.setRange(1, 168)
        self.hours.setSuffix(" hours")
        self.hours.setValue(max(1, settings.storage_link_seconds // 3600))
        self.hours.setToolTip("168 hours (7 days) is the longest a signed link may live; a "
                              "queued job may reach the file hours after it is sent.")
        self.path_style = named(QCheckBox("Path-style addresses (MinIO and most self-hosted "
                                          "servers)"), "setting_storage_path_style",
                                LABELS["storage_path_style"])
        self.path_style.setChecked(settings.storage_path_style)
        self.key_id = named(QLineEdit(), "setting_storage_key_id", "Access key ID")
        self.secret = named(QLineEdit(), "setting_storage_secret", "Secret access key")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_note = QLabel("The keys are kept in your system's password store, never in "
                               "the settings file.")
        self.test_button = named(QPushButton("Test storage"), "settings_storage_test",
                                 "Test the storage settings")
        self.test_button.clicked.connect(self.test)
        self.outcome = named(QLabel(""), "settings_storage_outcome", "Storage test outcome")
        for label in (self.key_note, self.outcome):
            label.setWordWrap(True)
        set_tone(self.key_note, MUTED)
        providers = QLabel(PROVIDERS)
        providers.setWordWrap(True)
        set_tone(providers, MUTED)
        intro = QLabel("Local files you choose or drop on a form are uploaded to your own "
                       "bucket, and Creatify is sent their link.")
        intro.setWordWrap(True)

        form = QFormLayout(self)
        form.addRow(intro)
        form.addRow("Endpoint", self.endpoint)
        form.addRow(providers)
        form.addRow("Bucket", self.bucket)
        form.addRow("Region", self.region)
        form.addRow("Folder", self.folder)
        form.addRow("Links", self.links)
        form.addRow("Public address", self.public_url)
        form.addRow("Link lifetime", self.hours)
        form.addRow("", self.path_style)
        form.addRow("Access key ID", self.key_id)
        form.addRow("Secret access key", self.secret)
        form.addRow(self.key_note)
        form.addRow(self.test_button, self.outcome)
        self.links.currentIndexChanged.connect(self._links_changed)
        self._links_changed()
        if uploads is None:
            for widget in (self.key_id, self.secret, self.test_button):
                widget.setEnabled(False)
            self.key_note.setText("The keys can be entered once the window has started.")
        else:
            uploads.spawn(self._load_keys(uploads), "read storage keys")

    async def _load_keys(self, uploads: UploadService) -> None:
        try:
            keys = await uploads.keys()
        except UploadError as exc:
            self.key_note.setText(exc.message)
            set_tone(self.key_note, ERROR)
            return
        self.saved_keys = keys
        if keys is not None and not self.key_id.text():
            self.key_id.setText(keys.access_key_id)
            self.secret.setPlaceholderText("saved — type a new one to replace it")

    def _links_changed(self) -> None:
        public = self.links.currentData() == "public"
        self.public_url.setEnabled(public)
        self.hours.setEnabled(not public)

    def values(self) -> dict[str, Any]:
        return {"storage_endpoint": self.endpoint.text().strip(),
                "storage_bucket": self.bucket.text().strip(),
                "storage_region": self.region.text().strip(),
                "storage_folder": self.folder.text().strip(),
                "storage_links": self.links.currentData(),
                "storage_public_url": self.public_url.text().strip(),
                "storage_link_seconds": self.hours.value() * 3600,
                "storage_path_style": self.path_style.isChecked()}

    def edited_keys(self) -> tuple[bool, StorageKeys | None]:
        """(changed?, the keys to keep). Raises ``ValueError`` for a half-entered pair."""
        key_id, secret = self.key_id.text().strip(), self.secret.text().strip()
        saved = self.saved_keys
        if not key_id and not secret:
            return saved is not None, None
        if not secret and saved is not None and key_id == saved.access_key_id:
            return False, saved
        if not secret:
            raise ValueError("Secret access key: enter it with the access key ID.")
        keys = StorageKeys(key_id, secret)
        return keys != saved, keys

    def test(self) -> None:
        """Write, read and delete a tiny object with the settings as they stand (not saved)."""
        uploads = self.uploads
        if uploads is None:
            return
        try:
            config = storage_config(replace(Settings(), **self.values()))
            _changed, keys = self.edited_keys()
        except ValueError as exc:
            self.say(str(exc), ERROR)
            return
        if config is None:
            self.say("Enter the bucket's name first.", ERROR)
            return
        if keys is None:
            self.say("Enter the access key ID and secret access key first.", ERROR)
            return
        self.test_button.setEnabled(False)
        self.say(f"Testing {config.bucket}…", MUTED)
        uploads.spawn(self._test(config, keys), "test storage")

    async def _test(self, config: StorageConfig, keys: StorageKeys) -> None:
        try:
            await UploadService.check(config, keys)
        except UploadError as exc:
            self.say(exc.message, ERROR)
        else:
            self.say(f"Storage works: a test file was written to “{config.bucket}”, read back "
                     "and deleted.", OK)
        finally:
            self.test_button.setEnabled(True)

    def say(self, text: str, tone: str) -> None:
        self.outcome.setText(text)
        set_tone(self.outcome, tone)


class SettingsDialog(QDialog):
    """Plan, words per minute, output folder, theme, downloads."""

    saved = Signal(object)  # Settings

    def __init__(self, settings: Settings, default_output: str,
                 parent: QWidget | None = None, *, uploads: UploadService | None = None) -> None:
        super().__init__(parent)
        if uploads is None:  # the main window's, when it has a service
            found = getattr(getattr(parent, "service", None), "uploads", None)
            uploads = found if isinstance(found, UploadService) else None
        self.setWindowTitle("Settings")
        self.setObjectName("settings_dialog")
        self.settings = settings
        self.plan = QComboBox()
        named(self.plan, "setting_plan", "Plan")
        for key, label in (("api_starter", "API Starter — $99 / 500 credits"),
                           ("api_pro", "API Pro — $299 / 2,000 credits"),
                           ("enterprise", "Enterprise — my own rate")):
            self.plan.addItem(label, key)
        self.plan.setCurrentIndex(max(0, self.plan.findData(settings.plan)))
        self.rate = QLineEdit(settings.enterprise_rate)
        named(self.rate, "setting_enterprise_rate", "Enterprise price per credit in dollars")
        self.rate.setPlaceholderText("e.g. 0.12 dollars per credit")
        self.wpm = QSpinBox()
        named(self.wpm, "setting_wpm", "Words per minute")
        self.wpm.setRange(60, 300)
        self.wpm.setValue(settings.words_per_minute)
        self.wpm.setSuffix(" words/min")
        self.output = QLineEdit(settings.output_dir)
        named(self.output, "setting_output_dir", "Output folder")
        self.output.setPlaceholderText(default_output)
        browse = QPushButton("Choose…")
        named(browse, "setting_output_browse", "Choose the output folder")
        browse.clicked.connect(self._browse)
        self.theme = QComboBox()
        named(self.theme, "setting_theme", "Theme")
        for key in THEME_NAMES:
            self.theme.addItem(key.capitalize(), key)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))
        self.theme.setToolTip("Applied at once; Cancel goes back to the theme you had.")
        self.theme.currentIndexChanged.connect(self._try_theme)
        self.auto_download = QCheckBox("Download results when a job finishes")
        named(self.auto_download, "setting_auto_download", "Download results automatically")
        self.auto_download.setChecked(settings.auto_download)
        self.template = QLineEdit(settings.name_template)
        named(self.template, "setting_name_template", "File name template")
        self.template.setToolTip("Placeholders: {title} {generator_title} {generator} {date} "
                                 "{time} {short_id} {job_id}")
        self.notify_done = QCheckBox("When a job is done")
        named(self.notify_done, "setting_notify_done", "Notify when a job is done")
        self.notify_done.setChecked(settings.notify_done)
        self.notify_failed = QCheckBox("When a job fails")
        named(self.notify_failed, "setting_notify_failed", "Notify when a job fails")
        self.notify_failed.setChecked(settings.notify_failed)
        self.notify_drained = QCheckBox("When every job has finished")
        named(self.notify_drained, "setting_notify_drained", "Notify when the queue drains")
        self.notify_drained.setChecked(settings.notify_drained)
        self.budget: dict[str, QLineEdit] = {}
        for name, hint in (("budget_per_job", "e.g. 50"), ("budget_daily", "e.g. 200"),
                           ("budget_monthly", "e.g. 2000"), ("budget_low_balance", "e.g. 100")):
            edit = QLineEdit(getattr(settings, name))
            edit.setPlaceholderText(f"no limit ({hint})")
            named(edit, f"setting_{name}", LABELS[name])
            self.budget[name] = edit
        self.batch_concurrency = QSpinBox()
        self.batch_concurrency.setRange(1, MAX_BATCH_CONCURRENCY)
        self.batch_concurrency.setValue(settings.batch_concurrency)
        named(self.batch_concurrency, "setting_batch_concurrency", LABELS["batch_concurrency"])
        self.problem = QLabel("")
        named(self.problem, "settings_problem", "Settings problem")
        set_tone(self.problem, ERROR)
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
        named(buttons.button(QDialogButtonBox.StandardButton.Save), "settings_save", "Save")
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        general = QWidget()
        general.setLayout(form)
        self.storage = StoragePage(settings, uploads)
        self.pages = named(QTabWidget(), "settings_pages", "Settings pages")
        self.pages.addTab(general, "General")
        self.pages.addTab(self.storage, "Storage")
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.plan.currentIndexChanged.connect(self._plan_changed)
        self._plan_changed()

    def _try_theme(self) -> None:
        apply_theme(self.theme.currentData())

    def reject(self) -> None:
        """Cancel (or Escape, or the close button): the theme in force before, back."""
        if self.theme.currentData() != self.settings.theme:
            apply_theme(self.settings.theme)
        super().reject()

    def _plan_changed(self) -> None:
        self.rate.setEnabled(self.plan.currentData() == "enterprise")

    def _browse(self) -> None:
        dialog = QFileDialog(self, "Output folder", self.output.text())
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.fileSelected.connect(self.output.setText)
        dialog.open()

    def show_storage(self) -> None:
        self.pages.setCurrentWidget(self.storage)

    def edited(self) -> Settings:
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
                       **self._budget_and_storage())

    def _budget_and_storage(self) -> dict[str, Any]:
        values: dict[str, Any] = {name: edit.text().strip()
                                  for name, edit in self.budget.items()}
        return {**values, **self.storage.values()}

    def _save(self) -> None:
        settings = self.edited()
        problems = validate(settings)
        try:
            storage_config(settings)
            changed, keys = self.storage.edited_keys()
        except ValueError as exc:
            problems["storage"] = str(exc)
            changed, keys = False, None
        if problems:
            self.problem.setText("\n".join(problems.values()))
            if any(name.startswith("storage") for name in problems):
                self.show_storage()
            return
        uploads = self.storage.uploads
        if changed and uploads is not None:
            self.problem.setText("")
            uploads.spawn(self._save_keys(uploads, keys, settings), "save storage keys")
            return
        self._done(settings)

    async def _save_keys(self, uploads: UploadService, keys: StorageKeys | None,
                         settings: Settings) -> None:
        try:
            await uploads.save_keys(keys)
        except UploadError as exc:
            self.problem.setText(exc.message)
            self.show_storage()
            return
        self._done(settings)

    def _done(self, settings: Settings) -> None:
        self.saved.emit(settings)
        self.accept()
