"""Creatify's catalogues of generators: the Asset Generator's models with their input schemas
(``GET /api/asset_generator/schemas/``) and the AI Ad Templates (``GET /api/inspirations/``).

* :mod:`._cache` — :class:`SchemaCache`: each catalogue kept on disk with its fetch date, so
  the window answers at once and offline; a damaged file is ignored (logged) and refetched.
* :mod:`._installed` — the catalogues in use, installed by the session:
  :func:`schema_for`, :func:`inspiration`, :func:`inspiration_schema`.
* :mod:`._grouping` — :class:`AssetCatalogue`: the picker's families, generation-type labels
  and search.

No Qt, no network: the session fetches, this package keeps and reads.
"""

from app.assets._cache import FORMAT, KINDS, STALE_AFTER, CachedCatalogue, SchemaCache
from app.assets._grouping import (
    TYPE_LABELS,
    AssetCatalogue,
    CatalogueModel,
    ModelFacts,
    PriceInfo,
    family_from_name,
    type_label,
)
from app.assets._installed import (
    inspiration,
    inspiration_schema,
    install,
    installed,
    installed_date,
    schema_for,
    uninstall,
)

__all__ = [
    "FORMAT", "KINDS", "STALE_AFTER", "TYPE_LABELS", "AssetCatalogue", "CachedCatalogue",
    "CatalogueModel", "ModelFacts", "PriceInfo", "SchemaCache", "family_from_name",
    "inspiration", "inspiration_schema", "install", "installed", "installed_date",
    "schema_for", "type_label", "uninstall",
]
