"""Asset Generator prices from the asset price file (``resources/asset-models.json``).

``load_asset_prices`` reads and checks a file into `AssetPrices` (``.info(name)`` for the
picker's families and labels); ``asset_entries`` turns it into dated price-table entries of
the rule ``asset_generator`` (the active file's entries are part of ``price_table()``);
``asset_price_requests`` says what one task costs from its inputs, and ``price_key`` is the
key its real charge is remembered under.
"""

from app.pricing.assets._entries import RULE, UNLISTED, asset_entries
from app.pricing.assets._file import (
    DEFAULT_ASSET_PATH,
    AssetModel,
    AssetModelInfo,
    AssetPrices,
    Surcharge,
    load_asset_prices,
    parse_asset_prices,
)
from app.pricing.assets._requests import asset_price_requests, output_count, price_key

__all__ = [
    "DEFAULT_ASSET_PATH",
    "RULE",
    "UNLISTED",
    "AssetModel",
    "AssetModelInfo",
    "AssetPrices",
    "Surcharge",
    "asset_entries",
    "asset_price_requests",
    "load_asset_prices",
    "output_count",
    "parse_asset_prices",
    "price_key",
]
