"""Adding a generator is one spec: a made-up generator ("Quick Ad"), registered by this test
alone — its spec (``app.generators.register``), its dated price entry
(``app.pricing.register_prices``) and a simulator behaviour of its own
(``Sandbox(behaviours=...)``) at a path no built-in resource uses — goes from form values
through the estimate, the confirmed submit, the ledger and a batch's dry run to the spending
view, with no other edit to the app.

The simulator bills it by its own price function, not by ``app.pricing``: the charge equals
the confirmed estimate only when both readings of the price agree (break either and the test
fails). The client's endpoint table has no registration call, so the resource is added to
``app.api.resources.ALL_RESOURCES`` for the test's length."""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from app.api import resources as R
from app.api.client import CreatifyClient
from app.api.resources import ProgressForm, Resource
from app.batch import plan_batch, row_values, rows_from_text
from app.generators import (
    BY_KEY,
    DurationKind,
    DurationSource,
    Field,
    FieldKind,
    GeneratorSpec,
    ResultKind,
    billed_by_tokens,
    refunds_on_failure,
    register,
    spec,
    unregister,
)
from app.generators.quote import quote
from app.generators.spec import choices
from app.jobs.ledger import JobState, Ledger
from app.jobs.manager import JobManager, Pricing
from app.jobs.scheduler import PollPolicy
from app.pricing import PriceEntry, PriceTable, register_prices, unregister_prices
from app.sandbox import Sandbox, family
from app.spending import ActualKind, spending_rows
from tests.e2e.conftest import sandbox_client
from tests.e2e.test_job_manager import settle

pytestmark = pytest.mark.e2e

SPEED = 400.0
PAGE = "https://shop.example.com/products/teapot"

QUICK_ADS = Resource("quick_ads", "/api/quick_ads/",
                     ("pending", "in_queue", "running", "failed", "done"), ("video_output",),
                     ProgressForm.STRING, has_name=True, model_label="QuickAd")
"""The made-up resource: a path of its own, served only by the behaviour below."""

QUICK_AD = GeneratorSpec(
    key="quick_ad",
    title="Quick Ad",
    billing_row="Quick Ad",
    resource=QUICK_ADS,
    description="A made-up generator: a short ad from a product page.",
    fields=(
        Field("page", "Product page", FieldKind.URL, wire="", max_length=1000),
        Field("link_id", "…or Link id", FieldKind.UUID, wire="link"),
        Field("seconds", "Length", FieldKind.CHOICE, default=30, wire="video_length",
              choices=choices(15, 30), aliases=("length",)),
        Field("shape", "Shape", FieldKind.CHOICE, default="9x16", wire="aspect_ratio",
              choices=choices("9x16", "1x1"), aliases=("format",)),
    ),
    duration=DurationSource(DurationKind.CHOICE, "seconds", 30, "Ad length"),
    price_rule="quick_ad",
    result_kind=ResultKind.VIDEO,
    expected_seconds=600,
    link_maker=BY_KEY["links"],
    link_field="link_id",
    url_field="page",
    title_fields=("page", "link_id"),
    batch_fields=("seconds", "shape"),
    refunded_on_failure=True,
)

QUICK_AD_PRICE = PriceEntry(
    rule="quick_ad", phase="create", model=None, variant=None, unit="second",
    increment=Decimal(15), rate=Decimal(3), as_of=datetime.date(2026, 12, 1),
    source="tests/e2e/test_new_generator.py", note="Made up: 3 credits per started 15 s.")




def quick_ad_charge(job: family.Job) -> Decimal:
    """The simulator's own reading of the made-up price: 3 credits per started 15 s."""
    assert job.length is not None
    return 3 * Decimal(family.billed_blocks(job.length, 15))


QUICK_AD_BEHAVIOUR = family.Behaviour(
    QUICK_ADS, 60,
    (family.F("link", family.text(), required=True),
     family.F("video_length", family.choice(15, 30)),
     family.F("aspect_ratio", family.choice("9x16", "1x1")),
     family.F("name", family.text(255)), family.F("webhook_url", family.url(200))),
    quick_ad_charge, family.length_field("video_length"),
    charge=family.Charge.AT_START,  # charged up front, refunded in full if it fails
    check=family.check_link, defaults={"video_length": 30, "aspect_ratio": "9x16"})


@pytest.fixture
def table() -> Iterator[PriceTable]:
    """The made-up generator, its resource and its price entry, for the test's length."""
    R.register_resource(QUICK_ADS)
    table = register_prices(QUICK_AD_PRICE)
    register(QUICK_AD)
    try:
        yield table
    finally:
        unregister(QUICK_AD.key)
        unregister_prices(QUICK_AD_PRICE.rule)
        R.unregister_resource(QUICK_ADS.key)


@pytest.fixture
def server() -> Iterator[Sandbox]:
    with Sandbox(speed=SPEED, seed=12, balance=1000, behaviours=[QUICK_AD_BEHAVIOUR]) as sandbox:
        yield sandbox


@pytest.fixture
async def client(server: Sandbox) -> AsyncIterator[CreatifyClient]:
    async with sandbox_client(server, timeout=5) as api:
        yield api


def test_the_spec_alone_answers_what_the_app_asks(table: PriceTable) -> None:
    assert spec("quick_ad") is QUICK_AD
    values = {**QUICK_AD.defaults(), "page": PAGE}
    assert QUICK_AD.validate(values) == {}
    assert QUICK_AD.validate({**values, "seconds": 45}) == {"seconds": "Choose one of: 15, 30."}
    assert QUICK_AD.needs_link(values) and not QUICK_AD.needs_link({**values, "link_id": "x"})
    assert QUICK_AD.derive_seconds(values) == 30
    assert QUICK_AD.values_from_request({"link": "L", "video_length": 15}) == \
        {"link_id": "L", "seconds": 15}
    assert refunds_on_failure("quick_ad", {}) and not billed_by_tokens("quick_ad")
    q = quote(QUICK_AD, values, 30)
    assert q.credits == 7  # the Link (1) and 2 × 15 s blocks × 3
    assert q.lines == ("1 link × 1 = 1 credit", "30 s → 2 × 15 s blocks × 3 = 6 credits")


async def test_a_made_up_generator_runs_from_form_to_spending(
        table: PriceTable, server: Sandbox, client: CreatifyClient, tmp_path: Path) -> None:
    values = {**QUICK_AD.defaults(), "page": PAGE, "seconds": 15}
    balance = await client.remaining_credits()
    confirmed = quote(QUICK_AD, values, QUICK_AD.derive_seconds(values), balance=balance)
    assert confirmed.credits == 4 and confirmed.balance_after == balance - 4
    assert confirmed.lines == ("1 link × 1 = 1 credit", "15 s → 1 × 15 s block × 3 = 3 credits")
    with Ledger(tmp_path / "jobs.sqlite3") as ledger:
        manager = JobManager(client, ledger, tmp_path / "out",
                             policy=PollPolicy().scaled(SPEED))
        await manager.start()
        try:
            record = await manager.submit(QUICK_AD, values,
                                          pricing=Pricing(confirmed.credits, balance))
            (record,) = await settle(ledger, [record.key])
        finally:
            await manager.aclose()
        assert record.generator == "quick_ad" and record.resource == "quick_ads"
        assert record.state is JobState.DONE and record.result_urls
        assert record.title == PAGE  # what was asked, as the spec's title fields say
        assert record.estimate == 3  # the Link was its own job (1 credit)
        assert record.credits_used == record.estimate  # the simulator charged what we said
        assert await client.remaining_credits() == confirmed.balance_after
        assert record.request["link"] and record.request["video_length"] == 15
        assert record.request["aspect_ratio"] == "9x16" and "page" not in record.request
        link = next(r for r in ledger.paid_jobs() if r.generator == "links")
        assert link.request == {"url": PAGE} and link.server_id == record.request["link"]
        sent = server.create_log[-1]
        assert sent.path == "/api/quick_ads/" and sent.body["video_length"] == 15
        (served,) = server.jobs("quick_ads")
        assert served["id"] == record.server_id and served["credits_used"] == 3
        assert server.jobs("link_to_videos") == []  # no built-in resource stood in

        rows = {row.generator: row for row in spending_rows(ledger)}
        ours = rows["quick_ad"]
        assert ours.generator_title == "Quick Ad" and ours.estimate == 3
        assert ours.aurora_priced and ours.refund == 0  # refunded only on failure
        assert ours.actual_kind is ActualKind.REPORTED and ours.actual == ours.estimate
        assert rows["links"].actual == 1

    batch = rows_from_text(f"{PAGE}\nhttps://shop.example.com/products/kettle")
    assert row_values("quick_ad", {"seconds": 30}, batch[0]) == \
        {"seconds": 30, "page": PAGE, "link_id": None}
    dry = plan_batch("quick_ad", {**QUICK_AD.defaults(), "seconds": 30}, batch)
    assert dry.sendable == 2 and dry.credits == 14 and not dry.errors


async def test_a_failed_made_up_job_is_refunded_as_its_spec_says(
        table: PriceTable, server: Sandbox, client: CreatifyClient, tmp_path: Path) -> None:
    link = await client.create_link(PAGE)
    values = {**QUICK_AD.defaults(), "link_id": link.id, "seconds": 30}
    confirmed = quote(QUICK_AD, values, QUICK_AD.derive_seconds(values))
    assert confirmed.credits == 6  # a Link id given: no Link to make
    balance = await client.remaining_credits()
    server.set_faults(fail_rate=1.0)
    with Ledger(tmp_path / "jobs.sqlite3") as ledger:
        manager = JobManager(client, ledger, tmp_path / "out",
                             policy=PollPolicy().scaled(SPEED))
        await manager.start()
        try:
            record = await manager.submit(QUICK_AD, values,
                                          pricing=Pricing(confirmed.credits, balance))
            (record,) = await settle(ledger, [record.key])
        finally:
            await manager.aclose()
        assert record.state is JobState.FAILED and record.estimate == 6
        assert await client.remaining_credits() == balance  # charged up front, refunded
        (ours,) = [r for r in spending_rows(ledger) if r.generator == "quick_ad"]
        assert ours.actual_kind is ActualKind.REFUNDED and ours.refund == 6


def test_a_resource_is_registered_once_and_shipped_ones_stay() -> None:
    R.register_resource(QUICK_ADS)
    try:
        with pytest.raises(ValueError, match="already exists"):
            R.register_resource(QUICK_ADS)
        assert R.resource(QUICK_ADS.key) is QUICK_ADS
    finally:
        R.unregister_resource(QUICK_ADS.key)
    with pytest.raises(KeyError):
        R.resource(QUICK_ADS.key)
    with pytest.raises(ValueError, match="ships with the app"):
        R.unregister_resource("link_to_videos")
