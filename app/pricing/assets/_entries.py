"""The asset price file as dated entries of the price table (rule ``asset_generator``).

One entry per table cell (variant: the cell's labels, the duration written "5s", e.g.
``"5s 768P"``, ``"low 1K"``; no variant for a flat price), all exact. A partial table adds,
per column, an at-least entry for each duration the column lacks above its first known row
(the largest known cell below it), an ``"over Ns …"`` entry for any duration past the last
row the docs showed, and unknown entries below the first row. A "from N" model is one
at-least entry, a model without a price one unknown entry. Reference surcharges are entries
of unit ``credit`` (counted in half credits). ``as_of`` is the file's ``checked`` date,
``source`` each model's page.
"""

from __future__ import annotations

from decimal import Decimal

from app.pricing.assets._file import HALF, AssetModel, AssetPrices, duration_of
from app.pricing.table import Bound, PriceEntry

RULE = "asset_generator"
REFERENCES = "reference inputs"
REFERENCES_AT_LEAST = "reference inputs, video length not given"
UNLISTED = "unlisted model"
"""The model name of the one entry that prices every model missing from the file (unknown)."""


def cell_variant(dims: tuple[str, ...], labels: tuple[str, ...]) -> str | None:
    """The variant text of a cell: its labels in the table's order, durations as "5s"."""
    parts = [f"{duration_of(lab)}s" if dim == "duration" else lab
             for dim, lab in zip(dims, labels, strict=True)]
    return " ".join(parts) or None


def over_variant(dims: tuple[str, ...], labels: tuple[str, ...], last: int) -> str:
    """The variant for any duration past ``last`` s in the column of ``labels``."""
    return " ".join(f"over {last}s" if d == "duration" else lab
                    for d, lab in zip(dims, labels, strict=True))


def under_variant(dims: tuple[str, ...], labels: tuple[str, ...], first: int) -> str:
    return " ".join(f"under {first}s" if d == "duration" else lab
                    for d, lab in zip(dims, labels, strict=True))


def asset_entries(prices: AssetPrices) -> tuple[PriceEntry, ...]:
    """Every price-table entry the file gives, plus the one for models it does not list."""
    out: list[PriceEntry] = []
    for model in prices.models.values():
        out.extend(_model_entries(prices, model))
    out.append(_entry(prices, UNLISTED, None, None, Bound.UNKNOWN, prices.source,
                      "Not in the price file: the price is known after the run."))
    return tuple(out)


def _entry(prices: AssetPrices, model: str, variant: str | None, rate: Decimal | None,
           bound: Bound, source: str, note: str, unit: str = "asset") -> PriceEntry:
    return PriceEntry(rule=RULE, phase="create", model=model, variant=variant, unit=unit,
                      increment=Decimal(1), rate=rate, as_of=prices.checked, source=source,
                      note=note, bound=bound)


def _model_entries(prices: AssetPrices, model: AssetModel) -> list[PriceEntry]:
    name, source = model.info.name, model.info.source
    if model.kind == "varies":
        return [_entry(prices, name, None, model.minimum, Bound.AT_LEAST, source,
                       "Only the docs' 'from' price (the lowest cell of the model's table) "
                       "is known: at least this per output.")]
    if model.kind == "unknown":
        return [_entry(prices, name, None, None, Bound.UNKNOWN, source,
                       "No price seen in the docs: known after the run.")]
    out = [_entry(prices, name, cell_variant(model.dims, labels), credits, Bound.EXACT,
                  source, "Per output (× the number of outputs).")
           for labels, credits in model.cells.items()]
    if model.partial:
        out.extend(_partial_entries(prices, model))
    if model.surcharge is not None:
        out.append(_entry(prices, name, REFERENCES, HALF, Bound.EXACT, source,
                          "Reference images beyond the free ones and seconds of reference "
                          "video, rounded up to the next half credit.", unit="credit"))
        out.append(_entry(prices, name, REFERENCES_AT_LEAST, HALF, Bound.AT_LEAST, source,
                          "A reference video whose length is not known: at least what is "
                          "known.", unit="credit"))
    elif model.unpriced_references:
        out.append(_entry(prices, name, REFERENCES, None, Bound.UNKNOWN, source,
                          "The docs say reference inputs cost extra but give no amounts.",
                          unit="credit"))
    return out


def columns(model: AssetModel) -> dict[tuple[str, ...], dict[int, Decimal]]:
    """A duration table's columns (the other labels) → {seconds: credits}."""
    at = model.dims.index("duration")
    out: dict[tuple[str, ...], dict[int, Decimal]] = {}
    for labels, credits in model.cells.items():
        column = (*labels[:at], "", *labels[at + 1:])
        out.setdefault(column, {})[duration_of(labels[at])] = credits
    return out


def _partial_entries(prices: AssetPrices, model: AssetModel) -> list[PriceEntry]:
    """The cells a cut-off table does not show: at least the largest known cell below it in
    its column; unknown where nothing below is known (or the table has no duration)."""
    name, source, dims = model.info.name, model.info.source, model.dims
    if "duration" not in dims:
        return []  # every shown cell is exact; any other label is refused as unknown
    at = dims.index("duration")
    known = columns(model)
    seconds = sorted({s for col in known.values() for s in col})
    first, last = seconds[0], seconds[-1]
    out: list[PriceEntry] = []
    for column, cells in known.items():
        def labels(sec: int, column: tuple[str, ...] = column) -> tuple[str, ...]:
            return (*column[:at], str(sec), *column[at + 1:])
        highest = max(cells)
        for sec in seconds:
            if sec in cells:
                continue
            variant = cell_variant(dims, labels(sec))
            below = [s for s in cells if s < sec]
            if below:
                floor = cells[max(below)]
                out.append(_entry(prices, name, variant, floor, Bound.AT_LEAST, source,
                                  f"Row cut off in the docs: at least the {max(below)} s "
                                  "price."))
            else:
                out.append(_entry(prices, name, variant, None, Bound.UNKNOWN, source,
                                  "Row not shown in the docs and none below it."))
        out.append(_entry(prices, name, over_variant(dims, labels(0), last), cells[highest],
                          Bound.AT_LEAST, source,
                          f"Past the last row the docs showed: at least the {highest} s "
                          "price."))
        out.append(_entry(prices, name, under_variant(dims, labels(0), first), None,
                          Bound.UNKNOWN, source, "Shorter than any row the docs showed."))
    return out
