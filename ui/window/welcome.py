"""The page the window shows before any credentials: connect, try the simulator, read the guides."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME

HELP_LINKS = (
    ("Usage dashboard", "https://app.creatify.ai/settings/organization/api"),
    ("Plans and billing",
     "https://app.creatify.ai/subscription/321eb37d-0d69-4672-8f92-3263f45b5942?api=true"),
    ("Contact sales (e-mail)", "mailto:api@creatify.ai"),
    ("Book a call", "https://meetings.hubspot.com/alyssa326/creatify-scheduler"),
)


class WelcomePage(QWidget):
    """First run: enter credentials, or try the sandbox."""

    def __init__(self, on_credentials: Callable[[], None], on_sandbox: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome_page")
        title = QLabel(f"<h1>Welcome to {APP_NAME}</h1>")
        text = QLabel("Make Creatify videos without writing code: every generator has its own "
                      "tab, and the price moves as you type.<br><br>Connect your Creatify API "
                      "account, or try everything first in the offline sandbox — nothing is "
                      "sent to Creatify and nothing is billed.")
        text.setWordWrap(True)
        self.credentials_button = QPushButton("Enter API credentials")
        self.credentials_button.setObjectName("welcome_credentials")
        self.credentials_button.setAccessibleName("Enter API credentials")
        self.sandbox_button = QPushButton("Try the sandbox")
        self.sandbox_button.setObjectName("welcome_sandbox")
        self.sandbox_button.setAccessibleName("Try the sandbox")
        self.note = QLabel("")
        self.note.setObjectName("welcome_note")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #b45309;")
        for button in (self.credentials_button, self.sandbox_button):
            button.setMinimumHeight(44)
            button.setMinimumWidth(260)
        self.credentials_button.clicked.connect(on_credentials)
        self.sandbox_button.clicked.connect(on_sandbox)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for widget in (title, text, self.credentials_button, self.sandbox_button, self.note):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        text.setFixedWidth(560)
        layout.addStretch(2)
