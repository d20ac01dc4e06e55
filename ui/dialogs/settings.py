"""The settings dialog (opened with ``open()``: never a nested event loop).

The theme is tried at once when chosen (the whole window follows); Cancel goes back to the
theme in force when the dialog opened, Save keeps it."""

from __future__ import annotations

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
    QVBoxLayout,
    QWidget,
)

from app.settings import LABELS, MAX_BATCH_CONCURRENCY, Settings, validate
from ui.common.theme import ERROR, THEME_NAMES, apply_theme, set_tone
from ui.common.widgets import named


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
        layout = QVBoxLayout(self)
        layout.addLayout(form)
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
