"""The whole generator matrix through the real window, against the simulator over loopback
with every docs quirk on (a preview's job back at ``pending`` with its preview filled, AI
Scripts' paragraphs as one string, paged musics, the asset list's string ``credits_used``, the
Ad Clone list that ignores ``ids``).

Every generator × every flow × every model variant the window offers is filled in its tab,
confirmed in the cost box and sent; the job is followed to its true end (a preview to "preview
ready", then its render — or one chosen style — to done); the result is shown (text) or
downloaded (a file of the right kind); and the simulator's balance moves by exactly what the
window quoted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton

from app.api.client import CreatifyClient
from app.generators import BY_KEY, SPECS, DurationKind, FieldKind, Flow, GeneratorSpec, ResultKind
from app.generators.quote import format_credits
from app.generators.quote_words import first_step_credits
from app.jobs.ledger import DownloadState, JobRecord, JobState
from app.jobs.scheduler import PollPolicy
from app.sandbox import DocsQuirks, Sandbox
from tests.gui.conftest import idle, until
from tests.gui.test_window import Studio, confirmation, studio  # noqa: F401
from tests.samples import SCRIPT_31S
from ui.generator.tab import GeneratorTab
from ui.jobs.model import COL_STATUS, preview_ready
from ui.service import Mode

SPEED = 1000
"""The simulator's clock (and the app's polling) this many times faster than Creatify."""

AUDIO_SECONDS = 12
VIDEO_SECONDS = 31

STYLES = ["AvatarBubbleTemplate", "FullScreenTemplate"]

VIDEO_SUFFIXES = {".mp4", ".mov", ".webm", ".m4v"}
AUDIO_SUFFIXES = {".mp3", ".wav", ".m4a", ".aac", ".ogg"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp"}

ASSET_PARAMS: dict[str, list[dict[str, Any]]] = {
    # Each model with its defaults, plus the inputs that change its price.
    "veo3.1/fast": [{}, {"duration": "4"}],
    "kling-video/o3/pro/text-to-video": [{}, {"duration": "10"}],
    "nano-banana": [{}, {"num_images": 3}],
    "nano-banana-pro": [{}, {"resolution": "4K", "num_images": 2}],
    "flux-pro/kontext/text-to-image": [{"num_images": 2}],
}


@dataclass(frozen=True)
class Case:
    key: str
    flow: Flow
    overrides: dict[str, Any] = field(default_factory=dict)
    label: str = ""

    @property
    def id(self) -> str:
        return "-".join(p for p in (self.key, self.flow.value, self.label) if p)

    @property
    def spec(self) -> GeneratorSpec:
        return BY_KEY[self.key]


def _choices(spec: GeneratorSpec, name: str) -> list[Any]:
    try:
        f = spec.field(name)
    except KeyError:
        return []
    return [c.value for c in f.choices or ()]


def _variants(spec: GeneratorSpec) -> list[tuple[str, dict[str, Any]]]:
    """Every model variant the tab offers: ``model_version`` values, asset models (with the
    inputs that price them), text models."""
    if spec.key == "asset_generator":
        out = []
        for model in _choices(spec, "model_name"):
            for params in ASSET_PARAMS.get(model, [{}]):
                label = model + "".join(f"-{k}={v}" for k, v in params.items())
                out.append((label, {"model_name": model, "params": params}))
        return out
    if spec.key == "text_generator":
        return [(str(m), {"model_name": m}) for m in _choices(spec, "model_name")]
    if spec.key == "ai_ad_template":  # its "model" is a gallery template, chosen in the form
        return [("", {})]
    name = spec.model_field or ("model_version" if _choices(spec, "model_version") else None)
    if name is None:
        return [("", {})]
    return [(str(v), {name: v}) for v in _choices(spec, name)]


def _cases() -> list[Case]:
    cases = []
    for spec in SPECS:
        for flow in spec.flows:
            for label, overrides in _variants(spec):
                cases.append(Case(spec.key, flow, overrides, label))
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def simulator() -> Iterator[Sandbox]:
    """This file's own simulator, every docs quirk on: its balance moves only with this file's
    jobs."""
    with Sandbox(speed=SPEED, balance=1_000_000, quirks=DocsQuirks()) as server:
        yield server


@dataclass
class World:
    """Ids and media the forms need, made once on the simulator (before any charge is
    measured)."""

    link_id: str
    persona_id: str
    accent_id: str
    image_job: str      # a Product Video job with its image made (for gen_video)
    regen_image_job: str  # another, for regenerating the image
    video_job: str      # one with its video made (for regenerating the video)
    template: dict[str, Any]
    media: str
    inspiration: dict[str, Any]  # an AI Ad Template of the simulator's gallery

    @property
    def image_url(self) -> str:
        return f"{self.media}/sample.png"

    @property
    def audio_url(self) -> str:
        return f"{self.media}/sample.mp3?duration={AUDIO_SECONDS}"

    @property
    def video_url(self) -> str:
        return f"{self.media}/sample.mp4?duration={VIDEO_SECONDS}"


_WORLDS: dict[str, World] = {}


async def _finished(client: CreatifyClient, resource: str, job_id: str) -> None:
    for _ in range(2000):
        job = await client.get_job(resource, job_id)
        if job.is_terminal:
            assert job.status.value in ("done", "image_done"), job
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{resource} {job_id} never finished")


async def make_world(client: CreatifyClient, simulator: Sandbox) -> World:
    if simulator.base_url in _WORLDS:
        return _WORLDS[simulator.base_url]
    media = f"{simulator.base_url}/media/samples"
    link = await client.create_link("https://shop.example.com/products/mug")
    personas = await client.personas()
    voices = await client.voices()
    jobs = []
    for _ in range(3):
        job = await client.gen_image({"product_url": f"{media}/sample.png"})
        await _finished(client, "product_to_videos", job.id)
        jobs.append(job.id)
    video = await client.gen_video(jobs[2], {"motion_style": "display"})
    await _finished(client, "product_to_videos", video.id)
    templates = await client.custom_templates()
    assert len(templates) >= 2, templates
    details = [await client.custom_template(str(t["template_id"])) for t in templates]
    # The template with media variables (its length follows them), else the first.
    template = next((d for d in details if any(v["type"] in ("video", "audio")
                                               for _n, v in _variables(d))), details[0])
    inspirations = await client.inspirations()
    assert inspirations, "the simulator serves AI Ad Templates"
    world = World(link_id=link.id, persona_id=personas[0]["id"],
                  accent_id=voices[0]["accents"][0]["id"], image_job=jobs[0],
                  regen_image_job=jobs[1], video_job=video.id, template=template, media=media,
                  inspiration=inspirations[0])
    _WORLDS[simulator.base_url] = world
    return world


def _variables(detail: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    raw = detail.get("variables") or {}
    return list(raw.items()) if isinstance(raw, dict) else [(v["name"], v) for v in raw]


def inspiration_inputs(w: World) -> dict[str, Any]:
    """A value for each required input of the AI Ad Template, as a creator fills them: an
    image address for an image, the first choice of a list, the lowest number, text."""
    schema = w.inspiration["input_params_schema"]
    values: dict[str, Any] = {}
    for name in schema.get("required") or ():
        prop = schema["properties"][name]
        if prop.get("enum"):
            values[name] = prop["enum"][0]
        elif prop.get("type") in ("number", "integer"):
            values[name] = prop.get("default", prop.get("minimum", 1))
        elif "image" in name.lower() or prop.get("format") == "uri":
            values[name] = w.image_url
        else:
            values[name] = "Fresh mornings"
    return values


def template_variables(w: World) -> tuple[dict[str, Any], float]:
    """A value for each of the template's variables, and the length the video will have
    (its longest audio or video, else 30 s)."""
    values: dict[str, Any] = {}
    lengths: list[float] = []
    for name, variable in _variables(w.template):
        kind = variable["type"]
        value = {"text": "Hello", "image": w.image_url, "video": w.video_url,
                 "audio": w.audio_url, "avatar": w.persona_id,
                 "voiceover": w.accent_id}.get(kind, "Hello")
        values[name] = {"type": kind, "value": value}
        if kind in ("video", "audio"):
            lengths.append(VIDEO_SECONDS if kind == "video" else AUDIO_SECONDS)
    return values, max(lengths, default=30.0)


def form_values(case: Case, w: World) -> tuple[dict[str, Any], float | None]:
    """The form's values for ``case`` and the media length to enter (None: the tab derives
    it, or there is none)."""
    o = case.overrides
    match case.key:
        case "url_to_video":
            values: dict[str, Any] = {"link": w.link_id, "video_length": 30,
                                      "aspect_ratio": "9x16", "override_avatar": w.persona_id,
                                      "override_voice": w.accent_id, **o}
            if case.flow is Flow.COMPARE_STYLES:
                values["visual_styles"] = STYLES
            return values, None
        case "avatar_v1":
            return {"creator": w.persona_id, "text": SCRIPT_31S, "accent": w.accent_id,
                    **o}, None
        case "avatar_v2":
            return {"scenes": [{"avatar_id": w.persona_id, "voice_id": w.accent_id,
                                "input_text": SCRIPT_31S, "background_url": w.image_url}],
                    **o}, None
        case "aurora" | "aurora_fast":
            return {"image": w.image_url, "audio": w.audio_url, **o}, AUDIO_SECONDS
        case "custom_template":
            variables, seconds = template_variables(w)
            return {"template_id": str(w.template["template_id"]), "variables": variables,
                    **o}, seconds
        case "asset_generator":
            return {"model_name": o["model_name"],
                    "input_params": {"prompt": "A mug on a desk", **o["params"]}}, None
        case "text_generator":
            return {"prompt": "Write a tagline for a mug.", **o}, None
        case "text_to_speech":
            return {"script": SCRIPT_31S, "accent": w.accent_id}, None
        case "ai_scripts":
            return {"url": "https://shop.example.com/products/mug", "video_length": 30}, None
        case "links":
            return {"url": "https://shop.example.com/products/mug"}, None
        case "ai_shorts":
            return {"script": SCRIPT_31S, "aspect_ratio": "9x16", "style": "Cinematic"}, None
        case "ai_editing":
            styles = _choices(case.spec, "editing_style")
            return {"video_url": w.video_url, "editing_style": styles[0]}, VIDEO_SECONDS
        case "product_image":
            if case.flow is Flow.REGENERATE:
                return {"source_job": w.regen_image_job}, None
            return {"product_url": w.image_url}, None
        case "product_video":
            if case.flow is Flow.REGENERATE:
                return {"source_job": w.video_job}, None
            return {"source_job": w.image_job, "motion_style": "display"}, None
        case "ad_clone":
            return {"link": w.link_id, "video_url": w.video_url}, VIDEO_SECONDS
        case "ai_ad_template":
            return {"inspiration_id": w.inspiration["id"],
                    "input_params": inspiration_inputs(w)}, None
        case "image_ad":
            return {"image": w.image_url}, None
    raise AssertionError(f"no values for {case.key}")


async def connect(studio: Studio, simulator: Sandbox) -> World:  # noqa: F811
    service = studio.service
    await service.session.use_client(CreatifyClient("sandbox", "sandbox",
                                                    base_url=simulator.base_url),
                                     studio.data_dir / "jobs.sqlite3",
                                     PollPolicy().scaled(SPEED), Mode.SANDBOX)
    assert service.session.client is not None
    world = await make_world(service.session.client, simulator)
    await service.fetch_credits()
    return world


def select_flow(tab: GeneratorTab, flow: Flow) -> None:
    index = tab.flow.findData(flow)
    assert index >= 0, flow
    tab.flow.setCurrentIndex(index)
    assert tab.selected_flow() is flow


async def confirm(studio: Studio, expect: str) -> QMessageBox:  # noqa: F811
    """The cost box is up and names ``expect``; nothing was sent before Send."""
    await until(lambda: confirmation(studio.window) is not None, timeout=10,
                message="no cost confirmation")
    box = confirmation(studio.window)
    assert box is not None
    assert expect in box.informativeText(), box.informativeText()
    return box


async def send(box: QMessageBox, simulator: Sandbox, creates: int) -> None:
    await asyncio.sleep(0.02)
    assert len(simulator.create_log) == creates, "a paid request left before Send"
    button = box.findChild(QPushButton, "confirm_send")
    assert button is not None
    button.click()
    await until(lambda: len(simulator.create_log) == creates + 1, timeout=10,
                message="the paid request was not sent once")


def media_files(folder: Path) -> set[Path]:
    if not folder.exists():
        return set()
    return {p for p in folder.rglob("*") if p.is_file() and p.suffix not in (".json", ".part")}


def sniff(path: Path) -> str:
    """What a downloaded file really is, from its first bytes."""
    head = path.read_bytes()[:16]
    if head[4:8] == b"ftyp" or head.startswith(b"\x1aE\xdf\xa3"):
        return "video"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff")) or head[8:12] == b"WEBP":
        return "image"
    if head.startswith((b"ID3", b"\xff\xfb", b"\xff\xf3", b"RIFF")):
        return "audio"
    return "unknown"


def expected_kind(case: Case) -> str | None:
    kind = case.spec.result_kind
    if case.key == "ai_ad_template":  # what the template makes: its gen_type says
        gen_type = str(_WORLDS and next(iter(_WORLDS.values())).inspiration["gen_type"])
        return "video" if gen_type.endswith("video") else "image"
    if kind is ResultKind.ASSET:
        model = str(case.overrides["model_name"])
        return "video" if "video" in model or model.startswith("veo") else "image"
    return {ResultKind.VIDEO: "video", ResultKind.AUDIO: "audio",
            ResultKind.IMAGE: "image"}.get(kind)


def ended(record: JobRecord | None) -> bool:
    """At its true end: terminal with its download settled, or a preview ready."""
    if record is None:
        return False
    if preview_ready(record):
        return True
    if not record.state.is_terminal:
        return False
    return not record.result_urls or record.download_state in (DownloadState.DONE,
                                                                DownloadState.FAILED)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
async def test_generator_matrix(case: Case, studio: Studio,  # noqa: F811
                                simulator: Sandbox) -> None:
    assert simulator.quirks == DocsQuirks()  # every docs quirk on
    world = await connect(studio, simulator)
    window, service = studio.window, studio.service
    spec = case.spec
    tab = window.show_generator(spec.key)
    select_flow(tab, case.flow)
    values, seconds = form_values(case, world)
    tab.form.set_values(values)
    if seconds is not None and tab.duration is not None \
            and spec.duration.kind is DurationKind.MEDIA:
        tab.duration.set_seconds(seconds)
    await until(lambda: tab.submit_button.isEnabled(), timeout=10,
                message=f"Generate stays disabled: {tab.errors()} {tab.hint.text()}")
    for name, value in case.overrides.items():
        if name in tab.values() and spec.field(name).kind is not FieldKind.SCHEMA_FORM:
            assert tab.values()[name] == value, name

    q = tab.current_quote
    assert q is not None and q.error is None, q
    output = service.output_dir
    files_before = media_files(output)
    balance_before = simulator.balance
    creates = len(simulator.create_log)

    # Generate → the cost box with the quote → Send: one paid request.
    tab.submit_button.click()
    if q.known_after_run:
        box = await confirm(studio, "Charged by tokens")
    else:
        assert q.credits is not None
        box = await confirm(studio, f"Estimated cost: {format_credits(q.credits)}")
    await send(box, simulator, creates)
    expected = q.credits
    check_request(case, simulator.create_log[creates])

    if spec.key == "text_generator":
        await until(lambda: "Answer complete" in tab.status.text(), timeout=20,
                    message=f"no answer: {tab.status.text()}")
        job = tab.last_job
        assert job is not None and job.state is JobState.DONE and job.credits_used
        assert tab.answer.toPlainText().strip()
        assert job.response_text and tab.answer.toPlainText() == job.response_text
        expected = job.credits_used  # priced by tokens: known after the run
    else:
        await until(lambda: ended(tab.last_job), timeout=60,
                    message=f"{case.id} never ended: {tab.status.text()}")
        job = tab.last_job
        assert job is not None
        assert job.estimate == first_step_credits(q)
        if case.flow in (Flow.PREVIEW_RENDER, Flow.COMPARE_STYLES):
            job = await render_it(case, studio, tab, job, simulator)
        else:
            assert job.state in (JobState.DONE, JobState.IMAGE_DONE), (job.state,
                                                                      job.failed_reason)
        check_result(case, studio, tab, job, simulator, files_before)

    # Charged exactly what the window quoted (the render included).
    assert expected is not None
    await until(lambda: simulator.balance == balance_before - expected, timeout=20,
                message=f"{case.id}: charged {balance_before - simulator.balance}, "
                        f"quoted {expected}")
    await idle(timeout=15)


def check_request(case: Case, create: Any) -> None:
    """The paid request went where the flow says, with the variant chosen in the form."""
    path = create.path.rstrip("/")
    body = create.body
    assert create.status_code in (200, 201), (create.status_code, path)
    if case.flow is Flow.COMPARE_STYLES:
        assert path.endswith("/preview_list_async") and body["visual_styles"] == STYLES
    elif case.flow is Flow.PREVIEW_RENDER:
        assert "preview" in path.rsplit("/", 1)[-1], path
    elif case.flow is Flow.REGENERATE:
        assert "/regen" in path, path
    if case.key == "text_generator":
        assert "/sse/text_generator" in path, path
    for name, value in case.overrides.items():
        if name == "params":
            for param, wanted in value.items():
                assert body["input_params"][param] == wanted, (param, body)
        else:
            assert body[name] == value, (name, body)


async def render_it(case: Case, studio: Studio, tab: GeneratorTab,  # noqa: F811
                    preview: JobRecord, simulator: Sandbox) -> JobRecord:
    """The preview is ready whatever the status said: the tab and the Jobs panel offer the
    render; its own confirmation; then the render to done, downloaded."""
    assert preview_ready(preview), (preview.state, preview.raw_status)
    assert preview.state is JobState.PREVIEW_READY
    # The docs' way: the job went back to ``pending`` with its preview(s) filled.
    [wire] = [j for j in simulator.jobs(preview.resource) if j["id"] == preview.server_id]
    assert wire["status"] == "pending", wire["status"]
    assert wire.get("previews") if case.flow is Flow.COMPARE_STYLES else wire.get("preview")
    assert "Preview ready" in tab.status.text()
    panel = studio.window.queue
    row = panel.model.row_of(preview.key)
    assert row is not None
    assert panel.model.index(row, COL_STATUS).data().startswith("Preview ready")
    creates = len(simulator.create_log)
    if case.flow is Flow.COMPARE_STYLES:
        assert tab.choose_button.isVisible()
        assert [p.visual_style for p in preview.previews] == STYLES
        tab.choose_button.click()
        dialog = tab.styles_dialog
        assert dialog is not None and dialog.isVisible()
        assert dialog.costs.render_credits is not None
        cost = dialog.costs.render_credits
        dialog.cards[1].render_button.click()
    else:
        assert tab.render_button.isVisible()
        tab.render_button.click()
        cost = None
    box = await confirm(studio, "Render cost: ")
    if cost is not None:
        assert f"Render cost: {format_credits(cost)}" in box.informativeText()
    await send(box, simulator, creates)
    await until(lambda: tab.last_job is not None and tab.last_job.key != preview.key
                and ended(tab.last_job), timeout=60,
                message=f"render never ended: {tab.status.text()}")
    render = tab.last_job
    assert render is not None and render.server_id == preview.server_id
    assert render.state is JobState.DONE, (render.state, render.failed_reason)
    # The preview's row keeps its state and its own cost; it is not downloaded as a result.
    ledger = studio.service.session.ledger
    assert ledger is not None
    kept = ledger.get(preview.key)
    assert preview_ready(kept) and kept.estimate == preview.estimate
    assert kept.download_state is not DownloadState.DONE
    return render


def check_result(case: Case, studio: Studio, tab: GeneratorTab,  # noqa: F811
                 job: JobRecord, simulator: Sandbox, files_before: set[Path]) -> None:
    """Shown (text, link) or downloaded (a file of the right kind, once)."""
    kind = expected_kind(case)
    if kind is not None:
        assert job.result_urls, job
        assert job.download_state is DownloadState.DONE, (job.download_state,
                                                         job.download_error)
        assert job.download_path and Path(job.download_path).is_file()
        path = Path(job.download_path)
        assert sniff(path) == kind, (path, sniff(path))
        suffixes = {"video": VIDEO_SUFFIXES, "audio": AUDIO_SUFFIXES, "image": IMAGE_SUFFIXES}
        assert path.suffix.lower() in suffixes[kind], path
        assert "Saved to" in tab.status.text() or " saved in " in tab.status.text()
        new = media_files(studio.service.output_dir) - files_before
        assert path in new
        if case.flow in (Flow.PREVIEW_RENDER, Flow.COMPARE_STYLES):
            assert new == {path}, f"downloaded more than the render: {sorted(new)}"
        return
    if case.spec.result_kind is ResultKind.TEXT:  # AI Scripts: the scripts themselves
        shown = tab.answer.toPlainText()
        assert job.response_text and shown == job.response_text
        [server] = [j for j in simulator.jobs("ai_scripts") if j["id"] == job.server_id]
        for script in server.get("generated_scripts") or []:
            paragraphs = script.get("paragraphs")
            text = paragraphs if isinstance(paragraphs, str) else " ".join(paragraphs or [])
            first = text.strip().split("\n")[0][:40]
            assert first and first in shown, (first, shown[:200])
        return
    if case.spec.result_kind is ResultKind.LINK:
        assert job.server_id and job.state is JobState.DONE
        assert tab.answer.isVisible() and tab.answer.toPlainText().strip()
        return
    raise AssertionError(f"unchecked result kind {case.spec.result_kind}")


def test_the_matrix_covers_every_generator_flow_and_variant() -> None:
    """The matrix is built from the specs: each generator, each of its flows, each model."""
    assert {c.key for c in CASES} == {s.key for s in SPECS}
    assert {(c.key, c.flow) for c in CASES} == {(s.key, f) for s in SPECS for f in s.flows}
    u2v = {c.overrides.get("model_version") for c in CASES if c.key == "url_to_video"}
    assert u2v == set(_choices(BY_KEY["url_to_video"], "model_version"))
    assert {c.overrides["model_name"] for c in CASES if c.key == "asset_generator"} \
        == set(_choices(BY_KEY["asset_generator"], "model_name"))
    aurora = {c.overrides.get("model_version") for c in CASES if c.key == "aurora"}
    assert aurora == set(_choices(BY_KEY["aurora"], "model_version"))
    assert len(aurora) >= 2
