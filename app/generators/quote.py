"""A priced form: what the estimator panel and the confirmation dialog show.

Qt-free so the window, the self-test and the tests all compute the very same figures.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.generators.spec import Flow, GeneratorSpec
from app.pricing import Estimate, Plan, PriceTable, PricingError, estimate, total_credits
from app.pricing.money import credits_text

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Quote:
    """The estimate for one form: credits, dollars, the breakdown, the balance after, warnings.

    ``error`` is set (and the figures are ``None``) when the form cannot be priced yet, e.g. no
    length entered; the message says what is missing.
    """

    credits: Decimal | None
    dollars: Decimal | None
    lines: tuple[str, ...]
    warnings: tuple[str, ...]
    balance_after: Decimal | None
    known_after_run: bool = False
    error: str | None = None
    estimates: tuple[Estimate, ...] = ()
    saving: Decimal | None = None  # compare styles: what rendering every style would cost more

    @property
    def over_balance(self) -> bool:
        return self.balance_after is not None and self.balance_after < 0


format_credits = credits_text
"""Credits as the app writes them everywhere (``app.pricing.money.credits_text``)."""


def quote(spec: GeneratorSpec, values: Mapping[str, Any], seconds: float | None, *,
          flow: Flow = Flow.CREATE, plan: Plan | None = None, balance: Decimal | None = None,
          table: PriceTable | None = None, today: datetime.date | None = None) -> Quote:
    """Price ``values`` of ``spec`` billed as ``seconds`` long (``None``: not known yet)."""
    warnings: list[str] = []
    if spec.deprecated:
        warnings.append(f"{spec.title} is marked deprecated by Creatify: it is still served and "
                        "billed, but may go away.")
    timed = spec.timed(flow)
    if timed and (seconds is None or seconds <= 0):
        return Quote(None, None, (), tuple(warnings), None,
                     error=f"Enter the {spec.duration.label.lower()} to see the price.")
    if timed and seconds is not None and spec.duration_limit is not None \
            and seconds > (limit := spec.max_seconds(values)):
        return Quote(None, None, (), tuple(warnings), None,
                     error=f"The {spec.duration.label.lower()} is {seconds:g} s; "
                           f"{spec.title} takes at most {limit:g} s with these settings.")
    try:
        estimates = tuple(estimate(r, table, plan, today=today)
                          for r in spec.price_requests(values, seconds, flow))
    except PricingError as exc:
        return Quote(None, None, (), tuple(warnings), None, error=str(exc))
    if any(e.stale for e in estimates):
        as_of = min(e.as_of for e in estimates)
        warnings.append(f"Prices were last checked on {as_of:%d %b %Y}, over 90 days ago: "
                        "Creatify may have changed them.")
    lines = tuple(e.breakdown for e in estimates)
    credits = total_credits(estimates)
    if credits is None:
        return Quote(None, None, lines, tuple(warnings), None, known_after_run=True,
                     estimates=estimates)
    saving = None
    if flow is Flow.COMPARE_STYLES:
        saving, line = _compare_saving(spec, values, seconds, credits, table, plan, today)
        lines = (*lines, line) if line else lines
    dollars = (credits * plan.price_per_credit).quantize(CENT) if plan else None
    after = balance - credits if balance is not None else None
    if after is not None and after < 0:
        warnings.insert(0, f"This needs {format_credits(credits)} but only "
                           f"{format_credits(balance or Decimal(0))} remain.")
    return Quote(credits, dollars, lines, tuple(warnings), after, estimates=estimates,
                 saving=saving)


def _compare_saving(spec: GeneratorSpec, values: Mapping[str, Any], seconds: float | None,
                    credits: Decimal, table: PriceTable | None, plan: Plan | None,
                    today: datetime.date | None) -> tuple[Decimal | None, str]:
    """What making every compared style in one step would cost, and the line that says so."""
    styles = spec.style_count(values)
    if styles < 2:
        return None, ""
    try:
        requests = spec.price_requests(values, seconds, Flow.CREATE)
        link_rule = spec.link_maker.price_rule if spec.link_maker is not None else None
        each = total_credits(estimate(r, table, plan, today=today)
                             for r in requests if r.rule != link_rule)
        link = total_credits(estimate(r, table, plan, today=today)
                             for r in requests if r.rule == link_rule) or Decimal(0)
    except PricingError:
        return None, ""
    if each is None:
        return None, ""
    all_styles = each * styles + link  # one Link serves every style
    saving = all_styles - credits
    return saving, (f"Making all {styles} styles in one step would cost "
                    f"{format_credits(all_styles)}: comparing first saves "
                    f"{format_credits(saving)}.")
