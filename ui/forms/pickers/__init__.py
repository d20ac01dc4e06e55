"""Pickers over Creatify's free catalogues: avatars (personas), voices (accents) and music.

The pieces are reusable (the scenes editor and the template picker build on them):

- :class:`CatalogueWatcher` asks the service for one catalogue, lazily, and reports
  loading / loaded / failed (with a retry), reloading when the connection changes;
- :class:`ThumbnailLoader` asks the service for images a few at a time and caches pixmaps;
- :class:`CatalogueModel` holds one catalogue's rows (one model can feed many combos);
- :class:`CatalogueCombo` is a combo over such a model that keeps a value set before the
  rows arrive (so a saved form round-trips without the catalogue).

What a row shows and how it is searched (:class:`Row`, ``persona_rows``, ``accent_rows``,
``music_rows``) is Qt-free, in :mod:`app.catalogue_rows`; it is re-exported here.

Editors never talk to the network: they call ``service.catalogue``/``service.image`` and
listen to ``catalogueLoaded``/``catalogueFailed``/``imageLoaded``.

Modules: ``_watcher`` (the catalogue watcher), ``_thumbnails`` (the loader), ``_model``
(model, combo, filtering), ``_base`` (status row, catalogue editor, the filter-and-combo
picker), ``_avatar``, ``_voice`` and ``_music`` (one picker each).
"""

from app.catalogue_rows import Row, accent_rows, music_rows, persona_rows
from ui.forms.pickers._avatar import PersonaPicker, large_faces
from ui.forms.pickers._base import CatalogueEditor, StatusRow
from ui.forms.pickers._model import (
    ROW_ROLE,
    VALUE_ROLE,
    CatalogueCombo,
    CatalogueModel,
    editable_value,
    filter_rows,
)
from ui.forms.pickers._music import MusicPicker
from ui.forms.pickers._thumbnails import (
    PREVIEW_SIZE,
    THUMBNAIL_SIZE,
    THUMBNAIL_TIMEOUT_MS,
    THUMBNAILS_IN_FLIGHT,
    ThumbnailLoader,
    show_scaled,
)
from ui.forms.pickers._voice import AccentPicker
from ui.forms.pickers._watcher import NOT_CONNECTED, CatalogueWatcher
from ui.forms.pickers.asset_models import AssetModelPicker, CachedCatalogueWatcher
from ui.forms.pickers.inspirations import InspirationPicker

__all__ = [
    "NOT_CONNECTED",
    "PREVIEW_SIZE",
    "ROW_ROLE",
    "THUMBNAILS_IN_FLIGHT",
    "THUMBNAIL_SIZE",
    "THUMBNAIL_TIMEOUT_MS",
    "VALUE_ROLE",
    "AccentPicker",
    "AssetModelPicker",
    "CachedCatalogueWatcher",
    "CatalogueCombo",
    "CatalogueEditor",
    "CatalogueModel",
    "CatalogueWatcher",
    "InspirationPicker",
    "MusicPicker",
    "PersonaPicker",
    "Row",
    "StatusRow",
    "ThumbnailLoader",
    "accent_rows",
    "editable_value",
    "filter_rows",
    "large_faces",
    "music_rows",
    "persona_rows",
    "show_scaled",
]
