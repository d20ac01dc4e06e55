"""``submit`` and ``render``: the paid commands. Each shows the estimate, asks on a terminal
(or takes ``--yes``), goes through the session's budget guard and ledger exactly as the
window's Generate / Render do, then reports the job (``--wait``: to its end)."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any

from app.cli._context import Context
from app.cli._exit import CliError, Exit, code_for
from app.cli._follow import exit_code, find_job, follow
from app.cli._output import job_dict
from app.cli._pricing import billed_seconds, cost_text, quote_dict, render_quote, style_quote
from app.cli._values import field_problems, form_values
from app.cli.commands.catalogue import flow_of, generator, short_flow
from app.generators import Action, Flow, GeneratorSpec
from app.generators.quote import Quote, format_credits, quote
from app.generators.quote_words import budget_bound, first_step_credits
from app.jobs.ledger import JobRecord, JobState
from app.pricing.money import dollars_text
from app.session import PAID_ERRORS, describe


def confirm(ctx: Context, question: str) -> None:
    """``--yes``, or a "y" typed at the terminal; otherwise refused (exit 3, nothing sent)."""
    if ctx.args.yes:
        return
    if not sys.stdin.isatty():
        raise CliError("Not sent: nothing confirmed it (add --yes to send without asking; "
                       "there is no terminal to ask on).", Exit.REFUSED)
    ctx.out.note(f"{question} [y/N] ")  # on stderr: stdout stays the command's output
    answer = sys.stdin.readline()
    if answer.strip().lower() not in ("y", "yes"):
        raise CliError("Not sent: not confirmed.", Exit.REFUSED)


def show_cost(ctx: Context, q: Quote, flow: Flow, *, estimate: Decimal | None = None,
              what: str) -> None:
    plan = ctx.plan()
    per_job = ctx.session.budget.per_job if ctx.session else None
    ctx.out.emit("estimate", what=what, flow=short_flow(flow), **quote_dict(q, flow, plan),
                 send_credits=estimate)
    for line in cost_text(q, flow, plan, per_job, ctx.sandbox):
        ctx.out.line(line) if ctx.args.yes else ctx.out.note(line)


async def finish(ctx: Context, record: JobRecord) -> int:
    """Follow (``--wait``), save (``--download``) and report the job; its exit code."""
    args = ctx.args
    ctx.out.emit("submitted", job=job_dict(record))
    ctx.out.line(f"Sent: job {record.short_key} ({record.key}), {record.state.value}.")
    record = await follow(ctx, record, wait=args.wait, download=bool(args.download))
    ctx.out.emit("result", job=job_dict(record))
    summary = f"Job {record.short_key}: {record.state.value}"
    if record.state is JobState.UNKNOWN:
        summary += (" — Creatify's answer was lost; the job is being looked up in its list "
                    "and will never be sent again")
    elif record.failed_reason:
        summary += f" — {record.failed_reason}"
    if record.download_path:
        summary += f"\nSaved: {record.download_path}"
    elif record.download_error:
        summary += f"\nNot saved: {record.download_error}"
    if record.response_text and not ctx.out.json:
        summary += "\n" + record.response_text
    ctx.out.line(summary)
    return exit_code(record, download=bool(args.download))


async def _send(ctx: Context, spec: GeneratorSpec, values: dict[str, Any], flow: Flow,
                q: Quote) -> JobRecord:
    session = ctx.connected()
    if spec.action is Action.TEXT_GENERATE:
        def delta(text: str) -> None:
            ctx.out.emit("text", text=text)
        return await session.stream_text(spec, values, delta)
    return await session.submit(spec, values, flow, estimate=first_step_credits(q),
                                bound=budget_bound(q))


async def cmd_submit(ctx: Context) -> int:
    args = ctx.args
    spec = generator(args.generator)
    flow = flow_of(spec, args.flow)
    values = form_values(spec, args.values, args.set)
    session = await ctx.connect(catalogues=True)
    problems = spec.validate(values, flow)
    if problems:
        raise CliError(f"Not sent: {field_problems(spec, problems)}", Exit.USAGE)
    seconds = billed_seconds(spec, values, args.seconds, ctx.wpm)
    q = quote(spec, values, seconds, flow=flow, plan=ctx.plan(), balance=session.credits,
              learned=session.learned_price)
    if q.credits is None and not q.known_after_run:
        raise CliError(f"Not sent: {q.error or 'the cost cannot be worked out'}", Exit.USAGE)
    show_cost(ctx, q, flow, estimate=first_step_credits(q), what=spec.key)
    confirm(ctx, f"Send this {spec.title} request to Creatify?")
    try:
        record = await _send(ctx, spec, values, flow, q)
    except PAID_ERRORS as exc:
        raise CliError(f"Not sent: {describe(exc)}", code_for(exc)) from None
    return await finish(ctx, record)


async def cmd_render(ctx: Context) -> int:
    """Render a ready preview, or the chosen style of a compare (``--style``)."""
    args = ctx.args
    session = await ctx.connect(catalogues=True)
    job = find_job(session.jobs_page(), args.job)
    spec = generator(job.generator)
    if job.state is not JobState.PREVIEW_READY:
        raise CliError(f"Job {job.short_key} is {job.state.value}: only a ready preview can be "
                       "rendered.", Exit.USAGE)
    plan = ctx.plan()
    if job.previews:
        styles = {p.visual_style: p.media_job for p in job.previews}
        if not args.style:
            raise CliError(f"Job {job.short_key} compared styles: choose one with --style "
                           f"({', '.join(styles)}).", Exit.USAGE)
        media_job = styles.get(args.style) or next(
            (m for m in styles.values() if m == args.style), None)
        if media_job is None:
            raise CliError(f"No style {args.style!r} in job {job.short_key}: "
                           f"{', '.join(styles)}.", Exit.USAGE)
        q, estimate = style_quote(spec, job, plan, session.credits)
    else:
        if args.style:
            raise CliError(f"Job {job.short_key} is a single preview: --style is for a "
                           "compare.", Exit.USAGE)
        media_job = None
        q, estimate = render_quote(spec, job, plan, session.credits, ctx.wpm)
    if done := session.renders_of(job):
        raise CliError(f"This preview is already rendered (job {done[-1].short_key}): nothing "
                       "was sent.", Exit.REFUSED)
    render = next((e for e in q.estimates if e.request.phase == "render"), None)
    if estimate is None or render is None:
        raise CliError(f"Not sent: {q.error or 'the render cost cannot be worked out'}",
                       Exit.USAGE)
    ctx.out.emit("estimate", what="render", job=job.key, credits=estimate,
                 dollars=render.dollars, lines=[render.breakdown],
                 plan=plan.key if plan else None, balance_before=session.credits)
    tell = ctx.out.line if args.yes else ctx.out.note
    tell(f"Render cost: {format_credits(estimate)}"
         + (f" ({dollars_text(render.dollars)} at {plan.name})"
            if render.dollars is not None and plan is not None else "")
         + f". {render.breakdown.removeprefix('Render: ')}")
    if session.credits is not None:
        tell(f"Balance after: {format_credits(session.credits - estimate)}.")
    tell("Sandbox: the built-in simulator; nothing is billed." if ctx.sandbox else
         "Creatify cannot cancel a render once it is sent; the credits are spent when it "
         "finishes.")
    confirm(ctx, "Render this preview?")
    try:
        if media_job is not None:
            record = await session.render_style(spec, job, media_job, estimate)
        else:
            record = await session.render_preview(spec, job, estimate)
    except PAID_ERRORS as exc:
        raise CliError(f"Not sent: {describe(exc)}", code_for(exc)) from None
    return await finish(ctx, record)


__all__ = ["cmd_render", "cmd_submit", "confirm", "finish"]
