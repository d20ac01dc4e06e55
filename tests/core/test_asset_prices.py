"""The bundled asset price file is the vendored reference copy, unchanged."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def _recorded_hashes() -> dict[str, str]:
    """The sha256 of each vendored file as ``resources/asset-prices.md`` records it."""
    text = (RESOURCES / "asset-prices.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\|\s*resources/(\S+)\s*\|\s*([0-9a-f]{64})\s*\|$", text, re.MULTILINE)
    return dict(rows)


def test_asset_prices_md_records_both_files() -> None:
    assert set(_recorded_hashes()) == {"asset-models.json", "asset-models-notes.md"}


@pytest.mark.parametrize("name", ["asset-models.json", "asset-models-notes.md"])
def test_vendored_file_matches_recorded_hash(name: str) -> None:
    digest = hashlib.sha256((RESOURCES / name).read_bytes()).hexdigest()
    assert digest == _recorded_hashes()[name]
