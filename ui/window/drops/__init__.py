"""Drops on the window: what a drop holds (:mod:`.reading`), where links go wherever they are
dropped (:mod:`.router`) and the highlight shown while they are dragged (:mod:`.overlay`)."""

from ui.window.drops.overlay import DropOverlay
from ui.window.drops.reading import (
    DropReading,
    dropped,
    holds_links,
    offer_drop,
    only_links,
    read_drop,
    read_rows,
)
from ui.window.drops.router import DropRoute, DropRouter, UrlField, url_field_of

__all__ = [
    "DropOverlay",
    "DropReading",
    "DropRoute",
    "DropRouter",
    "UrlField",
    "dropped",
    "holds_links",
    "offer_drop",
    "only_links",
    "read_drop",
    "read_rows",
    "url_field_of",
]
