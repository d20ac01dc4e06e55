"""The flows a generator offers, in words, and the price settings a tab reads."""

from __future__ import annotations

from app.generators import Flow
from app.pricing import Plan

FLOW_LABELS = {Flow.CREATE: "In one step",
               Flow.PREVIEW_RENDER: "Preview, then render",
               Flow.COMPARE_STYLES: "Compare styles, render one",
               Flow.REGENERATE: "Regenerate from a job"}
"""The flow choice in a few words (it sits beside the estimate); the prices are the
estimator's (they depend on the model)."""

FLOW_TIPS = {Flow.CREATE: "Make it in one step.",
             Flow.PREVIEW_RENDER: "A cheap preview first; then render the preview you like.",
             Flow.COMPARE_STYLES: "A preview of each chosen style; then render the one you "
                                  "like (only that one is rendered).",
             Flow.REGENERATE: "Make it again from an earlier job (a new job)."}
"""What each flow does, in a sentence (the choice's tooltips)."""


def flow_label(flow: Flow) -> str:
    return FLOW_LABELS.get(flow, flow.value.replace("_", " ").capitalize())


def flow_tip(flow: Flow) -> str:
    return FLOW_TIPS.get(flow, flow_label(flow))




class PriceSettings:
    """What the tabs need from the settings to price a form (kept current by the window)."""

    def __init__(self, plan: Plan | None = None, words_per_minute: int = 150) -> None:
        self.plan = plan
        self.words_per_minute = words_per_minute

    @property
    def plan_name(self) -> str:
        return self.plan.name if self.plan else ""
