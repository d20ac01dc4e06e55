"""The budget guard's arithmetic and messages (each limit alone, then together)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from app.jobs.budget import (
    BudgetError,
    BudgetFigures,
    BudgetLimits,
    Limit,
    check_budget,
    counted_cost,
    day_start,
    month_start,
    parse_limit,
)
from app.pricing import Bound

D = Decimal


def figures(estimate: str | None = "10", balance: str = "500", committed: str = "0",
            today: str = "0", month: str = "0") -> BudgetFigures:
    return BudgetFigures(None if estimate is None else D(estimate), D(balance), D(committed),
                         D(today), D(month))


def test_no_limits_and_enough_credits_go_ahead() -> None:
    assert check_budget(BudgetLimits(), figures()) == []
    assert check_budget(BudgetLimits(), figures("500")) == []  # exactly the balance


def test_the_balance_less_what_is_committed_must_cover_the_job() -> None:
    [refusal] = check_budget(BudgetLimits(), figures("10", balance="25", committed="20"))
    assert refusal.limit is Limit.BALANCE and refusal.over_by == 5
    assert refusal.message == ("Not enough credits: this job needs 10, 5 are available of 25 "
                               "remaining (20 committed to jobs in flight) — short by 5.")
    assert check_budget(BudgetLimits(), figures("10", balance="30", committed="20")) == []


def test_a_job_priced_after_the_run_needs_some_credit_left() -> None:
    assert check_budget(BudgetLimits(), figures(None, balance="1")) == []
    [refusal] = check_budget(BudgetLimits(), figures(None, balance="3", committed="3"))
    assert refusal.limit is Limit.BALANCE
    assert refusal.message == ("No credits left to spend: 3 remaining (3 committed to jobs in "
                               "flight).")


def test_the_per_job_ceiling() -> None:
    limits = BudgetLimits(per_job=D("10"))
    assert check_budget(limits, figures("10")) == []
    [refusal] = check_budget(limits, figures("12.5"))
    assert (refusal.limit, refusal.over_by) == (Limit.PER_JOB, D("2.5"))
    assert refusal.message == ("This job's estimate of 12.5 credits is over your per-job "
                               "ceiling of 10 by 2.5.")


def test_the_daily_cap_counts_spent_committed_and_this_job() -> None:
    limits = BudgetLimits(daily=D("100"))
    assert check_budget(limits, figures("10", committed="15", today="75")) == []
    [refusal] = check_budget(limits, figures("10", committed="15", today="80"))
    assert (refusal.limit, refusal.over_by) == (Limit.DAILY, D("5"))
    assert refusal.message == ("Over your daily cap of 100 credits by 5: 80 spent today + 15 "
                               "in flight + 10 for this job = 105.")


def test_the_monthly_cap() -> None:
    [refusal] = check_budget(BudgetLimits(monthly=D("1000")),
                             figures("30", month="980"))
    assert (refusal.limit, refusal.over_by) == (Limit.MONTHLY, D("10"))
    assert refusal.message == ("Over your monthly cap of 1,000 credits by 10: 980 spent this "
                               "month + 30 for this job = 1,010.")


def test_the_low_balance_threshold() -> None:
    limits = BudgetLimits(low_balance=D("50"))
    assert check_budget(limits, figures("10", balance="60")) == []
    [refusal] = check_budget(limits, figures("10", balance="60", committed="5"))
    assert (refusal.limit, refusal.over_by) == (Limit.LOW_BALANCE, D("5"))
    assert refusal.message == ("This job would leave 45 credits (5 committed to jobs in "
                               "flight), below your low-balance threshold of 50 by 5.")


def test_every_crossed_limit_is_named_in_one_error() -> None:
    limits = BudgetLimits(per_job=D(5), daily=D(5), monthly=D(5), low_balance=D(495))
    refusals = check_budget(limits, figures("10", balance="8"))
    assert [r.limit for r in refusals] == [Limit.BALANCE, Limit.PER_JOB, Limit.DAILY,
                                           Limit.MONTHLY, Limit.LOW_BALANCE]
    error = BudgetError(refusals)
    assert error.message.endswith("Nothing was sent.")
    assert all(r.message in error.message for r in refusals)


@pytest.mark.parametrize(("text", "value"), [("", None), ("  ", None), ("0", D(0)),
                                             ("1,500", D(1500)), ("12.5", D("12.5"))])
def test_limits_from_settings_text(text: str, value: Decimal | None) -> None:
    assert parse_limit(text, "daily cap") == value


@pytest.mark.parametrize("text", ["-1", "ten", "nan", "inf", "1e999999999"])
def test_bad_limits_say_what_is_wrong(text: str) -> None:
    with pytest.raises(ValueError, match="daily cap"):
        parse_limit(text, "daily cap")


def test_days_and_months_start_at_local_midnight() -> None:
    zone = timezone(timedelta(hours=-5))
    now = datetime(2026, 11, 25, 1, 30, tzinfo=zone)
    assert day_start(now) == datetime(2026, 11, 25, tzinfo=zone)
    assert month_start(now) == datetime(2026, 11, 1, tzinfo=zone)


# --- prices that are not exact ----------------------------------------------------------------

def bounded(estimate: str | None, bound: Bound, balance: str = "500", today: str = "0",
            committed: str = "0") -> BudgetFigures:
    return BudgetFigures(None if estimate is None else D(estimate), D(balance), D(committed),
                         D(today), D("0"), bound=bound)


def test_an_unknown_price_without_a_ceiling_is_refused_with_what_to_do() -> None:
    [refusal] = check_budget(BudgetLimits(), bounded(None, Bound.UNKNOWN))
    assert refusal.limit is Limit.PER_JOB
    assert refusal.message == (
        "This job's price is unknown until it has run, and no per-job ceiling is set to count "
        "in its place: set a per-job ceiling in Settings → Budget to send it.")
    # even with plenty of credits and other limits: never counted as zero
    assert check_budget(BudgetLimits(daily=D(1000)), bounded(None, Bound.UNKNOWN))


def test_an_unknown_price_counts_as_the_per_job_ceiling() -> None:
    limits = BudgetLimits(per_job=D(40))
    assert check_budget(limits, bounded(None, Bound.UNKNOWN)) == []
    assert counted_cost(limits, bounded(None, Bound.UNKNOWN))[0] == 40
    [refusal] = check_budget(limits, bounded(None, Bound.UNKNOWN, balance="30"))
    assert refusal.limit is Limit.BALANCE and refusal.over_by == 10
    assert refusal.message == (
        "Not enough credits: this job needs 40 (its price is unknown until the run, so your "
        "per-job ceiling of 40 is counted), 30 are available of 30 remaining — short by 10.")
    [daily] = check_budget(BudgetLimits(per_job=D(40), daily=D(100)),
                           bounded(None, Bound.UNKNOWN, today="70"))
    assert daily.limit is Limit.DAILY and daily.over_by == 10
    assert "+ 40 for this job (its price is unknown until the run" in daily.message


def test_at_least_counts_as_the_larger_of_the_minimum_and_the_ceiling() -> None:
    assert counted_cost(BudgetLimits(), bounded("16", Bound.AT_LEAST))[0] == 16
    assert counted_cost(BudgetLimits(per_job=D(50)), bounded("16", Bound.AT_LEAST))[0] == 50
    [refusal] = check_budget(BudgetLimits(per_job=D(50)),
                             bounded("16", Bound.AT_LEAST, balance="40"))
    assert refusal.limit is Limit.BALANCE and refusal.over_by == 10
    assert "(its price is at least 16, so your per-job ceiling of 50 is counted)" in \
        refusal.message
    [over] = check_budget(BudgetLimits(per_job=D(10)), bounded("16", Bound.AT_LEAST))
    assert over.limit is Limit.PER_JOB and over.over_by == 6
    assert over.message == ("This job's estimate of at least 16 credits is over your per-job "
                            "ceiling of 10 by 6.")
    [low] = check_budget(BudgetLimits(low_balance=D(90)),
                         bounded("16", Bound.AT_LEAST, balance="100"))
    assert low.limit is Limit.LOW_BALANCE and low.over_by == 6
    assert "(its price is at least 16)" in low.message


def test_an_exact_estimate_and_token_pricing_are_unchanged() -> None:
    assert counted_cost(BudgetLimits(per_job=D(50)), bounded("16", Bound.EXACT)) == (D(16), "")
    # priced by tokens after the run: needs only some credits left, as before
    assert check_budget(BudgetLimits(), bounded(None, Bound.EXACT)) == []
