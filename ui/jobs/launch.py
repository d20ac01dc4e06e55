"""What the creator sees when a saved file cannot be opened or shown in its folder.

:mod:`app.platform` raises :class:`~app.platform.LaunchError` with a sentence for the user
(the launcher that is missing and what to install, or the file that is gone). It is said in
a message box — never only in the status bar, where it would pass unseen — with the file's
full path (selectable, and a button copies it) so the creator can still find the file.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from app.platform import LauncherMissing, LaunchError, PathMissing


def launch_problem_text(exc: LaunchError, path: str | None) -> tuple[str, str]:
    """(headline, details) for the message: what failed, why, where the file is, what to
    do."""
    where = f"The file is at:\n{path}" if path else ""
    if isinstance(exc, LauncherMissing):
        headline = "This computer has no program to open files or folders with."
        todo = ("Until then, open the folder yourself in your file manager (the path can be "
                "copied below).")
    elif isinstance(exc, PathMissing):
        headline = "The saved file is not there any more."
        todo = ""
        where = f"It was saved at:\n{path}" if path else ""
    else:
        headline = "The file could not be opened."
        todo = "Open the folder yourself in your file manager (the path can be copied below)."
    details = "\n\n".join(part for part in (str(exc), where, todo) if part)
    return headline, details


def show_launch_problem(parent: QWidget, exc: LaunchError, path: str | None) -> QMessageBox:
    """A message (not modal: the window goes on) saying why the file did not open and where
    it is; "Copy path" puts the path on the clipboard."""
    headline, details = launch_problem_text(exc, path)
    box = QMessageBox(QMessageBox.Icon.Warning, "Could not open the file", headline,
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("launch_problem")
    box.setInformativeText(details)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if path:
        copy = box.addButton("Copy path", QMessageBox.ButtonRole.ActionRole)
        copy.setObjectName("launch_copy_path")
        # An action button closes the box; the path goes on the clipboard first.
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(path))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
