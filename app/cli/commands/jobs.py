"""``jobs``, ``show``, ``watch``, ``download`` and ``credits``: the ledger the window keeps, read
and followed from the command line.

``jobs`` and ``show`` read the ledger file of the mode (``jobs.sqlite3``, or the sandbox's)
without connecting: no request is made and they work offline. ``watch`` and ``download``
connect, so the session's job manager follows and saves exactly as the window's does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from app.cli._context import Context
from app.cli._exit import CliError, Exit
from app.cli._follow import Reporter, exit_code, find_job, save
from app.cli._output import job_dict
from app.jobs.ledger import JobRecord, JobState, Ledger, LedgerError
from app.pricing.money import credit_figure, dollars_text

FOLLOWED = frozenset({JobState.SUBMITTING, JobState.PENDING, JobState.QUEUED, JobState.RUNNING,
                      JobState.STALLED})
"""What ``watch`` waits for; ``unknown`` jobs are being looked up, which may never end."""


@contextlib.contextmanager
def ledger_of(ctx: Context) -> Iterator[Ledger | None]:
    """The mode's ledger file, opened for reading (``None`` when there is none yet)."""
    name = "sandbox-jobs.sqlite3" if ctx.args.sandbox else "jobs.sqlite3"
    path: Path = ctx.paths.data_dir / name
    if not path.exists():
        yield None
        return
    try:
        ledger = Ledger(path)
    except LedgerError as exc:
        raise CliError(str(exc), Exit.FAILED) from None
    try:
        yield ledger
    finally:
        ledger.close()


def _line(r: JobRecord) -> str:
    progress = f" {r.progress * 100:.0f}%" if r.progress is not None and not \
        r.state.is_terminal else ""
    cost = r.credits_used if r.credits_used is not None else r.estimate
    credits = f"{credit_figure(cost)} cr" if cost is not None else "? cr"
    return (f"{r.short_key}  {r.created_at:%Y-%m-%d %H:%M}  {r.generator:<16} "
            f"{r.state.value + progress:<14} {credits:>8}  {r.title[:50]}")


async def cmd_jobs(ctx: Context) -> int:
    with ledger_of(ctx) as ledger:
        records = ledger.page(limit=ctx.args.limit) if ledger is not None else []
    if ctx.args.active:
        records = [r for r in records if r.state.is_active]
    for record in records:
        ctx.out.emit("job", job=job_dict(record))
        ctx.out.line(_line(record))
    ctx.out.emit("result", count=len(records))
    if not records and not ctx.out.json:
        ctx.out.note("No jobs." if not ctx.args.active else "No active jobs.")
    return Exit.DONE


async def cmd_show(ctx: Context) -> int:
    with ledger_of(ctx) as ledger:
        records = ledger.page(limit=100_000) if ledger is not None else []
        record = find_job(records, ctx.args.job)
        events = ledger.events(record.key) if ledger is not None else []
    data = job_dict(record)
    data["request"] = dict(record.request)
    ctx.out.emit("result", job=data)
    for name, value in data.items():
        if value not in (None, [], "", {}):
            ctx.out.line(f"{name}: {value}")
    for event in events:
        ctx.out.line(f"  {event.at:%Y-%m-%d %H:%M:%S} {event.kind}: {event.detail}")
    return exit_code(record)


async def cmd_watch(ctx: Context) -> int:
    """Follow every active job of the ledger until none is left running."""
    session = await ctx.connect()
    reporter = Reporter(ctx, lambda _key: True)
    ctx.changes.append(reporter)
    try:
        for record in session.jobs_page():
            if record.state in FOLLOWED:
                reporter(record)
        while True:
            left = [r for r in session.jobs_page() if r.state in FOLLOWED and r.watching]
            if not left:
                break
            await reporter.next_change(1.0)
    finally:
        ctx.changes.remove(reporter)
    unknown = [r for r in session.jobs_page() if r.state is JobState.UNKNOWN and r.watching]
    ctx.out.emit("result", running=0, unknown=[r.key for r in unknown])
    ctx.out.line("No job is running." + (f" {len(unknown)} being looked up (outcome unknown)."
                                        if unknown else ""))
    return Exit.UNKNOWN if unknown else Exit.DONE


async def cmd_download(ctx: Context) -> int:
    session = await ctx.connect()
    record = find_job(session.jobs_page(limit=100_000), ctx.args.job)
    if record.state not in (JobState.DONE, JobState.IMAGE_DONE) or not record.result_urls:
        raise CliError(f"Job {record.short_key} is {record.state.value}: it has no result to "
                       "download.", Exit.USAGE)
    reporter = Reporter(ctx, lambda key: key == record.key)
    ctx.changes.append(reporter)
    try:
        record = await save(ctx, record, reporter, again=True)
    finally:
        ctx.changes.remove(reporter)
    ctx.out.emit("result", job=job_dict(record))
    if record.download_path and record.download_state.value == "done":
        ctx.out.line(f"Saved: {record.download_path}")
        return Exit.DONE
    ctx.out.line(f"Not saved: {record.download_error or record.download_state.value}")
    return Exit.FAILED


async def cmd_credits(ctx: Context) -> int:
    session = await ctx.connect()
    credits = session.credits or Decimal(0)
    committed = session.ledger.committed() if session.ledger is not None else Decimal(0)
    plan = ctx.plan()
    dollars = (credits * plan.price_per_credit).quantize(Decimal("0.01")) if plan else None
    ctx.out.emit("result", credits=credits, committed=committed,
                 available=credits - committed, plan=plan.key if plan else None,
                 dollars=dollars, mode=session.mode)
    ctx.out.line(f"{credit_figure(credits)} credits remaining"
                 + (f" ({dollars_text(dollars)} at {plan.name})" if dollars is not None
                    and plan is not None else "")
                 + f"; {credit_figure(committed)} committed to jobs in flight.")
    return Exit.DONE


__all__ = ["cmd_credits", "cmd_download", "cmd_jobs", "cmd_show", "cmd_watch"]
