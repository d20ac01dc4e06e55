"""Submitting a form (with the Link-first flow of a product URL), rendering a preview and
rendering a compared style: each checked against the budget and recorded before it is sent."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from app.generators import Flow, GeneratorSpec, SpecError
from app.generators.submit import render, render_style, request_body, submit
from app.jobs.ledger import JobRecord, JobState
from app.jobs.manager._base import PLACEHOLDER_LINK, Pricing, describe_request
from app.jobs.manager._learned import price_key_of
from app.jobs.manager._sending import Sending
from app.pricing import PriceRequest, estimate


class Submitting(Sending):
    """Paid creates: :meth:`submit`, :meth:`render` and :meth:`render_style`."""

    async def submit(self, spec: GeneratorSpec, values: Mapping[str, Any], *,
                     flow: Flow = Flow.CREATE, pricing: Pricing | None = None) -> JobRecord:
        """Record, then send the paid request (once); follow the job if it was created.

        A form with a product URL and no Link id makes its Link first (its own paid job,
        checked and recorded like any other), then sends the job with the new Link's id."""
        pricing = pricing or Pricing(None)
        if spec.needs_link(values):
            request_body(spec, spec.with_link(values, PLACEHOLDER_LINK), None, flow)  # first
            await self.check_budget(pricing.estimate, bound=pricing.bound)  # Link + job together
            values, pricing = await self._make_link(spec, values, pricing)
        tag = uuid.uuid4().hex[:8] if spec.resource.has_name else None
        body = request_body(spec, values, tag, flow)  # validated: SpecError before any row
        async with self._guard_lock:
            balance, held = await self.check_budget(pricing.estimate, bound=pricing.bound)
            record = await self.writer.begin_submit(
                generator=spec.key, resource=spec.resource.key, flow=flow.value,
                title=describe_request(spec, values), request=body, estimate=pricing.estimate,
                balance_before=balance, name_tag=tag, held=held,
                price_key=price_key_of(spec, values, flow))
        self._on_change(record)
        return await self._send(record, lambda: submit(self.client, spec, values, flow=flow,
                                                       name_tag=tag))

    async def _make_link(self, spec: GeneratorSpec, values: Mapping[str, Any],
                         pricing: Pricing) -> tuple[dict[str, Any], Pricing]:
        maker = spec.link_maker
        if maker is None:
            raise SpecError({"": f"{spec.title} makes no Link."})
        link_price = estimate(PriceRequest(maker.price_rule)).credits or Decimal(1)
        record = await self.submit(maker, spec.link_values(values), pricing=Pricing(link_price))
        if record.state is not JobState.DONE or not record.server_id:
            reason = record.failed_reason or "no answer from Creatify"
            problem = (f"The Link for this product page was not made ({record.state}: "
                       f"{reason}); the video was not sent.")
            raise SpecError({spec.url_field or "": problem})
        rest = pricing.estimate - link_price if pricing.estimate is not None else None
        return spec.with_link(values, record.server_id), Pricing(rest, pricing.balance,
                                                                 pricing.bound)

    async def render(self, spec: GeneratorSpec, preview: JobRecord, *,
                     pricing: Pricing | None = None) -> JobRecord:
        """Render a finished preview: a new paid request on the same server job."""
        pricing = pricing or Pricing(None)
        server_id = preview.server_id
        if server_id is None:
            raise SpecError({"": "This preview has no Creatify job to render."})
        async with self._guard_lock:
            if done := self.ledger.renders_of(preview):  # one render per preview, ever
                raise SpecError({"": f"This preview is already rendered (job "
                                     f"{done[-1].short_key}): nothing was sent."})
            balance, held = await self.check_budget(pricing.estimate, bound=pricing.bound)
            record = await self.writer.begin_submit(
                generator=spec.key, resource=spec.resource.key, flow="render",
                title=f"Render of {preview.title}", request={"render_of": server_id},
                estimate=pricing.estimate, balance_before=balance, held=held)
        self._on_change(record)
        return await self._send(record, lambda: render(self.client, spec, server_id))

    async def render_style(self, spec: GeneratorSpec, compared: JobRecord, media_job: str, *,
                           pricing: Pricing | None = None) -> JobRecord:
        """Render the chosen style of a finished compare-styles job (a new paid request on
        the same server job); only that style is rendered."""
        pricing = pricing or Pricing(None)
        server_id = compared.server_id
        chosen = next((p for p in compared.previews if p.media_job == media_job), None)
        if server_id is None or chosen is None:
            raise SpecError({"": "That style preview is not part of this job."})
        async with self._guard_lock:
            balance, held = await self.check_budget(pricing.estimate, bound=pricing.bound)
            record = await self.writer.begin_submit(
                generator=spec.key, resource=spec.resource.key, flow="render",
                title=f"{chosen.visual_style} of {compared.title}",
                request={"render_of": server_id, "media_job": media_job,
                         spec.style_field or "visual_style": chosen.visual_style},
                estimate=pricing.estimate, balance_before=balance, held=held)
        self._on_change(record)
        return await self._send(record,
                                lambda: render_style(self.client, spec, server_id, media_job))
