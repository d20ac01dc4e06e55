"""The credentials dialog (opened with ``open()``: never a nested event loop).

The key is checked where the app will use it (``service.base_url``, the one address
``app.credentials.api_base_url`` decides) before anything is saved or connected: a refused
key keeps the dialog open with Creatify's one reason; an unreachable Creatify says so and
offers to save anyway.
"""

from __future__ import annotations

import asyncio
import os

import shiboken6
from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
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

from app.credentials import (
    DASHBOARD_API_URL,
    Credentials,
    CredentialStore,
    KeyCheck,
    KeyringUnavailable,
    Verdict,
    api_base_url,
)
from ui.common.theme import ERROR, MUTED, OK, WARNING, tone_hex
from ui.common.widgets import named
from ui.service import DEFAULT_BASE_URL, StudioService

# (light theme, dark theme) shades; the light ones are the theme's known meaning colours.


class CredentialsDialog(QDialog):
    """Enter the API ID and key, check them with Creatify, keep them in the password store.

    ``accepted_credentials(creds, stored)`` fires once Creatify accepted the key (or the
    creator chose to save it while Creatify could not be reached): ``stored`` is False for
    "this session only" (no secure password store, or by choice).
    """

    accepted_credentials = Signal(object, bool)

    def __init__(self, service: StudioService, store: CredentialStore, base_url: str = "",
                 current: Credentials | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect your Creatify account")
        self.setObjectName("credentials_dialog")
        self.setMinimumWidth(560)
        self.service = service
        self.store = store
        self.base_url = self._address(service, base_url)
        self._attempt = 0  # bumped by every edit and check: a late answer is ignored

        self.api_id = QLineEdit(current.api_id if current else "")
        named(self.api_id, "api_id", "API ID")
        self.api_id.setPlaceholderText("Paste your API ID")
        self.api_id.setToolTip("Sent as the X-API-ID header")
        self.api_key = QLineEdit(current.api_key if current else "")
        named(self.api_key, "api_key", "API key")
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText("Paste your API key")
        self.api_key.setToolTip("Sent as the X-API-KEY header")
        self.show_key = QAction("Show", self)
        self.show_key.setCheckable(True)
        self.show_key.toggled.connect(self._toggle_key)
        self.show_button = QPushButton("Show")
        named(self.show_button, "show_key", "Show or hide the key")
        self.show_button.setCheckable(True)
        self.show_button.toggled.connect(self.show_key.setChecked)
        self.help_link = QPushButton("Where do I find my API key?")
        named(self.help_link, "api_key_help", "Where do I find my API key? Opens the Creatify "
                                              "dashboard in your browser")
        self.help_link.setFlat(True)
        self.help_link.setCursor(Qt.CursorShape.PointingHandCursor)
        self.help_link.setToolTip(DASHBOARD_API_URL)
        self.help_link.setStyleSheet("QPushButton { color: palette(link); "
                                     "text-decoration: underline; border: none; "
                                     "padding: 2px 0; text-align: left; }")
        self.help_link.clicked.connect(self.open_dashboard)

        self.test_button = QPushButton("Test connection")
        named(self.test_button, "test_connection", "Test connection")
        self.test_button.clicked.connect(self._test)
        self.test_result = QLabel("")
        named(self.test_result, "connection_result", "Connection test result")
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        secure = store.is_secure()
        self.keyring_note = QLabel(self._store_text(secure))
        named(self.keyring_note, "keyring_note", "Where the key is kept")
        self.keyring_note.setWordWrap(True)

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Save and connect",
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        named(self.save_button, "save_credentials", "Save and connect")
        self.save_button.setDefault(True)
        self.save_button.setVisible(secure)
        self.session_button = self.buttons.addButton(
            "Connect for this session only", QDialogButtonBox.ButtonRole.ActionRole)
        named(self.session_button, "session_only", "Connect for this session only")
        self.anyway_button = self.buttons.addButton("Save anyway",
                                                    QDialogButtonBox.ButtonRole.ActionRole)
        named(self.anyway_button, "save_anyway", "Save anyway, without checking the key")
        self.anyway_button.setVisible(False)
        self._anyway_stores = True
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        named(cancel, "cancel_credentials", "Cancel")
        self.save_button.clicked.connect(lambda: self._check_then_finish(store_it=True))
        self.session_button.clicked.connect(lambda: self._check_then_finish(store_it=False))
        self.anyway_button.clicked.connect(lambda: self._finish(store_it=self._anyway_stores))
        cancel.clicked.connect(self.reject)

        form = QFormLayout()
        form.addRow("API ID", self.api_id)
        key_row = QHBoxLayout()
        key_row.addWidget(self.api_key, 1)
        key_row.addWidget(self.show_button)
        form.addRow("API key", key_row)
        form.addRow("", self.help_link)
        intro = QLabel("Connect Creatify Studio to your Creatify workspace with its API ID and "
                       "API key (the dashboard's API page shows both).")
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignTop)
        test_row.addWidget(self.test_result, 1)
        layout.addLayout(test_row)
        if self.base_url.rstrip("/") != DEFAULT_BASE_URL:
            self.address_note = QLabel(self._tinted(f"API address: {self.base_url}", MUTED))
            named(self.address_note, "api_address", "The API address used")
            self.address_note.setWordWrap(True)
            layout.addWidget(self.address_note)
        layout.addWidget(self.keyring_note)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.api_id.textChanged.connect(self._edited)
        self.api_key.textChanged.connect(self._edited)
        self._edited()

    # ------------------------------------------------------------------ words

    @staticmethod
    def _address(service: StudioService, given: str) -> str:
        """The address the app connects to: the service's (set where connections are made),
        else the one rule over ``given`` as the API address setting."""
        if service.base_url:
            return service.base_url
        try:
            return api_base_url(given, os.environ)
        except ValueError:  # an address the client refuses: the check will say so
            return given or DEFAULT_BASE_URL

    @staticmethod
    def _tinted(text: str, tone: str) -> str:
        return f"<span style='color:{tone_hex(tone)}'>{text}</span>"

    def _store_text(self, secure: bool) -> str:
        if secure:
            where = self.store.store_name()
            return self._tinted(
                "Saved securely in your system's password store"
                + (f" ({where})" if where else "")
                + ". Creatify Studio never writes the key to a file.", MUTED)
        return self._tinted(
            "<b>⚠ No secure password store is available on this computer</b>, so the key "
            "cannot be saved: Creatify Studio never writes it to a file. You can connect for "
            "this session only.", WARNING) + f"<br><small>{_fix_text(self.store)}</small>"

    def _say(self, text: str, tone: str | None = None) -> None:
        self.test_result.setText(self._tinted(text, tone) if tone else text)

    # ------------------------------------------------------------------ actions

    def open_dashboard(self) -> None:
        """Open Creatify's API page (where the API ID and key are) in the browser."""
        if not QDesktopServices.openUrl(QUrl(DASHBOARD_API_URL)):
            self._say(f"Could not open a browser: go to {DASHBOARD_API_URL}", WARNING)

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

    def _set_busy(self, busy: bool) -> None:
        ok = not busy and self.credentials() is not None
        for button in (self.test_button, self.save_button, self.session_button):
            button.setEnabled(ok)

    def _edited(self) -> None:
        self._attempt += 1
        self.anyway_button.setVisible(False)
        self.anyway_button.setEnabled(True)
        self._set_busy(False)
        if self.credentials() is None and (self.api_id.text() or self.api_key.text()):
            try:
                Credentials(self.api_id.text(), self.api_key.text())
            except ValueError as exc:
                self._say(str(exc), ERROR)
        else:
            self._say("")

    def _check(self, then: str, store_it: bool) -> None:
        creds = self.credentials()
        if creds is None:
            return
        self._attempt += 1
        attempt = self._attempt
        self.anyway_button.setVisible(False)
        self._set_busy(True)
        self._say("Checking the key with Creatify…")

        def done(check: KeyCheck) -> None:
            if shiboken6.isValid(self) and attempt == self._attempt:
                self._checked(check, then, store_it)
        self.service.test_connection(creds, self.base_url, done)

    def _test(self) -> None:
        self._check("test", store_it=False)

    def _check_then_finish(self, *, store_it: bool) -> None:
        self._check("finish", store_it)

    def _checked(self, check: KeyCheck, then: str, store_it: bool) -> None:
        self._set_busy(False)
        if check.verdict is Verdict.ACCEPTED:
            self._say(check.message, OK)
            if then == "finish":
                self._finish(store_it=store_it)
            return
        if check.verdict is Verdict.REFUSED:
            self._say(f"<b>{check.message}</b>", ERROR)
            self.api_key.setFocus()
            return
        if then == "finish":  # Creatify could not be asked: the creator decides
            self._anyway_stores = store_it
            self.anyway_button.setText("Save anyway" if store_it else "Connect anyway")
            self.anyway_button.setVisible(True)
            self._say(f"{check.message} If you are sure the key is right, "
                      f"{self.anyway_button.text().lower()}.", WARNING)
        else:
            self._say(check.message, WARNING)

    def _finish(self, *, store_it: bool) -> None:
        creds = self.credentials()
        if creds is None:
            return
        if not store_it:
            self._done(creds, stored=False)
            return
        self._set_busy(True)
        self.anyway_button.setEnabled(False)
        attempt = self._attempt

        async def save() -> None:
            # Off the GUI thread: a locked password store may show the system's unlock
            # prompt and wait for the creator.
            try:
                await asyncio.to_thread(self.store.save, creds)
            except KeyringUnavailable as exc:
                if shiboken6.isValid(self):
                    self._not_saved(exc)
                return
            if shiboken6.isValid(self) and attempt == self._attempt:
                self._done(creds, stored=True)
        self.service.tasks.spawn(save(), "save the API key")

    def _not_saved(self, exc: KeyringUnavailable) -> None:
        self._set_busy(False)
        self.keyring_note.setText(self._tinted("<b>The key could not be saved.</b> ", ERROR)
                                  + f"<small>{exc}</small>")
        self.save_button.setVisible(False)
        self.anyway_button.setVisible(False)

    def _done(self, creds: Credentials, *, stored: bool) -> None:
        self.accepted_credentials.emit(creds, stored)
        self.accept()


def _fix_text(store: CredentialStore) -> str:
    try:
        store.load()
    except KeyringUnavailable as exc:
        return exc.fix
    return ""
