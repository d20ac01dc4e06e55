"""A finished job's settings or text back into a generator page: "Use these settings again"
(the job's request turned back into its form, ``app.generators.reuse``) and "Use this script"
(an AI Scripts or Text Generator answer into URL to Video, AI Avatar or Text to Speech).

Neither sends anything: the page opens filled, its estimate shows what it would cost, and
Generate asks for the usual confirmation.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

from app.generators import BY_KEY
from app.generators.reuse import SCRIPT_TARGETS, ReuseError, gives_script, reuse, script_of
from app.jobs.ledger import JobRecord, JobState
from ui.common.theme import WARNING

if TYPE_CHECKING:
    from ui.generator.tab import GeneratorTab

Action = tuple[str, str, Callable[[], object], bool]
SEVERAL_SCRIPTS = "ai_scripts"
"""A generator whose answer holds several scripts, kept in the ledger as one text."""


def can_reuse(record: JobRecord) -> bool:
    """A job whose request can fill its generator's form (not a render step)."""
    return record.generator in BY_KEY and "render_of" not in record.request


def reuse_actions(record: JobRecord, settings: Callable[[JobRecord], object],
                  script: Callable[[JobRecord, str], object]) -> list[Action]:
    """The Jobs menu's entries for ``record``: "Use these settings again", and for a text
    result "Use this script in …" per target (object name, label, handler, enabled)."""
    actions: list[Action] = [("job_reuse", "Use these settings again",
                              lambda: settings(record), can_reuse(record))]
    if gives_script(record.generator):
        done = record.state is JobState.DONE and bool((record.response_text or "").strip())
        for target, _field in SCRIPT_TARGETS:
            actions.append((f"job_script_{target}",
                            f"Use this script in {BY_KEY[target].title}",
                            _bound(script, record, target), done))
    return actions


def _bound(script: Callable[[JobRecord, str], object], record: JobRecord,
           target: str) -> Callable[[], object]:
    return lambda: script(record, target)


def fill_with_job(tab: GeneratorTab, record: JobRecord) -> bool:
    """Fill ``tab`` (the job's generator's page) with the job's settings; what could not
    come back is said. False (and said) when the job's request cannot fill a form."""
    try:
        found = reuse(record.generator, record.request, name_tag=record.name_tag,
                      flow=record.flow)
    except ReuseError as exc:
        tab.presets.say(escape(str(exc)), WARNING)
        return False
    what = f"The settings of job {escape(record.short_key)} are back"
    if found.lost:
        what += f" (not kept in a job, enter again: {escape(', '.join(found.lost))})"
    tab.presets.fill(found.values, what, flow=found.flow.value)
    return True


def fill_with_script(tab: GeneratorTab, record: JobRecord) -> bool:
    """Put the job's text in ``tab``'s script field (the rest of the form stays)."""
    try:
        values = script_of(record.response_text, tab.spec.key)
    except ValueError as exc:
        tab.presets.say(escape(str(exc)), WARNING)
        return False
    source = BY_KEY[record.generator].title if record.generator in BY_KEY else "a job"
    several = " (every script of the answer: keep the one you want)" \
        if record.generator == SEVERAL_SCRIPTS else ""
    tab.presets.fill({**tab.values(), **values},
                     f"The text of {escape(source)} job {escape(record.short_key)} is in the "
                     f"script{several}")
    [name] = values
    tab.focus_field(name)
    return True


__all__ = ["can_reuse", "fill_with_job", "fill_with_script", "reuse_actions"]
