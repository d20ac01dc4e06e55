"""Jobs: the paid creates, previews and renders (each sent once) and the free job reads.

Every answer is a job object read by :func:`app.api.snapshot.snapshot_from`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from app.api import resources as R
from app.api._addresses import path_segment
from app.api._transport import BaseClient, log
from app.api.errors import MalformedResponseError, NotFoundError
from app.api.snapshot import JobSnapshot, snapshot_from


def _job(res: R.Resource) -> Callable[[Any], JobSnapshot]:
    def parse(body: Any) -> JobSnapshot:
        return snapshot_from(res, body)
    return parse


class JobEndpoints(BaseClient):
    """Create, preview and render jobs of every resource; read them back."""

    # The Text Generator's jobs are read at /sse/…/{id}/ unless that answered 404 and the
    # /api/ path did not: then /api/ is asked first (and /sse/ is still the fallback).
    _text_generator_legacy_first: bool = False

    # ------------------------------------------------------------------ jobs, generic

    async def create(self, resource_key: str, body: Mapping[str, Any]) -> JobSnapshot:
        """``POST /api/<resource>/`` — paid, sent once."""
        res = R.resource(resource_key)
        return await self._paid(_job(res), res.path, dict(body))

    async def preview(self, resource_key: str, body: Mapping[str, Any]) -> JobSnapshot:
        """``POST /api/<resource>/preview/`` — paid (preview rate), sent once."""
        res = R.resource(resource_key)
        return await self._paid(_job(res), res.action_path("preview"), dict(body))

    async def preview_async(self, body: Mapping[str, Any]) -> JobSnapshot:
        """``POST /api/custom_template_jobs/preview_async/`` — the template preview the docs
        recommend (answers at once, 201; poll until ``preview`` is set). Paid, sent once."""
        res = R.CUSTOM_TEMPLATE_JOBS
        return await self._paid(_job(res), res.action_path("preview_async"), dict(body))

    async def render(self, resource_key: str, job_id: str) -> JobSnapshot:
        """``POST /api/<resource>/<id>/render/`` — paid (render rate), sent once."""
        res = R.resource(resource_key)
        path = res.action_path("render", path_segment(job_id, "job id"))
        return await self._paid(_job(res), path, None)

    async def get_job(self, resource_key: str, job_id: str) -> JobSnapshot:
        """``GET <resource>/<id>/``. The Text Generator is read at ``/sse/text_generator/{id}/``
        and, only when that answers 404, at ``/api/text_generator/{id}/`` (the docs give both)."""
        res = R.resource(resource_key)
        segment = path_segment(job_id, "job id")
        if res is not R.TEXT_GENERATOR:
            return snapshot_from(res, await self._free("GET", res.item_path(segment)))
        paths = [res.item_path(segment), f"{R.TEXT_GENERATOR_LEGACY_PATH}{segment}/"]
        if self._text_generator_legacy_first:
            paths.reverse()
        try:
            body = await self._free("GET", paths[0])
        except NotFoundError:
            log.info("%s answered 404; trying %s", paths[0], paths[1])
            body = await self._free("GET", paths[1])
            # The other path answered: ask it first from now on (one request a poll, not two).
            self._text_generator_legacy_first = not self._text_generator_legacy_first
        return snapshot_from(res, body)

    async def list_jobs(self, resource_key: str,
                        ids: Iterable[str] | None = None) -> list[JobSnapshot]:
        """``GET <resource>/`` — with ``ids``, batched at most 100 per request.

        A resource whose list documents no ``ids`` filter (``supports_ids`` false: Ad Clone,
        the Text Generator) is never asked with ids: poll its jobs one by one with
        :meth:`get_job`. Asking raises ``ValueError``."""
        res = R.resource(resource_key)
        if ids is None:
            return self._snapshots(res, await self._free("GET", res.path))
        if not res.supports_ids:
            raise ValueError(
                f"The {res.key} list ({res.path}) takes no ids filter; "
                f"read each job with get_job({res.key!r}, id) instead.")
        wanted = list(dict.fromkeys(ids))
        out: list[JobSnapshot] = []
        for start in range(0, len(wanted), R.MAX_IDS_PER_LIST):
            chunk = wanted[start:start + R.MAX_IDS_PER_LIST]
            body = await self._free("GET", res.path, params={"ids": ",".join(chunk)})
            out.extend(self._snapshots(res, body))
        return out

    @staticmethod
    def _snapshots(res: R.Resource, body: object) -> list[JobSnapshot]:
        if not isinstance(body, list):
            raise MalformedResponseError(f"expected a JSON array from {res.path}")
        out = []
        for item in body:
            try:
                out.append(snapshot_from(res, item))
            except MalformedResponseError as exc:
                log.warning("skipping a malformed %s item: %s", res.key, exc.message)
        return out

    # ------------------------------------------------------------------ URL to Video extras

    async def preview_list_async(self, body: Mapping[str, Any]) -> JobSnapshot:
        """Previews of several ``visual_styles`` in one job — paid per preview."""
        path = R.LINK_TO_VIDEOS.action_path("preview_list_async")
        return await self._paid(_job(R.LINK_TO_VIDEOS), path, dict(body))

    async def render_single_preview(self, job_id: str, media_job: str) -> JobSnapshot:
        """Render one of the previews made by :meth:`preview_list_async` — paid."""
        path = R.LINK_TO_VIDEOS.action_path("render_single_preview",
                                            path_segment(job_id, "job id"))
        return await self._paid(_job(R.LINK_TO_VIDEOS), path, {"media_job": media_job})

    # ------------------------------------------------------------------ Product Video

    async def gen_image(self, body: Mapping[str, Any]) -> JobSnapshot:
        path = R.PRODUCT_TO_VIDEOS.action_path("gen_image")
        return await self._paid(_job(R.PRODUCT_TO_VIDEOS), path, dict(body))

    async def gen_video(self, job_id: str, body: Mapping[str, Any]) -> JobSnapshot:
        """Animate the image of job ``job_id`` (same id)."""
        path = R.PRODUCT_TO_VIDEOS.action_path("gen_video", path_segment(job_id, "job id"))
        return await self._paid(_job(R.PRODUCT_TO_VIDEOS), path, dict(body))

    async def regen(self, job_id: str, step: str,
                    body: Mapping[str, Any] | None = None) -> JobSnapshot:
        """``regen_image`` / ``regen_video``: a new job (new id)."""
        if step not in ("image", "video"):
            raise ValueError("step must be 'image' or 'video'")
        path = R.PRODUCT_TO_VIDEOS.action_path(f"regen_{step}", path_segment(job_id, "job id"))
        return await self._paid(_job(R.PRODUCT_TO_VIDEOS), path, dict(body or {}))

    # ------------------------------------------------------------------ other generators

    async def text_generate(self, body: Mapping[str, Any], *, sync: bool = False) -> JobSnapshot:
        """``POST /sse/text_generator/`` — async (poll it) or ``sync`` (finished object)."""
        payload = {**body, "sync": sync}
        return await self._paid(_job(R.TEXT_GENERATOR), R.TEXT_GENERATOR_CREATE_PATH, payload)

    async def asset_generate(self, model_name: str, input_params: Mapping[str, Any]) -> JobSnapshot:
        return await self.create("asset_generator",
                                 {"model_name": model_name, "input_params": dict(input_params)})


__all__ = ["JobEndpoints"]
