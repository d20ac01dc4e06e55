"""``batch FILE``: the window's batch sheet without the window — the same reading (``.csv``
columns mapped to the target's settings, ``.txt`` URLs), checks, dry run and runner
(:mod:`app.batch`), one confirmation for the whole batch, the budget guard per row."""

from __future__ import annotations

from pathlib import Path

from app.batch import (
    BatchError,
    BatchRow,
    BatchRun,
    RowState,
    format_duration,
    load_file,
    plan_batch,
)
from app.cli._context import Context
from app.cli._exit import CliError, Exit
from app.cli._values import form_values
from app.cli.commands.catalogue import generator
from app.cli.commands.submit import confirm
from app.generators import default_page_target
from app.generators.quote import format_credits
from app.pricing.money import dollars_text


def _row_dict(index: int, row: BatchRow) -> dict[str, object]:
    return {"index": index, "where": row.where, "url": row.url, "state": row.state.value,
            "problem": row.problem, "duplicate_of": row.duplicate_of, "message": row.message,
            "job": row.job_key, "overrides": row.overrides}


async def cmd_batch(ctx: Context) -> int:
    args = ctx.args
    target = args.target or default_page_target()
    spec = generator(target)
    if spec.url_field is None:
        raise CliError(f"{target} takes no product page: a batch goes to one of the "
                       "generators with a page field.", Exit.USAGE)
    try:
        rows, _table = load_file(Path(args.file), target)
    except BatchError as exc:
        raise CliError(str(exc), Exit.USAGE) from None
    shared = {k: v for k, v in form_values(spec, None, args.set).items()
              if k != spec.url_field}
    concurrency = args.concurrency or ctx.settings.batch_concurrency
    plan = ctx.plan()
    dry = plan_batch(target, shared, rows, concurrency=concurrency, plan=plan,
                     media_seconds=args.seconds)
    for index, (row, q) in enumerate(zip(rows, dry.per_row, strict=True)):
        ctx.out.emit("row", **_row_dict(index, row),
                     credits=q.credits if q is not None else None)
        why = row.problem or (f"same page as row {row.duplicate_of + 1}"
                              if row.duplicate_of is not None else "")
        cost = format_credits(q.credits) if q is not None and q.credits is not None else "—"
        ctx.out.line(f"{row.where:>8}  {cost:>12}  {row.url}" + (f"  ({why})" if why else ""))
    total = format_credits(dry.credits) if dry.credits is not None else "cannot be priced"
    dollars = f" ({dollars_text(dry.dollars)} at {plan.name})" if dry.dollars is not None \
        and plan is not None else ""
    ctx.out.emit("plan", rows=dry.rows, sendable=dry.sendable, refused=dry.refused,
                 duplicates=dry.duplicates, credits=dry.credits, dollars=dry.dollars,
                 expected_seconds=dry.expected_seconds, errors=list(dry.errors),
                 concurrency=concurrency, target=target)
    ctx.out.line(f"{dry.sendable} of {dry.rows} rows to send ({dry.refused} refused, "
                 f"{dry.duplicates} repeats): {total}{dollars}, "
                 f"{format_duration(dry.expected_seconds)} at {concurrency} at once.")
    for error in dry.errors:
        ctx.out.note(error)
    if dry.errors:
        raise CliError("Not sent: some rows cannot be priced.", Exit.USAGE)
    if args.dry_run or not dry.sendable:
        ctx.out.emit("result", sent=0, dry_run=bool(args.dry_run))
        return Exit.DONE
    session = await ctx.connect(catalogues=True)
    confirm(ctx, f"Send {dry.sendable} {spec.title} jobs ({total})?")
    send, wait = session.batch_calls()

    def on_row(index: int, row: BatchRow) -> None:
        ctx.out.emit("row", **_row_dict(index, row))
        if row.state in (RowState.DONE, RowState.FAILED, RowState.SKIPPED):
            ctx.out.line(f"{row.where}: {row.state.value} — {row.message}")
    run = BatchRun(target, shared, rows, submit=send, wait=wait, concurrency=concurrency,
                   on_row=on_row, media_seconds=args.seconds, plan=plan)
    counts = await run.run()
    summary = {state.value: n for state, n in counts.items()}
    ctx.out.emit("result", sent=sum(counts.values()), states=summary)
    ctx.out.line("Batch: " + ", ".join(f"{n} {s}" for s, n in summary.items()))
    if counts.get(RowState.FAILED):
        return Exit.FAILED
    if counts.get(RowState.RUNNING):  # an answer lost: being looked up
        return Exit.UNKNOWN
    if counts.get(RowState.SKIPPED):
        return Exit.REFUSED
    return Exit.DONE


__all__ = ["cmd_batch"]
