"""Matching a lost create to the job Creatify lists, by the inputs it echoes: objects and
lists echoed as JSON text (AI Ad Template's ``input_params``, typed a string by the docs)
match what was sent; a different or unreadable echo does not."""

from __future__ import annotations

import json

from app.jobs.scheduler._reconcile import _same_inputs

SENT = {"inspiration_id": "tpl-1", "input_params": {"Product Image": "https://x.test/a.png",
                                                    "Headline": "Fresh"}}


def test_an_object_echoed_as_json_text_matches() -> None:
    listed = {"inspiration_id": "tpl-1", "input_params": json.dumps(SENT["input_params"])}
    assert _same_inputs(SENT, listed)


def test_an_object_echoed_as_an_object_matches() -> None:
    assert _same_inputs(SENT, {"inspiration_id": "tpl-1", "input_params": SENT["input_params"]})


def test_different_or_unreadable_text_does_not_match() -> None:
    other = {**SENT["input_params"], "Headline": "Stale"}
    assert not _same_inputs(SENT, {"inspiration_id": "tpl-1", "input_params": json.dumps(other)})
    assert not _same_inputs(SENT, {"inspiration_id": "tpl-1", "input_params": "{not json"})
    assert not _same_inputs(SENT, {"inspiration_id": "tpl-2",
                                   "input_params": json.dumps(SENT["input_params"])})
