"""The sandbox's job model: runs (a schedule fixed at creation), jobs, outputs, and the
shape of a resource's :class:`Behaviour`.

A :class:`Run` is one pass of processing: (clock time → status) steps, an outcome and an end
time, all fixed when it starts; nothing ticks, reads compute ``progress`` from the clock. A
:class:`Job` is the wire object minus its live values. The table of behaviours per resource
is in ``behaviours``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from app.api.resources import Resource
from app.sandbox.validation import BodyCheck, F

if TYPE_CHECKING:
    from app.sandbox.account import Account

PREVIEW_TIME_SHARE = 1 / 3
"""A preview takes a third of the one-step run time; a render the whole of it."""
FAILED_AT = 0.6
REJECTED_AT = 0.2
"""A failing run ends this far (fraction of its planned length) into its schedule."""

PRODUCT_VIDEO_RUN_TIME = 90.0


# --------------------------------------------------------------------------------------------
# Jobs and runs


class Charge(Enum):
    """When a run's cost leaves the balance."""

    AT_END = "at_end"      # when the run succeeds (most resources)
    AT_START = "at_start"  # at creation, refunded in full on failure (Aurora)
    GRADUAL = "gradual"    # in equal parts as progress passes each block (Ad Clone)


class Stage(Enum):
    """What a run produces when it succeeds."""

    CREATE = "create"              # the resource's result (product_to_videos: the photo)
    PREVIEW = "preview"            # a preview page; the job then waits for /render/
    PREVIEW_LIST = "preview_list"  # one preview per visual style
    RENDER = "render"              # the result, after a preview (or one of a preview list)
    VIDEO = "video"                # product_to_videos: the video


Steps = tuple[tuple[float, str], ...]
"""(fraction of the run, status) from 0; progress counts from the last step."""

QUEUED_STEPS: Steps = ((0.0, "pending"), (0.05, "in_queue"), (0.15, "running"))
RUNNING_STEPS: Steps = ((0.0, "running"),)
ASSET_STEPS: Steps = ((0.0, "initializing"), (0.1, "generating"))
TEXT_STEPS: Steps = ((0.0, "pending"), (0.2, "running"))
IMAGE_STEPS: Steps = ((0.0, "initializing"), (0.1, "image_generating"))
VIDEO_STEPS: Steps = ((0.0, "video_generating"),)


@dataclass(eq=False, slots=True)
class Run:
    """One pass of processing, fixed when it starts. Times are on the world's clock."""

    stage: Stage
    steps: tuple[tuple[float, str], ...]
    planned_end: float
    end: float
    outcome: str
    reason: str | None
    cost: Decimal
    charge: Charge
    blocks: int = 1
    charged: Decimal = Decimal(0)

    @property
    def progress_from(self) -> float:
        return self.steps[-1][0]

    def step_at(self, now: float) -> tuple[float, str]:
        current = self.steps[0]
        for step in self.steps:
            if step[0] > now:
                break
            current = step
        return current

    def progress_at(self, now: float) -> float:
        span = self.planned_end - self.progress_from
        if span <= 0:
            return 1.0 if now >= self.planned_end else 0.0
        return min(1.0, max(0.0, (min(now, self.end) - self.progress_from) / span))

    def blocks_due(self, now: float) -> int:
        """Gradual charging: how many blocks have started by ``now`` (one at each 1/blocks of
        progress, the first as soon as the job runs)."""
        if now < self.progress_from:
            return 0
        span = self.planned_end - self.progress_from
        if span <= 0:
            return self.blocks
        return min(self.blocks, math.floor((now - self.progress_from) / span * self.blocks) + 1)

    def next_event(self, now: float) -> float:
        times = [t for t, _ in self.steps if t > now]
        if self.charge is Charge.GRADUAL:
            due = self.blocks_due(now)
            if due < self.blocks:
                span = self.planned_end - self.progress_from
                times.append(self.progress_from + span * due / self.blocks)
        times.append(self.end)
        return min(times)


@dataclass(eq=False, slots=True)
class Job:
    """One job (or product record). ``fields`` is the wire object minus the live values
    (status, progress, credits_used, updated_at), which ``objects.wire`` fills in."""

    id: str
    number: int
    """Creation order."""
    behaviour: Behaviour
    body: dict[str, Any]
    fields: dict[str, Any]
    length: Decimal | None
    created: float
    status: str
    updated: float
    credits: Decimal = Decimal(0)
    progress: float = 0.0
    run: Run | None = None
    awaiting_render: bool = False
    answer: str = ""
    """text_generator: the reply, known at creation (it sets the price)."""
    previews: list[dict[str, Any]] = field(default_factory=list)
    """preview_list_async: the entries (``media_job``, ``visual_style``, ``aspect_ratio``)
    ``previews[]`` shows once they are ready."""

    @property
    def resource(self) -> Resource:
        return self.behaviour.resource


# --------------------------------------------------------------------------------------------
# Outputs: which field carries the result, which sample file it points at


@dataclass(frozen=True, slots=True)
class Output:
    field: str
    file: str | None = None
    thumbnail: bool = False
    empty: Any = None
    """The field's value until there is a result (``None``, ``[]`` or ``""``)."""

    def placeholders(self) -> dict[str, Any]:
        out: dict[str, Any] = {self.field: copy.deepcopy(self.empty)}
        if self.thumbnail:
            out["video_thumbnail"] = None
        return out


VIDEO_OUTPUT = Output("video_output", "output.mp4", thumbnail=True)
LIPSYNC_OUTPUT = Output("output", "output.mp4", thumbnail=True)
AUDIO_OUTPUT = Output("output", "output.wav")
ASSETS_OUTPUT = Output("assets", empty=[])
INSPIRATION_OUTPUT = Output("output", empty="")
"""AI Ad Template jobs: ``output`` is typed string: ``""`` until done, then the JSON text of
the list of asset URLs."""
BANNERS_OUTPUT = Output("output", empty=[])
"""Image Ads: ``output`` is ``[{name, size, url, type}]``, one per IAB banner."""
TEXT_OUTPUT = Output("response_text")
SCRIPTS_OUTPUT = Output("generated_scripts")
PHOTO_OUTPUT = Output("generated_photo_url", "photo.png")


# --------------------------------------------------------------------------------------------
# A resource's behaviour: everything that differs between resources

Length = Callable[["Account", Mapping[str, Any]], Decimal]
"""The billed seconds of a validated body."""


@dataclass(frozen=True, slots=True)
class Behaviour:
    resource: Resource
    run_time: float
    """Seconds a one-step create takes at speed 1."""
    fields: tuple[F, ...]
    price: Callable[[Job], Decimal]
    """The one-step price (see ``billing.preview_price`` and ``billing.render_price`` for
    the split)."""
    length: Length | None = None
    """Billed seconds; also the wire ``duration``. ``None``: the resource has no duration."""
    output: Output = VIDEO_OUTPUT
    steps: Steps = QUEUED_STEPS
    success: str = "done"
    progress_scale: int = 100
    """``progress`` on the wire: 0..100 or 0..1 (only when the resource has a progress)."""
    charge: Charge = Charge.AT_END
    previewable: bool = False
    check: BodyCheck | None = None
    defaults: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Fields every wire object of the resource carries from creation (``is_hidden``,
    ``media_job``, ``preview`` ...), as its schema in the docs lists them."""
    no_reason: str | None = None
    """``failed_reason`` while there is none: ``None``, or ``""`` where the docs type it as a
    non-null string."""
