"""Your own avatars and voices (File → My avatars and voices…): a custom avatar uploaded and
followed through Creatify's review, a voice cloned from a local recording (uploaded to the
creator's storage first) and deleted.

- :class:`OwnMediaDialog` — the window (two tabs, Avatars and Voices);
- :class:`OwnMediaDesk` — the work behind it, as the service's tasks;
- :func:`open_own_media` — the menu entry's action: one dialog per window
  (:func:`own_media_of` makes it without showing it).
"""

from __future__ import annotations

from typing import Any

from ui.own_media._desk import OwnMediaDesk
from ui.own_media._dialog import OwnMediaDialog
from ui.own_media._storage import StorageSource, fixed_storage, window_storage


def own_media_of(window: Any, storage: StorageSource | None = None) -> OwnMediaDialog | None:
    """``window``'s "My avatars and voices", made hidden on first use and kept afterwards,
    so an avatar's review is followed while it is closed (the window may call this once it
    has its service, to follow reviews from the start). ``storage`` defaults to the bucket
    of the window's settings (Settings → Storage) with the saved keys, through the service's
    uploads. None before the window has its service."""
    service = getattr(window, "service", None)
    if service is None:
        return None
    dialog = window.findChild(OwnMediaDialog, "own_media_dialog")
    if not isinstance(dialog, OwnMediaDialog):
        dialog = OwnMediaDialog(service, storage or window_storage(service, window), window)
    return dialog


def open_own_media(window: Any, storage: StorageSource | None = None) -> OwnMediaDialog | None:
    """Show ``window``'s "My avatars and voices" (see :func:`own_media_of`)."""
    dialog = own_media_of(window, storage)
    if dialog is not None:
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
    return dialog


__all__ = ["OwnMediaDesk", "OwnMediaDialog", "StorageSource", "fixed_storage",
           "open_own_media", "own_media_of", "window_storage"]
