"""What the batch sheet says about a batch: its status line, which follows the batch's state
(no links yet → dry run, not sent yet → sending N of M → sent: N jobs, with the estimate), and
the note under each confirmation."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from app.batch import BatchPlan, BatchRow, RowState, format_duration
from app.generators.quote import format_credits
from app.pricing import Plan
from app.pricing.money import dollars_text

EMPTY = ("No links yet: paste product page links into the box above and press Add (or "
         "press Ctrl+V on this sheet), drop links on the window, or use Import CSV…")
"""The status of a sheet with no rows."""

PASTE_HINT = "Paste product page links, one per line"
"""The paste box's placeholder."""


def dry_run_text(d: BatchPlan, plan: Plan | None, balance: Decimal | None,
                 concurrency: int) -> str:
    """The dry run: credits (and dollars at ``plan``), the balance after, the wall time with
    ``concurrency`` jobs at a time — or why the batch cannot be priced yet."""
    if d.errors:
        more = f" (and {len(d.errors) - 1} more)" if len(d.errors) > 1 else ""
        return f"Cannot price the batch yet — {d.errors[0]}{more}"
    if not d.rows:
        return EMPTY
    if d.credits is None or not d.sendable:
        return "Dry run: nothing to send."
    dollars = f" ({dollars_text(d.dollars)} at {plan.name})" if d.dollars is not None and plan \
        else ""
    after = f" · {format_credits(balance - d.credits)} left after" \
        if balance is not None else ""
    return (f"Dry run: {format_credits(d.credits)}{dollars} for {d.sendable:,} jobs"
            f"{after} · {format_duration(d.expected_seconds)} with "
            f"{concurrency} at a time · not sent yet.")


def _jobs(n: int) -> str:
    return f"{n:,} job{'s' if n != 1 else ''}"


def _outcomes(rows: Sequence[BatchRow], *, sending: bool) -> list[str]:
    """How the sent rows stand: "2 running, 3 done, 1 failed, 1 skipped by the budget
    guard, 2 not sent"."""
    counts: dict[RowState, int] = {}
    for row in rows:
        if row.sendable:
            counts[row.state] = counts.get(row.state, 0) + 1
    parts = []
    for state, words in ((RowState.SENDING, "being sent"), (RowState.RUNNING, "running"),
                         (RowState.DONE, "done"), (RowState.FAILED, "failed"),
                         (RowState.SKIPPED, "skipped by the budget guard"),
                         (RowState.READY, "waiting to be sent" if sending else "not sent")):
        if counts.get(state):
            parts.append(f"{counts[state]:,} {words}")
    return parts


def batch_status(rows: Sequence[BatchRow], *, sending: bool, estimate: Decimal | None,
                 stopped: bool = False) -> str:
    """The status of a batch that was sent: "Sending: 3 of 6 sent (…)" while its runner
    works, "Sent: 6 jobs (…)" once it is over — with the estimate of everything sent
    (``estimate``, None when unknown)."""
    total = sum(1 for r in rows if r.sendable)
    sent = sum(1 for r in rows if r.sendable and r.job_key is not None)
    details = ", ".join(_outcomes(rows, sending=sending))
    details = f" ({details})" if details else ""
    cost = f" · estimate {format_credits(estimate)} in all" if estimate is not None else ""
    if sending:
        head = "Stopping" if stopped else "Sending"
        return f"{head}: {sent:,} of {total:,} sent{details}{cost}."
    head = f"Sent: {_jobs(sent)}" + (f" of {total:,}" if sent < total else "")
    return f"{head}{details}{cost}."


def money_note(sandbox: bool) -> str:
    """The end of a batch's confirmation: nothing billed, or each job checked before it goes."""
    if sandbox:
        return "\n\nSandbox: this runs on the built-in simulator; nothing is billed."
    return ("\n\nEach job is still checked against your balance and budget limits just "
            "before it is sent; a job over a limit is skipped, the others go on.")
