"""File → Remove stored credentials: asked first, then removed from the password store."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from app.credentials import CredentialStore, KeyringUnavailable


def confirm_remove(parent: QWidget, store: CredentialStore, say: Callable[[str, int], None],
                   removed: Callable[[], None]) -> QMessageBox:
    """Ask, then remove the stored API ID and key; ``removed`` runs once they are gone, ``say``
    puts a line in the status bar (a store that cannot be reached says why)."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Remove credentials",
                      "Remove your Creatify API ID and key from this computer's password "
                      "store? You will need to enter them again to connect.",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                      parent)
    box.setObjectName("confirm_remove_credentials")

    def done(result: int) -> None:
        if result != QMessageBox.StandardButton.Yes:
            return
        try:
            store.delete()
        except KeyringUnavailable as exc:
            say(str(exc), 10000)
            return
        removed()
        say("Credentials removed.", 5000)

    box.finished.connect(done)
    return box
