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

from PySide6.QtWidgets import QHBoxLayout, QMenu, QPushButton, QSizePolicy, QSpacerItem

from app.generators import BY_KEY
from app.generators.reuse import SCRIPT_TARGETS, ReuseError, gives_script, reuse, script_of
from app.jobs.ledger import JobRecord, JobState
from ui.common.theme import WARNING

if TYPE_CHECKING:
    from ui.generator.tab import GeneratorTab
    from ui.jobs.panel import QueuePanel

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


class ReuseButton(QPushButton):
    """"Use these settings again" beside the Jobs panel's line about the selected job, and
    for a text result "Use this script in…" (a menu of the generators that take a script)."""

    def __init__(self, panel: QueuePanel) -> None:
        super().__init__("Use these settings again", panel)
        self.panel = panel
        self.setObjectName("queue_reuse")
        self.setAccessibleName("Fill the job's generator page with its settings")
        self.setToolTip("Opens the job's page with its settings; nothing is sent")
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.clicked.connect(self._clicked)
        for layout in panel.findChildren(QHBoxLayout):  # the detail line's row
            if layout.indexOf(panel.render_button) >= 0:
                at = layout.indexOf(panel.render_button)
                # Pushed right when the detail line (stretched) is hidden.
                layout.insertSpacerItem(at, QSpacerItem(0, 0, QSizePolicy.Policy.Expanding))
                layout.insertWidget(at + 1, self)
                break
        selection = panel.view.selectionModel()
        selection.selectionChanged.connect(self.follow)
        panel.model.modelReset.connect(self.follow)
        panel.service.jobsChanged.connect(self.follow)
        self.script = QPushButton("Use this script in…", panel)
        self.script.setObjectName("queue_use_script")
        self.script.setAccessibleName("Send the job's text to another generator's script")
        self.script.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        menu = QMenu(self.script)
        menu.setObjectName("queue_script_targets")
        for target, _field in SCRIPT_TARGETS:
            action = menu.addAction(BY_KEY[target].title)
            action.setObjectName(f"queue_script_{target}")
            action.triggered.connect(lambda _checked=False, t=target: self._script(t))
        self.script.setMenu(menu)
        if (row := self._row()) is not None:
            row.insertWidget(row.indexOf(self), self.script)
        self.follow()

    def _row(self) -> QHBoxLayout | None:
        for layout in self.panel.findChildren(QHBoxLayout):
            if layout.indexOf(self) >= 0:
                return layout
        return None

    def follow(self, *_args: object) -> None:
        record = self.panel.selected()
        self.setVisible(record is not None and can_reuse(record))
        self.script.setVisible(record is not None and gives_script(record.generator)
                               and record.state is JobState.DONE
                               and bool((record.response_text or "").strip()))

    def _script(self, target: str) -> None:
        record = self.panel.selected()
        if record is not None and gives_script(record.generator):
            self.panel.scriptRequested.emit(record, target)

    def _clicked(self) -> None:
        record = self.panel.selected()
        if record is not None and can_reuse(record):
            self.panel.reuseRequested.emit(record)


__all__ = ["ReuseButton", "can_reuse", "fill_with_job", "fill_with_script", "reuse_actions"]
