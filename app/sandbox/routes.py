"""The route table: exactly the documented operations (``resources/creatify-openapi.json``)
of the resources the app uses, plus the ``/_sandbox/`` control endpoints.

``tests/contract/test_operations.py`` fails on a missing or an invented route. A paid route's
POST spends credits: it is logged in the create log and refused by the
``insufficient_credits`` fault. A resource family added with ``Sandbox(behaviours=...)`` gets
the plain job routes under its resource's path (list, create, read; preview and render when
previewable), like the built-in ones.
"""

from __future__ import annotations

from collections.abc import Callable

from app.sandbox.account import Account
from app.sandbox.behaviours import BEHAVIOURS
from app.sandbox.handlers import catalogues, control, jobs, links, product_video, text
from app.sandbox.jobs import Behaviour
from app.sandbox.routing import ANY, Call, Handler, Route, RouteTable, path_segments
from app.sandbox.wire import Request, Response

__all__ = ["build_routes"]

PLAIN_JOB_RESOURCES = ("link_to_videos", "lipsyncs", "lipsyncs_v2", "aurora",
                       "custom_template_jobs", "asset_generator", "text_to_speech",
                       "ai_shorts", "ai_editing", "ads_clone", "inspiration_jobs",
                       "iab_images")
"""The resources served by the generic list/read/create (and preview/render) handlers."""


def build_routes(a: Account) -> RouteTable:
    """The routes of the account ``a``, its handlers bound to it."""

    def on(handler: Callable[[Account, Call], Response]) -> Handler:
        return lambda call: handler(a, call)

    def job(handler: Callable[[Account, Behaviour, Call], Response], key: str) -> Handler:
        b = a.behaviours[key]
        return lambda call: handler(a, b, call)

    def plain(key: str, segments: tuple[str, ...]) -> list[Route]:
        """The generic list/create and read routes (preview and render if previewable)."""
        out = [Route(segments, {"GET": job(jobs.list_jobs, key), "POST": job(jobs.create, key)},
                     paid=True),
               Route((*segments, ANY), {"GET": job(jobs.get_job, key)})]
        if a.behaviours[key].previewable:
            out.append(Route((*segments, "preview"), {"POST": job(jobs.preview, key)},
                             paid=True))
            out.append(Route((*segments, ANY, "render"), {"POST": job(jobs.render, key)},
                             paid=True))
        return out

    routes = [
        Route(("_sandbox", "state"), {"GET": on(control.state)}, auth=False),
        Route(("_sandbox", "faults"),
              {"GET": on(control.faults), "POST": on(control.set_faults)}, auth=False),
        Route(("_sandbox", "quirks"),
              {"GET": on(control.quirks), "POST": on(control.set_quirks)}, auth=False),
        Route(("_sandbox", "creates"), {"GET": on(control.creates)}, auth=False),
        Route(("api", "remaining_credits"), {"GET": on(catalogues.remaining_credits)}),
        # catalogues
        Route(("api", "personas"), {"GET": on(catalogues.list_personas),
                                    "POST": on(catalogues.create_persona)}),
        Route(("api", "personas", "paginated"), {"GET": on(catalogues.personas_paginated)}),
        Route(("api", "personas", ANY), {"GET": on(catalogues.get_persona)}),
        Route(("api", "personas_v2"), {"GET": on(catalogues.list_personas),
                                       "POST": on(catalogues.create_persona_v2)}),
        Route(("api", "voices"), {"GET": on(catalogues.list_voices),
                                  "POST": on(catalogues.clone_voice)}),
        Route(("api", "voices", "paginated"), {"GET": on(catalogues.voices_paginated)}),
        Route(("api", "voices", "accents", ANY), {"DELETE": on(catalogues.delete_accent)}),
        Route(("api", "musics"), {"GET": on(catalogues.list_musics)}),
        Route(("api", "music_categories"), {"GET": on(catalogues.list_music_categories)}),
        Route(("api", "custom_templates"), {"GET": on(catalogues.list_templates)}),
        Route(("api", "custom_templates", ANY), {"GET": on(catalogues.get_template)}),
        Route(("api", "custom_templates", "preview"),
              {"POST": job(jobs.preview, "custom_templates")}, paid=True),
        Route(("api", "custom_templates", ANY, "render"),
              {"POST": job(jobs.render, "custom_templates")}, paid=True),
        Route(("api", "asset_generator", "schemas"), {"GET": on(catalogues.asset_schemas)}),
        Route(("api", "inspirations"), {"GET": on(catalogues.list_inspirations)}),
        Route(("api", "inspirations", ANY), {"GET": on(catalogues.get_inspiration)}),
        # links
        Route(("api", "links"), {"GET": on(links.list_links), "POST": on(links.create_link)},
              paid=True),
        Route(("api", "links", "link_with_params"), {"POST": on(links.link_with_params)},
              paid=True),
        Route(("api", "links", ANY), {"GET": on(links.get_link), "PUT": on(links.put_link)}),
        # actions beyond create/preview/render
        Route(("api", "link_to_videos", "preview_list_async"),
              {"POST": on(jobs.preview_list)}, paid=True),
        Route(("api", "link_to_videos", ANY, "render_single_preview"),
              {"POST": on(jobs.render_single_preview)}, paid=True),
        Route(("api", "lipsyncs", "multi_avatar"),
              {"POST": job(jobs.create, "lipsyncs_v2")}, paid=True),
        Route(("api", "custom_template_jobs", "preview_async"),
              {"POST": job(jobs.preview_async, "custom_template_jobs")}, paid=True),
        Route(("api", "product_to_videos"),
              {"GET": job(jobs.list_jobs, "product_to_videos")}),
        Route(("api", "product_to_videos", ANY),
              {"GET": job(jobs.get_job, "product_to_videos")}),
        Route(("api", "product_to_videos", "gen_image"),
              {"POST": job(jobs.create, "product_to_videos")}, paid=True),
        Route(("api", "product_to_videos", ANY, "gen_video"),
              {"POST": on(product_video.gen_video)}, paid=True),
        Route(("api", "product_to_videos", ANY, "regen_image"),
              {"POST": on(product_video.regen_image)}, paid=True),
        Route(("api", "product_to_videos", ANY, "regen_video"),
              {"POST": on(product_video.regen_video)}, paid=True),
        # the Text Generator: /sse/ (its reference pages) and the /api/ fallback read
        Route(("sse", "text_generator"),
              {"GET": job(jobs.list_jobs, "text_generator"), "POST": on(text.text_generate)},
              paid=True, text_errors=True),
        Route(("sse", "text_generator", "stream"), {"POST": on(text.text_stream)}, paid=True,
              text_errors=True),
        Route(("sse", "text_generator", ANY), {"GET": job(jobs.get_job, "text_generator")}),
        Route(("api", "text_generator", ANY), {"GET": job(jobs.get_job, "text_generator")}),
        Route(("api", "ai_scripts"), {"GET": job(jobs.list_jobs, "ai_scripts"),
                                      "POST": on(jobs.create_ai_scripts)}, paid=True),
        Route(("api", "ai_scripts", ANY), {"GET": job(jobs.get_job, "ai_scripts")}),
    ]
    for key in PLAIN_JOB_RESOURCES:
        routes.extend(plain(key, ("api", key)))
    for key in [k for k in a.behaviours if k not in BEHAVIOURS]:
        segments = path_segments(a.behaviours[key].resource.path)
        routes.extend(_unclaimed(routes, plain(key, segments)))
    return RouteTable(routes)


def _unclaimed(served: list[Route], added: list[Route]) -> list[Route]:
    """``added``, checked to answer no path a route of ``served`` answers."""
    table = RouteTable(served)
    for route in added:
        taken = table.resolve(Request("GET", "/" + "/".join(route.segments) + "/"))[0]
        if taken is not None:
            raise ValueError(f"the sandbox already serves {'/'.join(taken.segments)!r}: an "
                             f"added resource cannot take {'/'.join(route.segments)!r}")
    return added
