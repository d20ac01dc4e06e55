"""A priced form: what the estimator panel and the confirmation dialog show.

Qt-free so the window, the self-test and the tests all compute the very same figures.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.generators.spec import Flow, GeneratorSpec
from app.pricing import (
    Bound,
    Estimate,
    LearnedCharge,
    Plan,
    PriceTable,
    PricingError,
    estimate,
    total_credits,
)
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
    at_least: bool = False
    """``credits`` is a minimum: part of the price is only a "from N" (or not known)."""
    learned: LearnedCharge | None = None
    """The last real charge of the same model and price-driving inputs, if any."""
    from_learned: bool = False
    """``credits`` is (partly) that last real charge: no exact table price covered it."""

    @property
    def over_balance(self) -> bool:
        return self.balance_after is not None and self.balance_after < 0

    @property
    def bound(self) -> Bound:
        """``unknown`` (no figure), ``at_least`` (a minimum) or ``exact``."""
        if self.credits is None:
            return Bound.UNKNOWN
        return Bound.AT_LEAST if self.at_least else Bound.EXACT


format_credits = credits_text
"""Credits as the app writes them everywhere (``app.pricing.money.credits_text``)."""


def quote(spec: GeneratorSpec, values: Mapping[str, Any], seconds: float | None, *,
          flow: Flow = Flow.CREATE, plan: Plan | None = None, balance: Decimal | None = None,
          table: PriceTable | None = None, today: datetime.date | None = None,
          learned: Callable[[str], LearnedCharge | None] | None = None) -> Quote:
    """Price ``values`` of ``spec`` billed as ``seconds`` long (``None``: not known yet).

    ``learned(key)`` is asked for each priced request that carries a learned-price key: where
    no exact table price covers that request, the last real charge is the figure ("N credits
    — what your last run of this cost (date)"); where one does and the two differ, a warning
    says so. A "from N" price makes the quote "at least"; a part whose price is unknown
    leaves the other parts as the minimum, and a quote with no known part has no figure.
    """
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
    lines = [e.breakdown for e in estimates]
    figure = _Figure.of(estimates, learned, lines, warnings)
    if figure.credits is None:
        return Quote(None, None, tuple(lines), tuple(warnings), None, known_after_run=True,
                     estimates=estimates, learned=figure.learned)
    credits = figure.credits
    saving = None
    if flow is Flow.COMPARE_STYLES and not figure.at_least and not figure.from_learned:
        saving, line = _compare_saving(spec, values, seconds, credits, table, plan, today)
        lines = [*lines, line] if line else lines
    dollars = (credits * plan.price_per_credit).quantize(CENT) if plan else None
    after = balance - credits if balance is not None else None
    if after is not None and after < 0:
        needs = "at least " if figure.at_least else ""
        warnings.insert(0, f"This needs {needs}{format_credits(credits)} but only "
                           f"{format_credits(balance or Decimal(0))} remain.")
    return Quote(credits, dollars, tuple(lines), tuple(warnings), after, estimates=estimates,
                 saving=saving, at_least=figure.at_least, learned=figure.learned,
                 from_learned=figure.from_learned)


@dataclass(slots=True)
class _Figure:
    """The quote's credits from its estimates and any learned charges."""

    credits: Decimal | None
    at_least: bool
    learned: LearnedCharge | None
    from_learned: bool

    @classmethod
    def of(cls, estimates: Sequence[Estimate],
           learned: Callable[[str], LearnedCharge | None] | None,
           lines: list[str], warnings: list[str]) -> _Figure:
        groups: dict[str | None, list[Estimate]] = {}
        for item in estimates:
            groups.setdefault(item.request.key, []).append(item)
        known: list[Decimal] = []
        at_least = from_learned = unknown = False
        last: LearnedCharge | None = None
        for key, group in groups.items():
            charge = learned(key) if learned is not None and key is not None else None
            last = charge or last
            exact = all(e.bound is Bound.EXACT and e.credits is not None for e in group)
            table_total = total_credits(group)
            if charge is not None and exact and table_total is not None:
                if table_total != charge.credits:
                    warnings.append(
                        f"The price table says {format_credits(table_total)}, but your last "
                        f"run of this ({_day(charge.charged_on)}) was charged "
                        f"{format_credits(charge.credits)}: Creatify's price may have "
                        "changed.")
            elif charge is not None:
                lines.append(f"{format_credits(charge.credits)} — what your last run of this "
                             f"cost ({_day(charge.charged_on)})")
                known.append(charge.credits)
                from_learned = True
                continue
            for item in group:
                if item.credits is None:
                    unknown = True
                else:
                    known.append(item.credits)
                    at_least = at_least or item.bound is Bound.AT_LEAST
        if unknown and not known:
            return cls(None, False, last, False)
        if unknown:
            at_least = True
            warnings.append("Part of this price is unknown until the run: the figure is the "
                            "part that is known, a minimum.")
        elif at_least:
            warnings.append("Only the lowest price of this model is known: Creatify may "
                            "charge more. The real charge is recorded after the run.")
        return cls(sum(known, Decimal(0)), at_least, last, from_learned)


def _day(day: datetime.date) -> str:
    """``6 Dec 2026``."""
    return f"{day.day} {day:%b %Y}"


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
