"""What the batch sheet says about a batch before it is sent: the dry run and the note under
each confirmation."""

from __future__ import annotations

from decimal import Decimal

from app.batch import BatchPlan, format_duration
from app.generators.quote import format_credits
from app.pricing import Plan
from ui.generator.estimator import money


def dry_run_text(d: BatchPlan, plan: Plan | None, balance: Decimal | None,
                 concurrency: int) -> str:
    """The dry run: credits (and dollars at ``plan``), the balance after, the wall time with
    ``concurrency`` jobs at a time — or why the batch cannot be priced yet."""
    if d.errors:
        more = f" (and {len(d.errors) - 1} more)" if len(d.errors) > 1 else ""
        return f"Cannot price the batch yet — {d.errors[0]}{more}"
    if d.credits is None or not d.sendable:
        return "Dry run: nothing to send."
    dollars = f" ({money(d.dollars)} at {plan.name})" if d.dollars is not None and plan \
        else ""
    after = f" · {format_credits(balance - d.credits)} left after" \
        if balance is not None else ""
    return (f"Dry run: {format_credits(d.credits)}{dollars} for {d.sendable:,} jobs"
            f"{after} · {format_duration(d.expected_seconds)} with "
            f"{concurrency} at a time · nothing has been sent.")


def money_note(sandbox: bool) -> str:
    """The end of a batch's confirmation: nothing billed, or each job checked before it goes."""
    if sandbox:
        return "\n\nSandbox: this runs on the built-in simulator; nothing is billed."
    return ("\n\nEach job is still checked against your balance and budget limits just "
            "before it is sent; a job over a limit is skipped, the others go on.")
