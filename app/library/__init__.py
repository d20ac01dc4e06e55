"""The library of results, Qt-free: which finished jobs it lists and how they are found
(:mod:`.items`), the creator's names and tags (:mod:`.store`), posters kept on disk
(:mod:`.posters`) and the settings that made each result, readable (:mod:`.settings_text`)."""

from app.library.items import (
    STYLE_SEPARATOR,
    LibraryItem,
    library_items,
    matches,
    search_words,
)
from app.library.posters import PosterCache, file_identity, url_identity
from app.library.settings_text import readable_name, readable_settings
from app.library.store import ItemMeta, LibraryStore, clean_tags, parse_tags

__all__ = ["STYLE_SEPARATOR", "ItemMeta", "LibraryItem", "LibraryStore", "PosterCache",
           "clean_tags", "file_identity", "library_items", "matches", "parse_tags",
           "readable_name", "readable_settings", "search_words", "url_identity"]
