"""``generators``, ``estimate`` and ``catalogue``: what can be made, what it costs, and the ids
a script needs for the fields that take them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.catalogue_rows import (
    Row,
    accent_rows,
    matches,
    music_rows,
    persona_rows,
    search_words,
    template_rows,
)
from app.cli._codes import CATALOGUES, FLOW_NAMES, CliError, Exit
from app.cli._context import Context
from app.cli._pricing import billed_seconds, headline, quote_dict
from app.cli._values import field_problems, form_values
from app.generators import BY_KEY, SPECS, Field, Flow, GeneratorSpec
from app.generators.quote import quote
from app.generators.quote_words import flow_lines

FLOWS = {short: Flow(full) for short, full in FLOW_NAMES.items()}
"""The short flow names the options take (the full ones are accepted too)."""


def generator(key: str) -> GeneratorSpec:
    if key not in BY_KEY:
        raise CliError(f"Unknown generator {key!r}; see `creatify-studio generators`. Known: "
                       f"{', '.join(BY_KEY)}.", Exit.USAGE)
    return BY_KEY[key]


def flow_of(spec: GeneratorSpec, name: str | None) -> Flow:
    """``--flow`` (short or full name), checked against the flows the generator offers."""
    if name is None:
        return spec.flows[0]
    flow = FLOWS.get(name)
    if flow is None:
        try:
            flow = Flow(name)
        except ValueError:
            flow = None
    if flow is None or flow not in spec.flows:
        offered = ", ".join(short_flow(f) for f in spec.flows)
        raise CliError(f"{spec.key} has no flow {name!r}; it offers: {offered}.", Exit.USAGE)
    return flow


def short_flow(flow: Flow) -> str:
    return next((k for k, v in FLOWS.items() if v is flow), flow.value)


# ---------------------------------------------------------------------------- generators

def field_dict(f: Field) -> dict[str, Any]:
    return {"name": f.name, "label": f.label, "kind": f.kind.value, "required": f.required,
            "default": f.default, "choices": [c.value for c in f.choices],
            "open_choices": f.open_choices, "minimum": f.minimum, "maximum": f.maximum,
            "max_length": f.max_length, "min_items": f.min_items, "max_items": f.max_items,
            "flows": [short_flow(x) for x in f.flows], "help": f.help}


def spec_dict(spec: GeneratorSpec) -> dict[str, Any]:
    return {"key": spec.key, "title": spec.title, "billing_row": spec.billing_row,
            "flows": [short_flow(f) for f in spec.flows], "result": spec.result_kind.value,
            "length": spec.duration.kind.value, "length_field": spec.duration.field,
            "deprecated": spec.deprecated, "fields": [field_dict(f) for f in spec.fields]}


def _field_line(f: Field) -> str:
    parts = [f.kind.value, "required" if f.required else "optional"]
    if f.choices:
        shown = ", ".join(str(c.value) for c in f.choices[:12])
        more = ", …" if len(f.choices) > 12 else ""
        parts.append(f"{'e.g. ' if f.open_choices else 'one of '}{shown}{more}")
    if f.minimum is not None or f.maximum is not None:
        parts.append(f"{f.minimum if f.minimum is not None else ''}..."
                     f"{f.maximum if f.maximum is not None else ''}")
    if f.max_length:
        parts.append(f"at most {f.max_length:,} characters")
    if f.default is not None:
        parts.append(f"default {f.default}")
    if f.flows:
        parts.append("only for " + "/".join(short_flow(x) for x in f.flows))
    return f"    {f.name}: {f.label} ({'; '.join(parts)})"


async def cmd_generators(ctx: Context) -> int:
    for spec in SPECS:
        ctx.out.emit("generator", **spec_dict(spec))
        flows = ", ".join(short_flow(f) for f in spec.flows)
        ctx.out.line(f"{spec.key} — {spec.title} (flows: {flows})")
        for f in spec.fields:
            ctx.out.line(_field_line(f))
    ctx.out.emit("result", count=len(SPECS))
    return Exit.DONE


# ---------------------------------------------------------------------------- estimate

async def cmd_estimate(ctx: Context) -> int:
    """The window's quote for a form: offline from the saved catalogues, or — when a
    connection is configured (``--sandbox`` or a key in the environment) — with the balance,
    the catalogues refreshed and the prices learned from this ledger, as the window has them."""
    args = ctx.args
    spec = generator(args.generator)
    flow = flow_of(spec, args.flow)
    values = form_values(spec, args.values, args.set)
    session = await ctx.connect(catalogues=True) if ctx.can_connect() else None
    plan = ctx.plan()
    seconds = billed_seconds(spec, values, args.seconds, ctx.wpm)
    q = quote(spec, values, seconds, flow=flow, plan=plan,
              balance=session.credits if session else None,
              learned=session.learned_price if session else None)
    problems = spec.validate(values, flow)
    ctx.out.emit("estimate", generator=spec.key, flow=short_flow(flow), seconds=seconds,
                 problems=problems, **quote_dict(q, flow, plan))
    ctx.out.line(f"{spec.title} ({short_flow(flow)}"
                 + (f", {seconds:g} s" if seconds else "") + ")")
    ctx.out.line(headline(q, plan))
    for line in flow_lines(q, flow):
        ctx.out.line(f"  {line}")
    for warning in q.warnings:
        ctx.out.line(f"  Warning: {warning}")
    if q.balance_after is not None and q.credits is not None:
        ctx.out.line(f"  Balance after: {q.balance_after.normalize():f} credits")
    if problems:
        ctx.out.note(f"Not sendable yet: {field_problems(spec, problems)}")
    if q.credits is None and not q.known_after_run:
        return Exit.USAGE
    return Exit.DONE


# ---------------------------------------------------------------------------- catalogues

def _model_rows(items: Iterable[Any]) -> list[Row]:
    rows = []
    for item in items:
        if isinstance(item, Mapping) and item.get("model_name"):
            name = str(item["model_name"])
            kind = str(item.get("generation_type") or item.get("type") or "")
            label = f"{item.get('title') or name}" + (f" — {kind}" if kind else "")
            rows.append(Row(label, name, f"{label} {name}".casefold()))
    return rows


def _inspiration_rows(items: Iterable[Any]) -> list[Row]:
    rows = []
    for item in items:
        if isinstance(item, Mapping) and item.get("id"):
            cost = item.get("credit_cost")
            label = f"{item.get('name') or 'Untitled'}" + (f" — {cost} credits"
                                                          if cost is not None else "")
            rows.append(Row(label, str(item["id"]), label.casefold()))
    return rows


async def cmd_catalogue(ctx: Context) -> int:
    kind = ctx.args.kind
    session = await ctx.connect(catalogues=kind in ("models", "inspirations"))
    items: list[Any]
    if kind == "links":
        assert session.client is not None
        links = await session.client.list_links()
        rows = [Row(f"{link.title or link.url}", link.id, f"{link.title} {link.url}".casefold())
                for link in links]
        items = [dict(link.raw) for link in links]
    elif kind in ("models", "inspirations"):
        items = session.catalogue("asset_schemas" if kind == "models" else kind) or []
        rows = _model_rows(items) if kind == "models" else _inspiration_rows(items)
    else:
        source = {"avatars": "personas", "voices": "voices", "musics": "musics",
                  "templates": "custom_templates"}[kind]
        items = await session.read_catalogue(source)
        maker = {"avatars": persona_rows, "voices": accent_rows, "musics": music_rows,
                 "templates": template_rows}[kind]
        rows = maker(items)
    words = search_words(ctx.args.search or "")
    shown = [row for row in rows if matches(row, words)]
    for row in shown:
        ctx.out.emit("item", kind=kind, id=row.value, label=row.label,
                     sample=row.sample, thumbnail=row.thumbnail)
        ctx.out.line(f"{row.value}\t{row.label}")
    ctx.out.emit("result", kind=kind, count=len(shown), total=len(rows))
    if not ctx.out.json and not shown:
        ctx.out.note(f"No {kind} match." if words else f"No {kind}.")
    return Exit.DONE


__all__ = ["CATALOGUES", "FLOWS", "cmd_catalogue", "cmd_estimate", "cmd_generators",
           "flow_of", "generator", "short_flow"]
