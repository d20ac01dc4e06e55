"""What a command prints: one JSON object per line (``--json``: events while waiting, the
result last), or plain lines with a progress bar when stdout is a terminal.

Every JSON line has an ``event`` key; figures are strings (credits are decimals: a float would
change them), times ISO 8601. Messages for the user go to stderr in plain mode, so a script
can read the results from stdout alone.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import sys
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from app.jobs.ledger import JobRecord

BAR_WIDTH = 28


def _plain(value: Any) -> Any:
    """``json.dumps``' fallback for the core's types."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() \
            else format(value, "f")
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def job_dict(record: JobRecord) -> dict[str, Any]:
    """One job as the ledger holds it, for ``--json`` (no secrets: the ledger keeps none)."""
    return {
        "key": record.key, "short_key": record.short_key, "generator": record.generator,
        "flow": record.flow, "title": record.title, "state": record.state.value,
        "status": record.raw_status, "server_id": record.server_id,
        "progress": record.progress, "estimate": record.estimate,
        "credits_used": record.credits_used, "duration": record.duration,
        "result_urls": list(record.result_urls), "preview_url": record.preview_url,
        "previews": [{"style": p.visual_style, "media_job": p.media_job,
                      "url": p.preview_url} for p in record.previews],
        "text": record.response_text, "failed_reason": record.failed_reason,
        "created_at": record.created_at, "finished_at": record.finished_at,
        "download_state": record.download_state.value, "download_path": record.download_path,
        "download_error": record.download_error, "watching": record.watching,
    }


class Output:
    """Where a command's events and results go, in the form asked for."""

    def __init__(self, json_mode: bool, out: TextIO | None = None,
                 err: TextIO | None = None) -> None:
        self.json = json_mode
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.tty = not json_mode and self.out.isatty()
        self._bar_shown = False

    def emit(self, event: str, **fields: Any) -> None:
        """A JSON line (only with ``--json``)."""
        if self.json:
            self._end_bar()
            line = json.dumps({"event": event, **fields}, default=_plain, ensure_ascii=False)
            print(line, file=self.out, flush=True)

    def line(self, text: str = "") -> None:
        """A plain line on stdout (only without ``--json``)."""
        if not self.json:
            self._end_bar()
            print(text, file=self.out, flush=True)

    def note(self, text: str) -> None:
        """A message for the person at the terminal (stderr; never in the JSON stream)."""
        self._end_bar()
        print(text, file=self.err, flush=True)

    def result(self, event: str, text: str, **fields: Any) -> None:
        """The command's result: a JSON line, or the plain text."""
        self.emit(event, **fields)
        self.line(text)

    def progress(self, label: str, fraction: float | None, state: str) -> None:
        """A bar redrawn in place on a terminal; a plain line per state elsewhere."""
        if not self.tty:
            return
        filled = round(BAR_WIDTH * max(0.0, min(1.0, fraction or 0.0)))
        percent = f"{fraction * 100:3.0f}%" if fraction is not None else " ...."
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.out.write(f"\r{label[:30]:30} [{bar}] {percent} {state:<14}")
        self.out.flush()
        self._bar_shown = True

    def _end_bar(self) -> None:
        if self._bar_shown:
            self.out.write("\n")
            self._bar_shown = False

    def error(self, message: str, code: int) -> None:
        """Why the command ended with ``code``: stderr, and a last JSON line with ``--json``."""
        self.emit("error", message=message, exit_code=code)
        self.note(f"creatify-studio: {message}")


__all__ = ["Output", "job_dict"]
