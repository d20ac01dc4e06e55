"""What the confirmation before a paid step says: the cost of a send, of a preview's render,
of one compared style's render — and the inputs a finished job's render is priced on.

Plain text from plain figures (a quote, the plan's name, the balance), so the wording can be
read and tested apart from the tab.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from app.generators import DurationKind, GeneratorSpec
from app.generators.quote import Quote, format_credits
from app.generators.quote_words import guard_text, learned_text, sent_values, unknown_price
from app.jobs.ledger import JobRecord
from ui.generator.estimator import money
from ui.generator.styles_dialog import StyleCosts

SANDBOX_NOTE = "\n\nSandbox: this runs on the built-in simulator; nothing is billed."




def send_cost_text(q: Quote, plan_name: str, sandbox: bool,
                   per_job: Decimal | None = None) -> str:
    """The details of "Send this request?": estimate, breakdown, balance after, warnings;
    for a price the docs do not fix, what the budget guard holds it to (``per_job``: the
    per-job ceiling)."""
    if q.known_after_run and unknown_price(q):
        cost = ("Price unknown: the docs give no price for this model, so the charge is "
                "known only after the run (Creatify reports it with the job).\n"
                + guard_text(q, per_job))
        if q.lines:
            cost += "\n" + "\n".join(q.lines)
    elif q.known_after_run:
        cost = "Charged by tokens: the real cost is known after the run."
    else:
        assert q.credits is not None
        if q.at_least:
            cost = (f"Estimated cost: at least {format_credits(q.credits)} (the docs' lowest "
                    "price for this model; these settings may cost more)")
        else:
            cost = f"Estimated cost: {format_credits(q.credits)}"
            if q.from_learned:
                cost += f" — {learned_text(q)}"
        if q.dollars is not None:
            cost += f" ({'at least ' if q.at_least else ''}{money(q.dollars)} at {plan_name})"
        cost += ".\n" + "\n".join(q.lines)
        if q.at_least:
            cost += "\n" + guard_text(q, per_job)
        if q.balance_after is not None:
            after = "at most " if q.at_least else ""
            cost += f"\nBalance after: {after}{format_credits(q.balance_after)}."
    if q.warnings:
        cost += "\n\n" + "\n".join(f"⚠ {w}" for w in q.warnings)
    if sandbox:
        cost += SANDBOX_NOTE
    else:
        cost += ("\n\nCreatify cannot cancel a job once it is sent, and the credits are "
                 "spent when it finishes.")
    return cost


def render_cost_text(render_quote: Quote, preview: JobRecord, balance: Decimal | None,
                     plan_name: str, sandbox: bool) -> tuple[str, Decimal | None]:
    """The details of "Render this preview?" and the render's estimate (None: unknown)."""
    lines = [e for e in render_quote.estimates if e.request.phase == "render"]
    estimate = lines[0].credits if lines else None
    if lines and estimate is not None:
        cost = f"Render cost: {format_credits(estimate)}"
        if lines[0].dollars is not None:
            cost += f" ({money(lines[0].dollars)} at {plan_name})"
        cost += f". {lines[0].breakdown.removeprefix('Render: ')}"
        if preview.estimate is not None:
            cost += (f"\nThe preview cost {format_credits(preview.estimate)} (its own job); "
                     "the render is charged on top.")
        if balance is not None:
            cost += f"\nBalance after: {format_credits(balance - estimate)}."
    else:
        cost = render_quote.error or "The render's cost could not be worked out."
    if sandbox:
        cost += SANDBOX_NOTE
    else:
        cost += ("\n\nCreatify cannot cancel a render once it is sent, and the credits are "
                 "spent when it finishes.")
    return cost, estimate


def style_render_cost_text(costs: StyleCosts, seconds: float | None, balance: Decimal | None,
                           plan_name: str, sandbox: bool) -> str:
    """The details of "Render the … style?": its render only, what the previews cost and
    what rendering one style saves."""
    render = costs.render
    if render is not None and render.credits is not None:
        cost = f"Render cost: {format_credits(render.credits)}"
        if render.dollars is not None:
            cost += f" ({money(render.dollars)} at {plan_name})"
        cost += f". {render.breakdown.removeprefix('Render: ')}"
        if costs.previews is not None:
            cost += (f"\nThe {costs.count} previews cost "
                     f"{format_credits(costs.previews)}; only this style is rendered.")
        if costs.saving is not None:
            cost += (f"\nRendering only this one saves {format_credits(costs.saving)} "
                     f"against making all {costs.count} styles.")
        if balance is not None:
            cost += f"\nBalance after: {format_credits(balance - render.credits)}."
    else:
        cost = "The render's cost could not be worked out."
    if seconds:
        cost += f"\nBilled on the video's length: {seconds:g} s."
    if sandbox:
        cost += SANDBOX_NOTE
    return cost


def job_values(spec: GeneratorSpec, job: JobRecord,
               current: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The form values ``job`` was sent with (what prices its render: model, length);
    ``current()`` (the tab's values) when its request names none of the spec's fields."""
    if job.request and any(f.wire_name in job.request for f in spec.fields):
        return sent_values(spec, job.request)
    return current()


def job_seconds(spec: GeneratorSpec, values: dict[str, Any], words_per_minute: int
                ) -> float | None:
    """The billed length a job's own inputs give (its script or chosen length); a media
    length is the one entered in the tab (None here)."""
    if spec.duration.kind in (DurationKind.NONE, DurationKind.MEDIA):
        return None
    try:
        return spec.derive_seconds(values, words_per_minute)
    except ValueError:
        return None
