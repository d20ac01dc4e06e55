"""Desktop notices without a tray: through the platform's notifier; when it is missing, the
status bar says why after the notice — once a session, not after every notice."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import platform
from ui.window import notices


def test_a_missing_notifier_is_said_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no notifier program anywhere
    monkeypatch.setattr(notices, "notify",
                        lambda title, message: platform.notify(title, message,
                                                               platform="linux"))
    monkeypatch.setattr(notices, "_told", set())
    first = notices.deliver(None, "Creatify Studio", "Blue mug is ready.", True)
    assert first.startswith("Blue mug is ready. — ") and "notify-send" in first
    again = notices.deliver(None, "Creatify Studio", "Red mug is ready.", True)
    assert again == "Red mug is ready."
