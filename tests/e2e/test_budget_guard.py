"""The budget guard in the job manager, against the simulator over loopback HTTP: the balance
is read before every paid request, and each limit refuses with its message and sends nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.api.client import CreatifyClient
from app.generators import Flow, spec
from app.generators.quote import quote
from app.jobs.budget import BudgetError, BudgetLimits, Limit
from app.jobs.ledger import JobRecord, JobState, Ledger
from app.jobs.manager import JobManager, Pricing
from app.jobs.scheduler import PollPolicy
from app.pricing import Bound
from app.sandbox import Sandbox
from tests.e2e.conftest import sandbox_client
from tests.e2e.test_job_manager import settle

pytestmark = pytest.mark.e2e

SPEED = 400.0
BALANCE = "/api/remaining_credits/"


@pytest.fixture
def server() -> Iterator[Sandbox]:
    with Sandbox(speed=SPEED, seed=9, balance=200) as sandbox:
        yield sandbox


@pytest.fixture
async def client(server: Sandbox) -> AsyncIterator[CreatifyClient]:
    async with sandbox_client(server, timeout=5) as api:
        yield api


class Setup:
    def __init__(self, client: CreatifyClient, ledger: Ledger, out: Path) -> None:
        self.limits = BudgetLimits()
        self.balances: list[Decimal] = []
        self.manager = JobManager(client, ledger, out, policy=PollPolicy().scaled(SPEED),
                                  budget=lambda: self.limits, on_balance=self.balances.append)


@pytest.fixture
async def setup(client: CreatifyClient, tmp_path: Path) -> AsyncIterator[Setup]:
    with Ledger(tmp_path / "jobs.sqlite3") as ledger:
        made = Setup(client, ledger, tmp_path / "out")
        await made.manager.start()
        try:
            yield made
        finally:
            await made.manager.aclose()


async def link_id(client: CreatifyClient) -> str:
    return (await client.create_link("https://shop.example.com/products/budget")).id


def u2v(link: str, length: int = 30, **changes: Any) -> dict[str, Any]:
    return {**spec("url_to_video").defaults(), "link": link, "video_length": length, **changes}


def paid_posts_and_reads_before(server: Sandbox) -> list[tuple[str, int]]:
    """(paid POST, balance reads since the previous POST) for every POST in the log. Polls
    and downloads run meanwhile, so "before" means "since the last paid request"."""
    pairs = []
    reads = 0
    for method, path in server.request_log:
        if method == "GET" and path == BALANCE:
            reads += 1
        elif method == "POST":
            pairs.append((path, reads))
            reads = 0
    return pairs


async def test_the_balance_is_read_before_every_paid_endpoint(
        server: Sandbox, client: CreatifyClient, setup: Setup) -> None:
    manager = setup.manager
    gen = spec("url_to_video")
    link = await manager.submit(spec("links"), {"url": "https://shop.example.com/p/1"},
                                pricing=Pricing(Decimal(1)))
    assert link.server_id
    one = await manager.submit(gen, u2v(link.server_id), pricing=Pricing(Decimal(5)))
    preview = await manager.submit(gen, u2v(link.server_id), flow=Flow.PREVIEW_RENDER,
                                   pricing=Pricing(Decimal(1)))
    compare = await manager.submit(gen, u2v(link.server_id, visual_styles=[
        "AvatarBubbleTemplate", "FullScreenTemplate"]), flow=Flow.COMPARE_STYLES,
        pricing=Pricing(Decimal(2)))
    answer: list[str] = []
    await manager.stream_text(spec("text_generator"), {
        **spec("text_generator").defaults(), "prompt": "Three words about mugs."},
        on_delta=answer.append)
    preview, compare = await settle(manager.ledger, [preview.key, compare.key])
    await manager.render(gen, preview, pricing=Pricing(Decimal(4)))
    await manager.render_style(gen, compare, compare.previews[1].media_job,
                               pricing=Pricing(Decimal(4)))
    await settle(manager.ledger, [one.key])

    pairs = paid_posts_and_reads_before(server)
    paid = [path for path, _reads in pairs]
    assert len(paid) == 7 and len(server.create_log) == 7, paid
    assert any("preview_list_async" in p for p in paid)
    assert any("render_single_preview" in p for p in paid)
    assert any(p.endswith("/render/") for p in paid)
    assert any("text_generator" in p for p in paid)
    assert all(reads == 1 for _path, reads in pairs), pairs
    assert len(setup.balances) == 7
    readings = manager.ledger.balance_readings()
    assert [c for _t, c in readings] == setup.balances
    assert [r.balance_before for r in manager.ledger.paid_jobs()
            if r.flow != "stream"][:2] == setup.balances[:2]


async def refused(setup: Setup, server: Sandbox, values: dict[str, Any],
                  estimate: str) -> BudgetError:
    posts = len(server.create_log)
    jobs = setup.manager.ledger.count(include_hidden=True)
    with pytest.raises(BudgetError) as info:
        await setup.manager.submit(spec("url_to_video"), values,
                                   pricing=Pricing(Decimal(estimate)))
    assert len(server.create_log) == posts, "a refused job must not be sent"
    assert setup.manager.ledger.count(include_hidden=True) == jobs, "nor recorded"
    assert info.value.message.endswith("Nothing was sent.")
    return info.value


async def test_each_limit_refuses_with_its_message(server: Sandbox, client: CreatifyClient,
                                                   setup: Setup) -> None:
    link = await link_id(client)  # 1 credit: 199 left
    values = u2v(link, 60)  # 10 credits

    setup.limits = BudgetLimits(per_job=Decimal(8))
    error = await refused(setup, server, values, "10")
    assert [r.limit for r in error.refusals] == [Limit.PER_JOB]
    assert "per-job ceiling of 8 by 2" in error.message

    setup.limits = BudgetLimits(low_balance=Decimal(195))
    error = await refused(setup, server, values, "10")
    assert [(r.limit, r.over_by) for r in error.refusals] == [(Limit.LOW_BALANCE, 6)]
    assert "would leave 189 credits, below your low-balance threshold of 195 by 6" in \
        error.message

    # Jobs in flight count against the caps and the balance until they report a charge.
    setup.limits = BudgetLimits(daily=Decimal(25), monthly=Decimal(1000))
    first = await setup.manager.submit(spec("url_to_video"), values,
                                       pricing=Pricing(Decimal(10)))
    assert first.state is not JobState.NOT_CREATED
    error = await refused(setup, server, values, "20")
    assert [r.limit for r in error.refusals] == [Limit.DAILY]
    assert "Over your daily cap of 25 credits by 5: 0 spent today + 10 in flight + 20 for " \
           "this job = 30." in error.message

    await settle(setup.manager.ledger, [first.key])  # charged 10: now spent, not in flight
    setup.limits = BudgetLimits(monthly=Decimal(15))
    error = await refused(setup, server, values, "10")
    assert [r.limit for r in error.refusals] == [Limit.MONTHLY]
    assert "Over your monthly cap of 15 credits by 5: 10 spent this month + 10 for this " \
           "job = 20." in error.message

    setup.limits = BudgetLimits()
    error = await refused(setup, server, u2v(link, 60), "1000")
    assert [r.limit for r in error.refusals] == [Limit.BALANCE]
    assert "this job needs 1,000" in error.message and "short by" in error.message


async def test_two_submits_at_once_see_each_other_as_committed(
        server: Sandbox, client: CreatifyClient, setup: Setup) -> None:
    link = await link_id(client)  # 199 left
    setup.limits = BudgetLimits(daily=Decimal(15))
    values = u2v(link, 60)
    results = await asyncio.gather(
        *(setup.manager.submit(spec("url_to_video"), values, pricing=Pricing(Decimal(10)))
          for _ in range(2)), return_exceptions=True)
    assert sum(isinstance(r, BudgetError) for r in results) == 1
    assert len(server.create_log) == 2  # the link and one video


async def test_a_product_url_makes_its_link_first_each_checked_and_charged_as_estimated(
        server: Sandbox, setup: Setup) -> None:
    from app.generators.quote import quote
    gen = spec("url_to_video")
    values = {**gen.defaults(), "product_url": "https://shop.example.com/products/lamp",
              "video_length": 45}
    q = quote(gen, values, 45)
    assert q.credits == 1 + 10 and q.lines[0].startswith("1 link")
    before = server.balance
    video = await setup.manager.submit(gen, values, pricing=Pricing(q.credits))
    [video] = await settle(setup.manager.ledger, [video.key])
    link = next(r for r in setup.manager.ledger.paid_jobs() if r.generator == "links")
    assert video.request["link"] == link.server_id and video.estimate == 10
    assert link.estimate == 1 and link.title == values["product_url"]
    assert before - server.balance == q.credits
    # Both together are checked first, then each paid call on its own.
    assert [reads for _path, reads in paid_posts_and_reads_before(server)] == [2, 1]

    setup.limits = BudgetLimits(per_job=Decimal(5))  # the Link alone would pass: no Link made
    with pytest.raises(BudgetError, match="per-job ceiling of 5 by 6"):
        await setup.manager.submit(gen, values, pricing=Pricing(q.credits))
    assert len(server.create_log) == 2


# --- prices that are not exact (Asset Generator models without a table) ----------------------

UNPRICED = "veo3.1/fast/first-last-frame-to-video"  # no price in the docs: unknown
FROM_16 = "veo3.1"  # only "from 16" in the docs: at least 16


def asset_values(model: str, **params: Any) -> dict[str, Any]:
    return {"model_name": model, "input_params": {"prompt": "a lighthouse at dusk", **params}}


async def send_quoted(setup: Setup, values: dict[str, Any]) -> JobRecord:
    """Quote the form as the window does, then submit it with the quote's figure and bound."""
    q = quote(spec("asset_generator"), values, None)
    assert q.error is None, q.error
    return await setup.manager.submit(spec("asset_generator"), values,
                                      pricing=Pricing(q.credits, bound=q.bound))


async def test_an_unknown_price_needs_a_per_job_ceiling_and_counts_as_it(
        server: Sandbox, setup: Setup) -> None:
    frames = {"first_frame_url": f"{server.base_url}/media/s/sample.png",
              "last_frame_url": f"{server.base_url}/media/s/sample.png"}
    values = asset_values(UNPRICED, **frames)
    assert quote(spec("asset_generator"), values, None).bound is Bound.UNKNOWN
    posts, jobs = len(server.create_log), setup.manager.ledger.count(include_hidden=True)

    with pytest.raises(BudgetError) as info:  # no ceiling: never counted as zero
        await send_quoted(setup, values)
    assert [r.limit for r in info.value.refusals] == [Limit.PER_JOB]
    assert "price is unknown until it has run" in info.value.message
    assert "set a per-job ceiling" in info.value.message
    setup.limits = BudgetLimits(per_job=Decimal(250))  # over the 200 balance
    with pytest.raises(BudgetError) as info:
        await send_quoted(setup, values)
    assert [r.limit for r in info.value.refusals] == [Limit.BALANCE]
    assert "needs 250 (its price is unknown until the run, so your per-job ceiling of 250 " \
           "is counted)" in info.value.message
    assert len(server.create_log) == posts, "a refused job must not be sent"
    assert setup.manager.ledger.count(include_hidden=True) == jobs, "nor recorded"

    setup.limits = BudgetLimits(per_job=Decimal(20))
    record = await send_quoted(setup, values)
    [done] = await settle(setup.manager.ledger, [record.key])
    assert done.state is JobState.DONE and len(server.create_log) == posts + 1
    assert done.credits_used is not None and 0 < done.credits_used <= 20


async def test_at_least_counts_as_the_ceiling_when_one_is_set(server: Sandbox,
                                                               setup: Setup) -> None:
    values = asset_values(FROM_16, duration="8")
    q = quote(spec("asset_generator"), values, None)
    assert (q.credits, q.bound) == (16, Bound.AT_LEAST)
    posts = len(server.create_log)
    setup.limits = BudgetLimits(per_job=Decimal(300))  # counted: 300 > the 200 balance
    with pytest.raises(BudgetError) as info:
        await send_quoted(setup, values)
    assert [r.limit for r in info.value.refusals] == [Limit.BALANCE]
    assert "(its price is at least 16, so your per-job ceiling of 300 is counted)" in \
        info.value.message
    setup.limits = BudgetLimits(per_job=Decimal(10))
    with pytest.raises(BudgetError) as info:
        await send_quoted(setup, values)
    assert "estimate of at least 16 credits is over your per-job ceiling of 10 by 6" in \
        info.value.message
    assert len(server.create_log) == posts

    setup.limits = BudgetLimits(per_job=Decimal(40))
    record = await send_quoted(setup, values)
    [done] = await settle(setup.manager.ledger, [record.key])
    assert done.state is JobState.DONE and done.estimate == 16
    assert done.credits_used is not None and 16 <= done.credits_used <= 40



async def test_what_the_guard_held_stays_committed_while_the_job_runs(tmp_path: Path) -> None:
    """An unknown price held at the per-job ceiling keeps that much committed in flight: a
    second such job the balance cannot also cover is refused while the first runs."""
    with Sandbox(speed=1, seed=9, balance=200) as slow:  # a clip takes a minute here
        async with sandbox_client(slow, timeout=5) as api:
            with Ledger(tmp_path / "jobs.sqlite3") as ledger:
                setup = Setup(api, ledger, tmp_path / "out")
                await setup.manager.start()
                try:
                    frames = {"first_frame_url": f"{slow.base_url}/media/s/sample.png",
                              "last_frame_url": f"{slow.base_url}/media/s/sample.png"}
                    values = asset_values(UNPRICED, **frames)
                    setup.limits = BudgetLimits(per_job=Decimal(120))  # 2 × 120 > 200
                    first = await send_quoted(setup, values)
                    assert ledger.get(first.key).state.is_active
                    assert ledger.committed() == 120
                    with pytest.raises(BudgetError) as info:
                        await send_quoted(setup, values)
                    assert [r.limit for r in info.value.refusals] == [Limit.BALANCE]
                    assert "120 committed to jobs in flight" in info.value.message
                    assert len(slow.create_log) == 1
                finally:
                    await setup.manager.aclose()
