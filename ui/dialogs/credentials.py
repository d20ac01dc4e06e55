"""Credentials and settings dialogs (opened with ``open()``: never a nested event loop)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.credentials import Credentials, CredentialStore, KeyringUnavailable
from ui.common.widgets import named
from ui.service import DEFAULT_BASE_URL, StudioService


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
        named(self.api_id, "api_id", "X-API-ID")
        self.api_id.setPlaceholderText("X-API-ID from Creatify's API settings")
        self.api_key = QLineEdit(current.api_key if current else "")
        named(self.api_key, "api_key", "X-API-KEY")
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText("X-API-KEY")
        self.show_key = QAction("Show", self)
        self.show_key.setCheckable(True)
        self.show_key.toggled.connect(self._toggle_key)
        self.api_key.addAction(self.show_key, QLineEdit.ActionPosition.TrailingPosition)
        self.show_button = QPushButton("Show")
        named(self.show_button, "show_key", "Show or hide the key")
        self.show_button.setCheckable(True)
        self.show_button.toggled.connect(self.show_key.setChecked)

        self.test_button = QPushButton("Test connection")
        named(self.test_button, "test_connection", "Test connection")
        self.test_button.clicked.connect(self._test)
        self.test_result = QLabel("")
        named(self.test_result, "connection_result", "Connection test result")
        self.test_result.setWordWrap(True)

        secure = store.is_secure()
        self.keyring_note = QLabel(
            "" if secure else
            "<b>No secure password store is available</b>, so the credentials cannot be "
            "saved. Creatify Studio never writes them to a file.<br>" + _fix_text(store))
        named(self.keyring_note, "keyring_note", "Password store problem")
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setVisible(not secure)

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Save to keyring",
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        named(self.save_button, "save_credentials", "Save to keyring")
        self.save_button.setVisible(secure)
        self.session_button = self.buttons.addButton("Use for this session only",
                                                     QDialogButtonBox.ButtonRole.ActionRole)
        named(self.session_button, "session_only", "Use for this session only")
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        named(cancel, "cancel_credentials", "Cancel")
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


