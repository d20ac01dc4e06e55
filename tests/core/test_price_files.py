"""Price files imported at run time: real files in tmp_path, checked whole, kept in the data
folder, in force at once; a bad one refused with its reason and nothing changed."""

from __future__ import annotations

import copy
import datetime
import json
import logging
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.pricing import (
    Bound,
    PriceRequest,
    PricingError,
    asset_prices,
    estimate,
    price_table,
    set_catalogue_prices,
)
from app.pricing.assets import asset_price_requests
from app.pricing.updates import (
    ASSET,
    GENERAL,
    activate_saved,
    import_price_file,
    price_files,
    restore_bundled,
)

D = Decimal
RESOURCES = Path(__file__).resolve().parents[2] / "resources"
TODAY = datetime.date(2026, 12, 20)
ASSETS: dict[str, Any] = json.loads((RESOURCES / "asset-models.json").read_text("utf-8"))
GENERAL_TABLE: dict[str, Any] = json.loads((RESOURCES / "prices.json").read_text("utf-8"))


@pytest.fixture(autouse=True)
def bundled_after() -> Iterator[None]:
    """Every test starts and ends with the bundled prices in force."""
    restore_bundled()
    yield
    restore_bundled()


def write(tmp_path: Path, data: Any, name: str = "new-prices.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def veo_fast(seconds: str = "6") -> Decimal | None:
    [request] = asset_price_requests("veo3.1/fast", {"duration": seconds}, None)
    return estimate(request, today=TODAY).credits


def links() -> Decimal | None:
    return estimate(PriceRequest("links"), today=TODAY).credits


def newer_assets(credits: float = 7.5) -> dict[str, Any]:
    """The bundled asset file re-checked on 15 Dec with veo3.1/fast 6 s at ``credits``."""
    data = copy.deepcopy(ASSETS)
    data["checked"] = "2026-12-15"
    [veo] = [m for m in data["models"] if m["model_name"] == "veo3.1/fast"]
    [row] = [r for r in veo["price"]["rows"] if r["duration"] == "6"]
    row["credits"] = credits
    return data


def test_an_asset_price_file_changes_the_estimates_at_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert veo_fast() == 9
    info = import_price_file(write(tmp_path, newer_assets()), data_dir, today=TODAY)
    assert veo_fast() == D("7.5") and veo_fast("8") == 12
    assert (info.kind, info.as_of, info.in_force) == (ASSET, datetime.date(2026, 12, 15), True)
    assert info.models == len(ASSETS["models"]) and info.imported_at is not None
    saved = data_dir / "prices" / "asset-models.json"
    assert json.loads(saved.read_text("utf-8")) == newer_assets()
    assert asset_prices().checked == datetime.date(2026, 12, 15)
    rows = [e for e in price_table().entries if e.rule == "asset_generator"]
    assert {e.as_of for e in rows} == {datetime.date(2026, 12, 15)}
    listed = {(f.kind, f.imported_at is None): f.in_force for f in price_files()}
    assert listed == {(ASSET, True): False, (ASSET, False): True, (GENERAL, True): True}


def test_a_general_table_changes_the_other_prices_at_once(tmp_path: Path) -> None:
    data = copy.deepcopy(GENERAL_TABLE)
    data["as_of"] = "2026-12-10"
    for entry in data["entries"]:
        if entry["rule"] == "links":
            entry["rate"], entry["as_of"] = 2, "2026-12-10"
    info = import_price_file(write(tmp_path, data), tmp_path / "data", today=TODAY)
    assert links() == 2 and veo_fast() == 9  # the asset prices are the asset file's
    assert info.kind == GENERAL and info.entries == len(data["entries"])
    assert (tmp_path / "data" / "prices" / "prices.json").exists()


def test_saved_files_come_back_at_start_and_a_damaged_one_is_skipped(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data_dir = tmp_path / "data"
    import_price_file(write(tmp_path, newer_assets(8)), data_dir, today=TODAY)
    restore_bundled()  # as a new start: only what is in force is forgotten
    assert veo_fast() == 9
    [info] = activate_saved(data_dir)
    assert info.kind == ASSET and veo_fast() == 8
    restore_bundled()
    (data_dir / "prices" / "asset-models.json").write_text('{"models": [', "utf-8")
    with caplog.at_level(logging.WARNING, logger="app.pricing.updates"):
        assert activate_saved(data_dir) == []
    assert veo_fast() == 9
    assert "asset-models.json skipped" in caplog.text and "not JSON" in caplog.text


def test_restore_bundled_with_the_data_folder_deletes_the_copies(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    import_price_file(write(tmp_path, newer_assets()), data_dir, today=TODAY)
    restore_bundled(data_dir)
    assert veo_fast() == 9 and activate_saved(data_dir) == []
    assert not (data_dir / "prices" / "asset-models.json").exists()


def _asset_with(change: str) -> Any:
    data = newer_assets()
    veo = next(m for m in data["models"] if m["model_name"] == "veo3.1/fast")
    row = veo["price"]["rows"][0]
    match change:
        case "negative":
            row["credits"] = -6
        case "zero":
            row["credits"] = 0
        case "text":
            row["credits"] = "six"
        case "boolean":
            row["credits"] = True
        case "no date":
            del data["checked"]
        case "future":
            data["checked"] = "2027-01-01"
        case "no models":
            data["models"] = []
        case "bad kind":
            veo["price"]["kind"] = "auction"
    return data


def _general_with(change: str) -> Any:
    data = copy.deepcopy(GENERAL_TABLE)
    match change:
        case "negative":
            data["entries"][0]["rate"] = -5
        case "future entry":
            data["entries"][0]["as_of"] = "2027-02-01"
        case "future":
            data["as_of"] = "2027-02-01"
        case "no date":
            del data["as_of"]
        case "drops a rule":
            data["entries"] = [e for e in data["entries"] if e["rule"] != "links"]
    return data


@pytest.mark.parametrize(("content", "reason"), [
    ("this is not json {", "is not JSON"),
    ([1, 2, 3], "neither an Asset Generator price file"),
    ({"prices": {}}, "neither an Asset Generator price file"),
    (_asset_with("negative"), "veo3.1/fast: row 1 needs a price above 0 credits, not -6"),
    (_asset_with("zero"), "needs a price above 0 credits, not 0"),
    (_asset_with("text"), "price that is not a number: 'six'"),
    (_asset_with("boolean"), "price that is not a number"),
    (_asset_with("no date"), "'checked' is not a date"),
    (_asset_with("future"), "checked on 2027-01-01, after today"),
    (_asset_with("no models"), "lists no models"),
    (_asset_with("bad kind"), "kind is one of table, flat"),
    (_general_with("negative"), "needs a positive rate, not -5"),
    (_general_with("future entry"), "dated 2027-02-01, after today"),
    (_general_with("future"), "dated 2027-02-01, after today"),
    (_general_with("no date"), "has no 'as_of' date"),
    (_general_with("drops a rule"), "would drop prices the app needs: it has no links"),
])
def test_a_bad_file_is_refused_with_the_reason_and_changes_nothing(
        tmp_path: Path, content: Any, reason: str) -> None:
    before = price_table()
    data_dir = tmp_path / "data"
    with pytest.raises(PricingError, match="Nothing was changed") as info:
        import_price_file(write(tmp_path, content), data_dir, today=TODAY)
    assert reason in str(info.value)
    assert price_table() is before and veo_fast() == 9 and links() == 1
    assert not (data_dir / "prices").exists() or not any((data_dir / "prices").iterdir())
    assert all(f.imported_at is None for f in price_files())


def test_a_file_over_5_mb_or_not_text_is_refused(tmp_path: Path) -> None:
    big = newer_assets()
    big["padding"] = "x" * (5 * 1024 * 1024)
    with pytest.raises(PricingError, match=r"5\.\d MB: a price file is at most 5 MB"):
        import_price_file(write(tmp_path, big), tmp_path / "data", today=TODAY)
    binary = tmp_path / "photo.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(PricingError, match="not a text"):
        import_price_file(binary, tmp_path / "data", today=TODAY)
    with pytest.raises(PricingError, match="Cannot read"):
        import_price_file(tmp_path / "absent.json", tmp_path / "data", today=TODAY)
    assert veo_fast() == 9


def test_catalogue_prices_replace_their_rule_and_unknown_is_never_free() -> None:
    day = datetime.date(2026, 12, 6)
    try:
        set_catalogue_prices("ai_ad_template", {"tpl-1": D(12), "tpl-2": D(0)}, as_of=day,
                             source="https://api.creatify.ai/api/inspirations/")
        one = estimate(PriceRequest("ai_ad_template", model="tpl-1"), today=day)
        assert (one.credits, one.bound, one.entry.unit) == (12, Bound.EXACT, "request")
        free = estimate(PriceRequest("ai_ad_template", model="tpl-2"), today=day)
        assert (free.credits, free.bound) == (None, Bound.UNKNOWN)
        set_catalogue_prices("ai_ad_template", {"tpl-3": D(5)}, as_of=day, source="x")
        with pytest.raises(PricingError, match="tpl-3"):
            estimate(PriceRequest("ai_ad_template", model="tpl-1"), today=day)
    finally:
        set_catalogue_prices("ai_ad_template", {}, as_of=day, source="x")


def test_an_import_on_a_worker_thread_never_loses_catalogue_prices_set_meanwhile(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The window imports a price file off the GUI thread while the templates' costs may
    arrive on it: the catalogue change made in the middle of the import is kept."""
    import threading

    from app.pricing import _registry

    day = datetime.date(2026, 12, 6)
    composing, release = threading.Event(), threading.Event()
    compose = _registry._compose

    calls: list[int] = []

    def slow_compose(*args: Any) -> Any:
        if threading.current_thread().name == "import":
            calls.append(1)
            if len(calls) == 2:  # the import's first compose checks; its second puts in force
                composing.set()
                release.wait(5)
        return compose(*args)

    monkeypatch.setattr(_registry, "_compose", slow_compose)
    importer = threading.Thread(
        name="import", target=lambda: import_price_file(write(tmp_path, newer_assets()),
                                                        tmp_path / "data", today=TODAY))
    setter = threading.Thread(target=lambda: set_catalogue_prices(
        "ai_ad_template", {"tpl-9": D(7)}, as_of=day, source="x"))
    try:
        importer.start()
        assert composing.wait(5)
        setter.start()   # the templates' costs arrive while the import composes its table
        setter.join(0.2)
        release.set()
        importer.join(5)
        setter.join(5)
        assert veo_fast() == D("7.5")  # the import is in force …
        kept = estimate(PriceRequest("ai_ad_template", model="tpl-9"), today=day)
        assert kept.credits == 7       # … and so is the catalogue price set meanwhile
    finally:
        release.set()
        set_catalogue_prices("ai_ad_template", {}, as_of=day, source="x")
