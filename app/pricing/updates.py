"""Price files imported at run time (File → Update prices…): prices change without a release.

Two kinds of file are accepted, each in the format the app bundles: an **asset** price file
(``resources/asset-models.json``'s format: the Asset Generator's models and tables) and a
**general** table (``resources/prices.json``'s format: every other billing rule). A file is
checked whole before anything changes — JSON, its shape, every price (a number above zero),
its date (present, not in the future), at most 5 MB, and for a general table every bundled
rule still priced — then copied into ``<data>/prices/`` (atomically) and put in force, so
``price_table()`` and the asset prices change at once. A refused file raises `PricingError`
with the reason and changes nothing. At start, :func:`activate_saved` puts the saved files
back in force; a damaged one is skipped with a logged reason (the bundled prices stay).
"""

from __future__ import annotations

import datetime
import json
import logging
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.atomic import write_text_atomically
from app.pricing import _registry
from app.pricing.assets import (
    DEFAULT_ASSET_PATH,
    AssetPrices,
    asset_entries,
    load_asset_prices,
    parse_asset_prices,
)
from app.pricing.assets._file import MAX_FILE_BYTES
from app.pricing.table import DEFAULT_PATH, PriceTable, PricingError, load_price_table
from app.pricing.table import parse_price_table as _parse_table

__all__ = ["ASSET", "GENERAL", "PriceFileInfo", "activate_saved", "import_price_file",
           "price_files", "restore_bundled"]

log = logging.getLogger(__name__)
ASSET = "asset"
GENERAL = "general"
SAVED_NAMES = {ASSET: "asset-models.json", GENERAL: "prices.json"}
TITLES = {ASSET: "Asset Generator prices", GENERAL: "Creatify prices"}


@dataclass(frozen=True, slots=True)
class PriceFileInfo:
    """One price file for About: its kind (``asset`` or ``general``), the date its prices
    were checked, where they came from, when it was imported (``None``: bundled), whether it
    is the one in force, and how much it holds."""

    kind: str
    title: str
    path: Path
    as_of: datetime.date
    source: str
    imported_at: datetime.datetime | None
    in_force: bool
    models: int  # asset models (0 for a general table)
    entries: int  # price-table entries it gives


_imported: dict[str, PriceFileInfo] = {}
"""The imported files in force, by kind."""


def import_price_file(path: str | os.PathLike[str], data_dir: str | os.PathLike[str],
                      *, today: datetime.date | None = None) -> PriceFileInfo:
    """Check ``path``, keep a copy in ``data_dir/prices/`` and put it in force.

    Raises `PricingError` (nothing changed) with the reason for a file that cannot be read,
    is over 5 MB, is not JSON, has neither shape, has a bad price or date, or would drop a
    bundled rule."""
    source = Path(path)
    text = _read(source)
    today = datetime.date.today() if today is None else today
    try:
        kind, parsed = _parse(text, source.name, today)
        if isinstance(parsed, AssetPrices):
            _registry.composed_with(assets=parsed, keep_general=True)
        else:
            _registry.composed_with(general=parsed, keep_assets=True)
    except PricingError as exc:
        if str(exc).endswith("Nothing was changed."):
            raise
        raise PricingError(f"{exc} Nothing was changed.") from exc
    folder = Path(data_dir) / "prices"
    target = folder / SAVED_NAMES[kind]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_text_atomically(target, text)
    except OSError as exc:
        raise PricingError(f"Could not keep a copy of {source.name} in {folder}: "
                           f"{exc.strerror or exc}. Nothing was changed.") from exc
    return _put_in_force(kind, parsed, target, _modified(target))


def activate_saved(data_dir: str | os.PathLike[str]) -> list[PriceFileInfo]:
    """Put the price files saved in ``data_dir/prices/`` in force (at start). A file that
    no longer reads or checks is skipped, and why is logged; the bundled one stays."""
    infos = []
    for kind, name in SAVED_NAMES.items():
        target = Path(data_dir) / "prices" / name
        if not target.exists():
            continue
        try:
            _kind, parsed = _parse(_read(target), target.name, None, expect=kind)
            infos.append(_put_in_force(kind, parsed, target, _modified(target)))
        except PricingError as exc:
            log.warning("saved price file %s skipped: %s", target, exc)
    return infos


def restore_bundled(data_dir: str | os.PathLike[str] | None = None) -> None:
    """Put the bundled prices back in force; with ``data_dir``, delete the saved copies too
    (else they come back at the next start)."""
    _registry.activate_prices()
    _imported.clear()
    if data_dir is not None:
        for name in SAVED_NAMES.values():
            (Path(data_dir) / "prices" / name).unlink(missing_ok=True)


def price_files() -> list[PriceFileInfo]:
    """Every price file: the bundled ones and any imported, with which one is in force."""
    bundled_assets = load_asset_prices()
    bundled_table = load_price_table()
    files = [
        _asset_info(bundled_assets, DEFAULT_ASSET_PATH, None, ASSET not in _imported),
        _general_info(bundled_table, DEFAULT_PATH, None, GENERAL not in _imported),
    ]
    files.extend(_imported[k] for k in (ASSET, GENERAL) if k in _imported)
    return files


def _put_in_force(kind: str, parsed: AssetPrices | PriceTable, target: Path,
                  imported_at: datetime.datetime) -> PriceFileInfo:
    if isinstance(parsed, AssetPrices):
        _registry.activate_prices(assets=parsed, keep_general=True)
        info = _asset_info(parsed, target, imported_at, True)
    else:
        _registry.activate_prices(general=parsed, keep_assets=True)
        info = _general_info(parsed, target, imported_at, True)
    _imported[kind] = info
    return info


def _read(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PricingError(f"{path.name} is {size / 1e6:.1f} MB: a price file is at most "
                               f"{MAX_FILE_BYTES // (1024 * 1024)} MB. Nothing was changed.")
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PricingError(f"Cannot read {path.name}: {exc.strerror or exc}. Nothing was "
                           "changed.") from exc
    except UnicodeDecodeError:
        raise PricingError(f"{path.name} is not a text (UTF-8) file, so not a price file. "
                           "Nothing was changed.") from None


def _parse(text: str, name: str, today: datetime.date | None,
           expect: str | None = None) -> tuple[str, AssetPrices | PriceTable]:
    try:
        raw = json.loads(text, parse_float=Decimal)
    except ValueError as exc:
        raise PricingError(f"{name} is not JSON ({exc}), so not a price file. Nothing was "
                           "changed.") from None
    if isinstance(raw, dict) and isinstance(raw.get("models"), list) and expect != GENERAL:
        prices = parse_asset_prices(raw, name, today=today)
        return ASSET, prices
    if isinstance(raw, dict) and isinstance(raw.get("entries"), list) and expect != ASSET:
        return GENERAL, _general(raw, name, today)
    raise PricingError(f"{name} is neither an Asset Generator price file (an object with a "
                       "'models' list, as asset-models.json) nor a price table (an object with "
                       "an 'entries' list, as prices.json). Nothing was changed.")


def _general(raw: Any, name: str, today: datetime.date | None) -> PriceTable:
    if "as_of" not in raw:
        raise PricingError(f"{name} has no 'as_of' date: a price table says when its prices "
                           "were checked.")
    table = _parse_table(raw, name)
    if today is not None:
        future = [e for e in table.entries if e.as_of > today]
        if future or table.as_of > today:
            day = max([table.as_of, *(e.as_of for e in future)])
            raise PricingError(f"{name} has prices dated {day}, after today ({today}): a "
                               "date in the future is a mistake. Nothing was changed.")
        dated = datetime.date.fromisoformat(str(raw["as_of"]))
        if dated > today:
            raise PricingError(f"{name} is dated {dated}, after today ({today}). Nothing was "
                               "changed.")
    bundled = {e.rule for e in load_price_table().entries} - {_registry.ASSET_RULE}
    missing = sorted(bundled - {e.rule for e in table.entries})
    if missing:
        raise PricingError(f"{name} would drop prices the app needs: it has no "
                           f"{', '.join(missing)}. Nothing was changed.")
    return table


def _asset_info(prices: AssetPrices, path: Path, imported_at: datetime.datetime | None,
                in_force: bool) -> PriceFileInfo:
    return PriceFileInfo(ASSET, TITLES[ASSET], path, prices.checked, prices.source,
                         imported_at, in_force, len(prices.models),
                         len(asset_entries(prices)))


def _general_info(table: PriceTable, path: Path, imported_at: datetime.datetime | None,
                  in_force: bool) -> PriceFileInfo:
    return PriceFileInfo(GENERAL, TITLES[GENERAL], path, table.as_of, table.source,
                         imported_at, in_force, 0, len(table.entries))


def _modified(path: Path) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
