"""The page the window shows before any credentials: connect, try the simulator, read the guides.

A centred column no wider than :data:`COLUMN_WIDTH` inside a scroll area: every label is laid
out for the column's real width (no alignment flags in the layouts, which would hand the
labels their one-line size hint and cut wrapped text), and a window too small for the whole
page scrolls instead of clipping it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from ui.common.theme import ACCENT, WARNING, set_tone

HELP_LINKS = (
    ("Usage dashboard", "https://app.creatify.ai/settings/organization/api"),
    ("Plans and billing",
     "https://app.creatify.ai/subscription/321eb37d-0d69-4672-8f92-3263f45b5942?api=true"),
    ("Contact sales (e-mail)", "mailto:api@creatify.ai"),
    ("Book a call", "https://meetings.hubspot.com/alyssa326/creatify-scheduler"),
)

COLUMN_WIDTH = 620
"""The page's column at most this wide (lines longer than this are hard to read)."""

INTRO = ("Make Creatify videos without writing code: every generator has its own page, and "
         "the price moves as you type — before anything is sent.")
CHOICES = ("Connect your Creatify API account, or try everything first in the offline "
           "sandbox: nothing is sent to Creatify and nothing is billed.")


class _Note(QLabel):
    """The notice under the buttons (the keyring is missing, …): its box shows only while
    there is something to say, with the warning icon (drawn when first shown: QStyle's many
    enums are not needed for the first paint)."""

    def __init__(self, box: QFrame, icon: QLabel) -> None:
        super().__init__("")
        self._box = box
        self._icon = icon

    def setText(self, text: str) -> None:
        super().setText(text)
        shown = bool(text.strip())
        if shown and self._icon.pixmap().isNull():
            from PySide6.QtWidgets import QStyle

            style = self.style()
            size = style.pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
            self._icon.setPixmap(style.standardIcon(
                QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size))
        self._box.setVisible(shown)


class WelcomePage(QScrollArea):
    """First run: enter credentials, or try the sandbox."""

    def __init__(self, on_credentials: Callable[[], None], on_sandbox: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome_page")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.title = QLabel(f"<h1>Welcome to {APP_NAME}</h1>")
        self.title.setObjectName("welcome_title")
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.intro = QLabel(f"{INTRO}<br><br>{CHOICES}")
        self.intro.setObjectName("welcome_intro")
        self.intro.setWordWrap(True)

        self.credentials_button = QPushButton("Enter API credentials")
        self.credentials_button.setObjectName("welcome_credentials")
        self.credentials_button.setAccessibleName("Enter API credentials")
        set_tone(self.credentials_button, ACCENT, bold=True)
        self.sandbox_button = QPushButton("Try the sandbox")
        self.sandbox_button.setObjectName("welcome_sandbox")
        self.sandbox_button.setAccessibleName("Try the sandbox")
        for button in (self.credentials_button, self.sandbox_button):
            button.setMinimumHeight(44)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.credentials_button.clicked.connect(on_credentials)
        self.sandbox_button.clicked.connect(on_sandbox)
        buttons = QHBoxLayout()
        buttons.setSpacing(12)
        buttons.addWidget(self.credentials_button)
        buttons.addWidget(self.sandbox_button)

        self.note_box = QFrame()
        self.note_box.setObjectName("welcome_note_box")
        self.note_box.setFrameShape(QFrame.Shape.StyledPanel)
        icon = QLabel()
        icon.setObjectName("welcome_note_icon")
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.note = _Note(self.note_box, icon)
        self.note.setObjectName("welcome_note")
        self.note.setAccessibleName("Notice")
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_tone(self.note, WARNING)
        note_row = QHBoxLayout(self.note_box)
        note_row.addWidget(icon, 0)
        note_row.addWidget(self.note, 1)
        self.note_box.hide()

        links = " · ".join(f"<a href='{url}'>{name}</a>" for name, url in HELP_LINKS)
        self.links = QLabel(f"Creatify: {links}")
        self.links.setObjectName("welcome_links")
        self.links.setWordWrap(True)
        self.links.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.links.setOpenExternalLinks(True)

        column = QWidget()
        column.setObjectName("welcome_column")
        column.setMaximumWidth(COLUMN_WIDTH)
        inner = QVBoxLayout(column)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(14)
        inner.addWidget(self.title)
        inner.addWidget(self.intro)
        inner.addLayout(buttons)
        inner.addWidget(self.note_box)
        inner.addWidget(self.links)

        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(column, 100)
        row.addStretch(1)
        page = QWidget()
        page.setObjectName("welcome_content")
        outer = QVBoxLayout(page)
        outer.setContentsMargins(24, 16, 24, 16)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.setWidget(page)
