"""Your own avatars and voices (File → My avatars and voices…): a custom avatar uploaded and
followed through Creatify's review, a voice cloned from a local recording (uploaded to the
creator's storage first) and deleted.

- :class:`OwnMediaDialog` — the window (two tabs, Avatars and Voices);
- :class:`OwnMediaDesk` — the work behind it, as the service's tasks;
- :func:`open_own_media` — the menu entry's action: one dialog per window.
"""

from __future__ import annotations

from typing import Any

from ui.own_media._desk import OwnMediaDesk
from ui.own_media._dialog import OwnMediaDialog
from ui.own_media._storage import StorageSource, fixed_storage, storage_from_settings


def open_own_media(window: Any, storage: StorageSource | None = None) -> OwnMediaDialog | None:
    """Show ``window``'s "My avatars and voices" (made on first use, kept afterwards so an
    avatar's review is followed while it is closed). ``storage`` defaults to the bucket the
    window's settings name, with its keys from the keyring. None before the window has its
    service (the entry waits for start-up to finish)."""
    service = getattr(window, "service", None)
    if service is None:
        return None
    dialog = window.findChild(OwnMediaDialog, "own_media_dialog")
    if not isinstance(dialog, OwnMediaDialog):
        source = storage or storage_from_settings(lambda: getattr(window, "settings", None))
        dialog = OwnMediaDialog(service, source, window)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


__all__ = ["OwnMediaDesk", "OwnMediaDialog", "StorageSource", "fixed_storage",
           "open_own_media", "storage_from_settings"]
