"""The galleries' Qt-free parts: favourites, the on-disk image cache, and the avatar and
voice cards with their filters (what ``ui.galleries`` shows).

- :class:`Favourites` keeps the creator's favourite avatars and voices in a small JSON file
  in the data folder (written atomically);
- :class:`ImageCache` keeps catalogue images on disk under the cache folder, keyed by a hash
  of their URL and bounded in size (the oldest used dropped first);
- :mod:`.avatars` and :mod:`.voices` turn catalogue entries into cards and filter them.
"""

from app.galleries.avatars import (
    AVATAR_FACETS,
    AvatarCard,
    AvatarFilter,
    avatar_cards,
    filter_avatars,
    server_filters,
)
from app.galleries.favourites import FAVOURITES_FILE, Favourites
from app.galleries.image_cache import DEFAULT_MAX_BYTES, ImageCache
from app.galleries.voices import VoiceCard, VoiceFilter, filter_voices, language_of, voice_cards

__all__ = [
    "AVATAR_FACETS",
    "DEFAULT_MAX_BYTES",
    "FAVOURITES_FILE",
    "AvatarCard",
    "AvatarFilter",
    "Favourites",
    "ImageCache",
    "VoiceCard",
    "VoiceFilter",
    "avatar_cards",
    "filter_avatars",
    "filter_voices",
    "language_of",
    "server_filters",
    "voice_cards",
]
