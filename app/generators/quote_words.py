"""What a quote means for the send, in the words the window and the command line share.

One copy for both fronts (the generator tab and its confirmation, ``app.cli``): how sure a
price is (:func:`unknown_price`, :func:`budget_bound`), what the budget guard will hold it
to (:func:`guard_text`), the learned-price phrase, the breakdown with each compare-styles
step named (:func:`flow_lines`) and what the request about to leave costs
(:func:`first_step_credits`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from app.generators.quote import Quote, format_credits
from app.generators.spec import Flow, GeneratorSpec
from app.pricing import Bound
from app.pricing.money import dollars_text

__all__ = ["budget_bound", "first_step_credits", "flow_lines", "guard_text", "learned_text",
           "sent_values", "unknown_price"]


def unknown_price(q: Quote) -> bool:
    """Whether ``q`` has a request the price file gives no price for (not tokens: those are
    known after the run too, but by a documented rule)."""
    return any(e.credits is None and e.entry.bound is Bound.UNKNOWN for e in q.estimates)


def budget_bound(q: Quote | None) -> Bound | None:
    """How sure the price sent to the budget guard is: ``unknown`` where the docs give no
    price, ``at_least`` for a minimum; ``None`` otherwise (the session decides: exact, or
    tokens)."""
    if q is None:
        return None
    if unknown_price(q):
        return Bound.UNKNOWN
    return Bound.AT_LEAST if q.at_least else None


def guard_text(q: Quote, per_job: Decimal | None) -> str:
    """What the budget guard will hold a price it cannot know exactly to: an unknown price
    counts as the per-job ceiling (refused when none is set), "at least N" as the larger of
    N and the ceiling; "" for an exact price."""
    if unknown_price(q):
        if per_job is None:
            return ("No per-job ceiling is set, so the budget guard will refuse this job: set "
                    "one in Settings (it is what an unknown price is held to).")
        return (f"The budget guard counts it as your per-job ceiling, "
                f"{format_credits(per_job)}.")
    if q.at_least and q.credits is not None:
        if per_job is not None and per_job > q.credits:
            return (f"The budget guard counts it as your per-job ceiling, "
                    f"{format_credits(per_job)}.")
        return f"The budget guard counts it as {format_credits(q.credits)}."
    return ""


def learned_text(q: Quote) -> str:
    """``what your last run of this cost (6 Dec 2026)`` for a learned price, else ""."""
    if not q.from_learned or q.learned is None:
        return ""
    return f"what your last run of this cost ({q.learned.charged_on:%-d %b %Y})"


def flow_lines(q: Quote, flow: Flow) -> tuple[str, ...]:
    """The breakdown lines as the estimator, the confirmation and the command line show
    them: in the compare-styles flow each step is named, with its dollars where a plan is
    set."""
    if flow is not Flow.COMPARE_STYLES:
        return q.lines
    lines: list[str] = []
    for e in q.estimates:
        text = e.breakdown
        dollars = f" ({dollars_text(e.dollars)})" if e.dollars is not None else ""
        if e.request.phase == "preview":
            lines.append("Previews: " + text.removeprefix("Preview: ") + dollars)
        elif e.request.phase == "render":
            lines.append("Render of the chosen one: " + text.removeprefix("Render: ") + dollars)
        else:
            lines.append(text + dollars)
    return (*lines, *q.lines[len(q.estimates):])


def first_step_credits(q: Quote | None) -> Decimal | None:
    """What the request about to be sent costs: the whole quote, less a later render (a
    preview's or a chosen style's render is its own job, estimated when it is sent)."""
    if q is None or q.credits is None:
        return None
    later = sum((e.credits or Decimal(0) for e in q.estimates if e.request.phase == "render"),
                Decimal(0))
    return q.credits - later


def sent_values(spec: GeneratorSpec, request: Mapping[str, Any]) -> dict[str, Any]:
    """The form values a job was sent with, from its recorded ``request`` (what prices its
    render: model, length): the spec's defaults under what the request names."""
    values = dict(spec.defaults())
    values.update(spec.values_from_request(request))
    return values
