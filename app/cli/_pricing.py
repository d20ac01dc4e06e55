"""The estimate a command shows, computed exactly as the window computes it.

The figures are :func:`app.generators.quote.quote`'s — the same call the generator tab makes
(values, billed length, flow, plan, balance, learned prices) — and the confirmation's wording
follows the window's. What a quote means for the send (how sure the price is, what the budget
guard holds it to, the compare-styles lines, the first step's credits) is
:mod:`app.generators.quote_words`, shared with the window.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from app.generators import DurationKind, Flow, GeneratorSpec
from app.generators.quote import Quote, format_credits, quote
from app.generators.quote_words import (
    first_step_credits,
    flow_lines,
    guard_text,
    sent_values,
    unknown_price,
)
from app.jobs.ledger import JobRecord
from app.pricing import LearnedCharge, Plan
from app.pricing.money import dollars_text

Learned = Callable[[str], LearnedCharge | None]


def billed_seconds(spec: GeneratorSpec, values: Mapping[str, Any], given: float | None,
                   wpm: int) -> float | None:
    """``--seconds`` when given, else the length the window's duration control starts from."""
    if given is not None:
        return given
    try:
        return spec.derive_seconds(values, wpm)
    except ValueError:
        return None






def quote_dict(q: Quote, flow: Flow, plan: Plan | None) -> dict[str, Any]:
    """A quote for ``--json``: every figure the estimator panel shows."""
    return {
        "credits": q.credits, "dollars": q.dollars, "plan": plan.key if plan else None,
        "bound": q.bound.value, "at_least": q.at_least, "known_after_run": q.known_after_run,
        "from_learned": q.from_learned, "lines": list(flow_lines(q, flow)),
        "warnings": list(q.warnings), "balance_after": q.balance_after,
        "over_balance": q.over_balance, "error": q.error, "saving": q.saving,
        "first_step_credits": first_step_credits(q),
    }


def headline(q: Quote, plan: Plan | None) -> str:
    """The estimate in one sentence, as the panel and the confirmation word it."""
    if q.error is not None and q.credits is None and not q.known_after_run:
        return f"Cannot be priced yet: {q.error}"
    if q.known_after_run and unknown_price(q):
        head = ("Price unknown: the docs give no price for this model; the charge is known "
                "only after the run")
        if q.credits is not None:
            head += f" (at least {format_credits(q.credits)})"
        return head + "."
    if q.known_after_run:
        return "Charged by tokens: the real cost is known after the run."
    assert q.credits is not None
    least = "at least " if q.at_least else ""
    text = f"Estimated cost: {least}{format_credits(q.credits)}"
    if q.from_learned and q.learned is not None:
        text += f" — what your last run of this cost ({q.learned.charged_on:%-d %b %Y})"
    if q.dollars is not None and plan is not None:
        text += f" ({least}{dollars_text(q.dollars)} at {plan.name})"
    return text + "."



def cost_text(q: Quote, flow: Flow, plan: Plan | None, per_job: Decimal | None,
              sandbox: bool) -> list[str]:
    """The lines shown before a paid send (the window's confirmation, as text)."""
    lines = [headline(q, plan), *flow_lines(q, flow)]
    if guard := guard_text(q, per_job):
        lines.append(guard)
    if q.balance_after is not None and q.credits is not None:
        lines.append(f"Balance after: {'at most ' if q.at_least else ''}"
                     f"{format_credits(q.balance_after)}.")
    lines += [f"Warning: {w}" for w in q.warnings]
    lines.append("Sandbox: the built-in simulator; nothing is billed." if sandbox else
                 "Creatify cannot cancel a job once it is sent; the credits are spent when it "
                 "finishes.")
    return lines


def job_values(spec: GeneratorSpec, job: JobRecord) -> dict[str, Any]:
    """The form values a job was sent with (what prices its render: model, length)."""
    return sent_values(spec, job.request)


def render_quote(spec: GeneratorSpec, job: JobRecord, plan: Plan | None,
                 balance: Decimal | None, wpm: int) -> tuple[Quote, Decimal | None]:
    """The render of a ready preview priced as the window prices it: the preview flow's quote
    on the job's own inputs and length; returns it and the render step's credits."""
    values = job_values(spec, job)
    seconds = job.duration
    if not seconds and spec.duration.kind not in (DurationKind.NONE, DurationKind.MEDIA):
        seconds = billed_seconds(spec, values, None, wpm)
    q = quote(spec, values, seconds, flow=Flow.PREVIEW_RENDER, plan=plan, balance=balance)
    render = [e for e in q.estimates if e.request.phase == "render"]
    return q, render[0].credits if render else None


def style_quote(spec: GeneratorSpec, job: JobRecord, plan: Plan | None,
                balance: Decimal | None) -> tuple[Quote, Decimal | None]:
    """The render of one compared style, priced as the styles dialog prices it."""
    styles = [p.visual_style for p in job.previews]
    values = spec.with_styles(job.request, styles)
    seconds = job.duration or next((p.duration for p in job.previews if p.duration), None)
    if not seconds:
        try:
            seconds = spec.derive_seconds(job.request)
        except ValueError:
            seconds = None
    q = quote(spec, values, seconds, flow=Flow.COMPARE_STYLES, plan=plan, balance=balance)
    render = next((e for e in q.estimates if e.request.phase == "render"), None)
    return q, render.credits if render is not None else None


__all__ = ["billed_seconds", "cost_text", "headline", "job_values", "quote_dict", "render_quote",
           "style_quote"]
