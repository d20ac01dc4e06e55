"""The endpoint table: every Creatify resource the client speaks, and its wire quirks.

This is the one place that knows a resource's path, which status values it uses, where its
result URL lives and how its ``progress`` is written. The client, the snapshot normaliser,
the generator specs and the simulator all read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ProgressForm(StrEnum):
    """How a resource writes ``progress`` on the wire."""

    STRING = "string"
    NUMBER = "number"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Resource:
    """One Creatify resource (a collection under ``/api/``)."""

    key: str
    path: str
    statuses: tuple[str, ...]
    result_fields: tuple[str, ...] = ()
    progress: ProgressForm = ProgressForm.NONE
    supports_ids: bool = True
    has_name: bool = False
    has_credits_used: bool = True
    model_label: str = ""
    # ``status`` is a free string the docs do not enumerate (Inspiration jobs name only
    # "done"): a word we do not know means the job is still running, not "unknown".
    free_status: bool = False
    # A non-empty ``failed_reason`` means the job failed, whatever ``status`` says (the docs'
    # only failure signal for Inspiration jobs).
    failed_by_reason: bool = False
    # The result fields hold several results: a list of URLs or of ``{url, …}`` objects, or
    # such a list as JSON text (Image Ads' ``output[]``, Inspiration ``output``).
    result_lists: bool = False

    def item_path(self, job_id: str) -> str:
        return f"{self.path}{job_id}/"

    def action_path(self, action: str, job_id: str | None = None) -> str:
        """``/api/<resource>/<action>/`` or ``/api/<resource>/<id>/<action>/``."""
        if job_id is None:
            return f"{self.path}{action}/"
        return f"{self.path}{job_id}/{action}/"


_BASIC = ("pending", "in_queue", "running", "failed", "done")
_WITH_REJECTED = (*_BASIC, "rejected")

LINKS = Resource("links", "/api/links/", (), (), ProgressForm.NONE, supports_ids=False,
                 model_label="Link")
LINK_TO_VIDEOS = Resource(
    "link_to_videos", "/api/link_to_videos/", _BASIC, ("video_output",), ProgressForm.STRING,
    has_name=True, model_label="LinkToVideo")
LIPSYNCS = Resource("lipsyncs", "/api/lipsyncs/", _BASIC, ("output", "video_output"),
                    ProgressForm.STRING, has_name=True, model_label="Lipsync")
LIPSYNCS_V2 = Resource("lipsyncs_v2", "/api/lipsyncs_v2/", _BASIC, ("output", "video_output"),
                       ProgressForm.STRING, has_name=True, model_label="LipsyncV2")
AURORA = Resource("aurora", "/api/aurora/", _WITH_REJECTED, ("video_output",),
                  ProgressForm.NUMBER, has_name=True, model_label="Aurora")
# Its render webhook names the result ``output`` (the create's webhook ``video_output``).
CUSTOM_TEMPLATE_JOBS = Resource(
    "custom_template_jobs", "/api/custom_template_jobs/", _WITH_REJECTED,
    ("video_output", "output"),
    ProgressForm.NUMBER, has_name=True, model_label="CustomTemplateJob")
ASSET_GENERATOR = Resource(
    "asset_generator", "/api/asset_generator/", ("initializing", "generating", "done", "failed"),
    ("assets",), ProgressForm.NONE, model_label="AssetGenerator")
# The Text Generator's reference pages live under /sse/ (create, stream/, list, {id}/); its list
# documents no ``ids`` filter. One prose line still polls /api/text_generator/{id}/: the client
# falls back to it on a 404 (TEXT_GENERATOR_LEGACY_PATH).
TEXT_GENERATOR = Resource(
    "text_generator", "/sse/text_generator/", ("pending", "running", "done", "failed"),
    ("response_text",), ProgressForm.NONE, supports_ids=False, model_label="TextGenerator")
TEXT_TO_SPEECH = Resource("text_to_speech", "/api/text_to_speech/", _BASIC,
                          ("output", "video_output"), ProgressForm.NONE,
                          model_label="TextToSpeech")
AI_SCRIPTS = Resource("ai_scripts", "/api/ai_scripts/", _BASIC, ("generated_scripts",),
                      ProgressForm.NONE, model_label="AiScript")
AI_SHORTS = Resource("ai_shorts", "/api/ai_shorts/", _WITH_REJECTED, ("video_output",),
                     ProgressForm.NUMBER, model_label="AiShorts")
AI_EDITING = Resource("ai_editing", "/api/ai_editing/", _WITH_REJECTED, ("video_output",),
                      ProgressForm.NUMBER, model_label="AiEditing")
PRODUCT_TO_VIDEOS = Resource(
    "product_to_videos", "/api/product_to_videos/",
    ("initializing", "image_generating", "image_generated", "video_generating",
     "video_generated", "failed"),
    ("generated_video_url", "generated_photo_url"), ProgressForm.NONE,
    has_credits_used=False, model_label="ProductToVideo")
# The Ad Clone list documents no ``ids`` filter (it answers every job): poll each by id.
ADS_CLONE = Resource("ads_clone", "/api/ads_clone/", _WITH_REJECTED, ("video_output",),
                     ProgressForm.NUMBER, supports_ids=False, model_label="AdsClone")

# AI Ad Templates (the docs' "inspirations"): ``status`` a free string (only "done" named),
# ``output`` typed string holding the JSON list of assets, a non-empty ``failed_reason`` the
# failure signal, no ``credits_used`` (charged the inspiration's ``credit_cost``).
INSPIRATION_JOBS = Resource(
    "inspiration_jobs", "/api/inspiration_jobs/", ("done",), ("output",), ProgressForm.NONE,
    has_credits_used=False, model_label="CommunityRecipeMediaJob", free_status=True,
    failed_by_reason=True, result_lists=True)
# Image Ads: one image in, several ad images out (``output[].url``); the list documents no
# ``ids`` filter; no ``credits_used`` (2 credits a request).
IAB_IMAGES = Resource("iab_images", "/api/iab_images/", _BASIC, ("output",), ProgressForm.NONE,
                      supports_ids=False, has_credits_used=False, model_label="IABImage",
                      result_lists=True)

# Read-only catalogues (pickers); never billed.
PERSONAS = Resource("personas", "/api/personas/", (), supports_ids=False)
PERSONAS_V2 = Resource("personas_v2", "/api/personas_v2/", (), supports_ids=False)
VOICES = Resource("voices", "/api/voices/", (), supports_ids=False)
MUSICS = Resource("musics", "/api/musics/", (), supports_ids=False)

JOB_RESOURCES: dict[str, Resource] = {
    r.key: r
    for r in (LINK_TO_VIDEOS, LIPSYNCS, LIPSYNCS_V2, AURORA, CUSTOM_TEMPLATE_JOBS,
              ASSET_GENERATOR, TEXT_GENERATOR, TEXT_TO_SPEECH, AI_SCRIPTS, AI_SHORTS,
              AI_EDITING, PRODUCT_TO_VIDEOS, ADS_CLONE, INSPIRATION_JOBS, IAB_IMAGES)
}
ALL_RESOURCES: dict[str, Resource] = {
    **JOB_RESOURCES,
    **{r.key: r for r in (LINKS, PERSONAS, PERSONAS_V2, VOICES, MUSICS)},
}

REMAINING_CREDITS_PATH = "/api/remaining_credits/"
TEXT_GENERATOR_CREATE_PATH = TEXT_GENERATOR.path
TEXT_GENERATOR_STREAM_PATH = TEXT_GENERATOR.action_path("stream")
TEXT_GENERATOR_LEGACY_PATH = "/api/text_generator/"
"""Only ``{id}/`` under it, and only as the fallback when ``/sse/text_generator/{id}/`` is 404."""
MUSIC_CATEGORIES_PATH = "/api/music_categories/"
CUSTOM_TEMPLATES_PATH = "/api/custom_templates/"
ASSET_SCHEMAS_PATH = "/api/asset_generator/schemas/"
INSPIRATIONS_PATH = "/api/inspirations/"
LINK_WITH_PARAMS_PATH = "/api/links/link_with_params/"
VOICE_ACCENTS_PATH = "/api/voices/accents/"  # DELETE {accent_id}/: a cloned voice

MAX_IDS_PER_LIST = 100
"""Creatify accepts at most this many ids in one ``?ids=`` list request."""


_BUILT_IN = frozenset(ALL_RESOURCES)


def register_resource(res: Resource) -> None:
    """Add a job resource the app does not ship (a generator registered at run time);
    ``ValueError`` when its key or path is already taken."""
    taken = {r.path for r in ALL_RESOURCES.values()}
    if res.key in ALL_RESOURCES or res.path in taken:
        raise ValueError(f"a Creatify resource {res.key!r} or path {res.path} already exists")
    JOB_RESOURCES[res.key] = res
    ALL_RESOURCES[res.key] = res


def unregister_resource(key: str) -> None:
    """Remove a resource added by :func:`register_resource` (the shipped ones stay)."""
    if key in _BUILT_IN:
        raise ValueError(f"{key!r} ships with the app and cannot be removed")
    JOB_RESOURCES.pop(key, None)
    ALL_RESOURCES.pop(key, None)


def resource(key: str) -> Resource:
    """The resource named ``key``; ``KeyError`` with the known names otherwise."""
    try:
        return ALL_RESOURCES[key]
    except KeyError:
        known = ", ".join(sorted(ALL_RESOURCES))
        raise KeyError(f"unknown Creatify resource {key!r} (known: {known})") from None
