"""What a resource family is made of, for a caller who adds one: ``Sandbox(behaviours=...)``.

A :class:`Behaviour` names its :class:`~app.api.resources.Resource` (the path it is served
under, its statuses, progress form and result field), the body fields it accepts
(:class:`F` with a check per kind: :func:`text`, :func:`url`, :func:`number`,
:func:`boolean`, :func:`choice`, :func:`aspect`, :func:`list_of`, :func:`json_object`), an
optional cross-field check (:func:`check_link`: the ``link`` must be a Link of the account),
its price (a function of the :class:`Job`; :func:`billed_blocks` counts started blocks) and
billed length (from the account and the validated body; :func:`length_field` reads a field),
its run (``run_time`` seconds at speed 1, :data:`QUEUED_STEPS` or :data:`RUNNING_STEPS`,
:class:`Charge`) and its result (:class:`Output`, e.g. :data:`VIDEO_OUTPUT`). The simulator's
billing stays its own: a family brings its own price function, never ``app.pricing``.

The route table serves it like the built-in job resources: ``GET``/``POST`` on the path,
``GET {id}/``, and ``preview/`` + ``{id}/render/`` when ``previewable``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from app.sandbox.billing import billed_blocks
from app.sandbox.jobs import (
    AUDIO_OUTPUT,
    QUEUED_STEPS,
    RUNNING_STEPS,
    VIDEO_OUTPUT,
    Behaviour,
    Charge,
    Job,
    Length,
    Output,
)
from app.sandbox.validation import (
    F,
    aspect,
    boolean,
    check_link,
    choice,
    json_object,
    list_of,
    number,
    text,
    url,
)

if TYPE_CHECKING:
    from app.sandbox.account import Account

__all__ = [
    "AUDIO_OUTPUT", "QUEUED_STEPS", "RUNNING_STEPS", "VIDEO_OUTPUT", "Behaviour", "Charge", "F",
    "Job", "Length", "Output", "aspect", "billed_blocks", "boolean", "check_link", "choice",
    "json_object", "length_field", "list_of", "number", "text", "url",
]


def length_field(name: str, default: int | Decimal = 0) -> Length:
    """A billed length read from the body's ``name`` field (seconds), or ``default`` when
    it is missing (a behaviour's ``defaults`` fill a field before this reads it)."""

    def length(account: Account, body: Mapping[str, Any]) -> Decimal:
        value = body.get(name)
        return Decimal(default if value is None else value)
    return length
