"""The flows a generator offers, in words, and the price settings a tab reads."""

from __future__ import annotations

from app.generators import Flow
from app.pricing import Plan

FLOW_LABELS = {Flow.CREATE: "Make it in one step",
               Flow.PREVIEW_RENDER: "Preview first, then render the preview you like",
               Flow.COMPARE_STYLES: "Compare styles: a preview of each, then render one",
               Flow.REGENERATE: "Regenerate from an earlier job (a new job)"}
"""The flow choice in words; the prices are the estimator's (they depend on the model)."""


def flow_label(flow: Flow) -> str:
    return FLOW_LABELS.get(flow, flow.value.replace("_", " ").capitalize())




class PriceSettings:
    """What the tabs need from the settings to price a form (kept current by the window)."""

    def __init__(self, plan: Plan | None = None, words_per_minute: int = 150) -> None:
        self.plan = plan
        self.words_per_minute = words_per_minute

    @property
    def plan_name(self) -> str:
        return self.plan.name if self.plan else ""
