"""The flows a generator offers, in words, and the price settings a tab reads."""

from __future__ import annotations

from decimal import Decimal

from app.generators import Flow
from app.generators.quote import Quote
from app.pricing import Plan
from ui.generator.estimator import money

FLOW_LABELS = {Flow.CREATE: "Make it in one step",
               Flow.PREVIEW_RENDER: "Preview first, then render the preview you like",
               Flow.COMPARE_STYLES: "Compare styles: a preview of each, then render one",
               Flow.REGENERATE: "Regenerate from an earlier job (a new job)"}
"""The flow choice in words; the prices are the estimator's (they depend on the model)."""


def flow_label(flow: Flow) -> str:
    return FLOW_LABELS.get(flow, flow.value.replace("_", " ").capitalize())


def flow_lines(q: Quote, flow: Flow) -> tuple[str, ...]:
    """The breakdown lines as the estimator and the confirmation show them: in the
    compare-styles flow each step is named, with its dollars where a plan is set."""
    if flow is not Flow.COMPARE_STYLES:
        return q.lines
    lines: list[str] = []
    for e in q.estimates:
        text = e.breakdown
        dollars = f" ({money(e.dollars)})" if e.dollars is not None else ""
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


class PriceSettings:
    """What the tabs need from the settings to price a form (kept current by the window)."""

    def __init__(self, plan: Plan | None = None, words_per_minute: int = 150) -> None:
        self.plan = plan
        self.words_per_minute = words_per_minute

    @property
    def plan_name(self) -> str:
        return self.plan.name if self.plan else ""
