"""The command line's pieces without a network: which arguments go to it, form values from
``--set`` / ``--values``, the error → exit-code mapping, the exit code of a ledger job, the
JSON lines, finding a job by a short key, and the pricing helpers it shares with the window."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from app.api.errors import (
    AuthenticationError,
    ConnectionFailedError,
    InsufficientCreditsError,
    ServerError,
    ValidationError,
)
from app.cli import main, wants_cli
from app.cli._codes import CliError, Exit
from app.cli._exit import code_for
from app.cli._follow import exit_code, find_job
from app.cli._output import Output
from app.cli._parser import SUBCOMMANDS, build_parser
from app.cli._values import form_values
from app.generators import Flow, SpecError, spec
from app.generators.quote import quote
from app.generators.quote_words import first_step_credits, flow_lines
from app.jobs.budget import BudgetError
from app.jobs.ledger import DownloadState, JobRecord, JobState, Ledger
from tests.samples import SCRIPT_31S


@pytest.mark.parametrize(("argv", "cli"), [
    (["jobs"], True), (["--sandbox", "jobs"], True), (["--data-dir", "/x", "submit"], True),
    (["--data-dir=/x", "credits"], True), (["--help"], True), (["--data-dir", "/x", "-h"], True),
    ([], False), (["--sandbox"], False), (["--self-test"], False), (["--version"], False),
    (["--data-dir", "jobs"], False),  # "jobs" is the folder here: the window
])
def test_which_arguments_go_to_the_command_line(argv: list[str], cli: bool) -> None:
    assert wants_cli(argv) is cli


def test_global_options_before_or_after_the_subcommand() -> None:
    parser = build_parser()
    before = parser.parse_args(["--sandbox", "--data-dir", "/d", "jobs"])
    after = parser.parse_args(["jobs", "--sandbox", "--data-dir", "/d"])
    neither = parser.parse_args(["jobs"])
    assert (before.sandbox, before.data_dir) == (after.sandbox, after.data_dir) == (True, "/d")
    assert (neither.sandbox, neither.data_dir) == (False, None)


def test_every_subcommand_is_documented(capsys: pytest.CaptureFixture[str]) -> None:
    for name in SUBCOMMANDS:
        assert main([name, "--help"]) == 0
        text = capsys.readouterr().out
        assert text.startswith(f"usage: creatify-studio {name}") and "exit codes:" in text
    assert main(["nonsense"]) == Exit.USAGE
    assert "invalid choice" in capsys.readouterr().err


def test_form_values_are_typed_by_field(tmp_path: Path) -> None:
    video = spec("url_to_video")
    values = form_values(video, None, ["video_length=45", "visual_styles=A, B",
                                       "aspect_ratio=9x16"])
    assert values["video_length"] == 45 and values["visual_styles"] == ["A", "B"]
    assert values["aspect_ratio"] == "9x16"
    assert form_values(video, None, ['visual_styles=["X","Y"]'])["visual_styles"] == ["X", "Y"]
    assets = spec("asset_generator")
    got = form_values(assets, None, ["model_name=veo3.1/fast", "input_params.prompt=A mug",
                                     "input_params.duration=6"])
    assert got["input_params"] == {"prompt": "A mug", "duration": 6}
    saved = tmp_path / "form.json"
    saved.write_text(json.dumps({"script": "From a file", "accent": "a"}), encoding="utf-8")
    tts = form_values(spec("text_to_speech"), str(saved), ["accent=b"])
    assert (tts["script"], tts["accent"]) == ("From a file", "b")  # --set applies on top


@pytest.mark.parametrize(("sets", "words"), [
    (["colour=blue"], "no field 'colour'"),
    (["video_length"], "expected FIELD=VALUE"),
    (["video_length=long"], None),  # a choice it does not offer: the spec says why later
])
def test_bad_form_values_are_usage_errors(sets: list[str], words: str | None) -> None:
    video = spec("url_to_video")
    if words is None:
        values = form_values(video, None, sets)
        assert "video_length" in video.validate(values)
        return
    with pytest.raises(CliError) as caught:
        form_values(video, None, sets)
    assert caught.value.code is Exit.USAGE and words in caught.value.message


def test_a_values_file_that_is_not_an_object(tmp_path: Path) -> None:
    for text, words in (("[1]", "expected a JSON object"), ("{", "not JSON")):
        path = tmp_path / "v.json"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(CliError, match=words):
            form_values(spec("links"), str(path), [])
    with pytest.raises(CliError, match="No such file"):
        form_values(spec("links"), str(tmp_path / "missing.json"), [])
    with pytest.raises(CliError, match="expected JSON"):
        form_values(spec("avatar_v2"), None, ["scenes=not json"])


def test_errors_map_to_their_exit_codes() -> None:
    try:
        raise BudgetError([], message="balance unreadable") from ConnectionFailedError("down")
    except BudgetError as unreadable:
        assert code_for(unreadable) is Exit.CONNECTION
    assert code_for(BudgetError([], message="over the ceiling")) is Exit.REFUSED
    assert code_for(InsufficientCreditsError("no credits")) is Exit.REFUSED
    assert code_for(ValidationError("bad")) is Exit.USAGE
    assert code_for(SpecError({"link": "bad"})) is Exit.USAGE
    assert code_for(AuthenticationError("key refused")) is Exit.CONNECTION
    assert code_for(ServerError("500")) is Exit.FAILED


def _record(ledger: Ledger) -> JobRecord:
    return ledger.begin_submit(generator="links", resource="links", flow="create",
                               title="t", request={"url": "https://x.example/p"},
                               estimate=Decimal(1), balance_before=Decimal(10))


def test_the_exit_code_of_a_job_follows_its_state(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "jobs.sqlite3")
    try:
        lost = ledger.mark_ambiguous(_record(ledger).key, "reset")
        assert lost.state is JobState.UNKNOWN and exit_code(lost) is Exit.UNKNOWN
        refused = ledger.mark_not_created(_record(ledger).key, "refused")
        assert exit_code(refused) is Exit.FAILED
        sending = _record(ledger)
        assert exit_code(sending) is Exit.DONE  # sent, still running: not a failure
        failed_copy = ledger.set_download(sending.key, DownloadState.FAILED, error="gone")
        assert exit_code(failed_copy, download=True) is Exit.DONE  # not finished: not saved
        records = ledger.page()
        assert find_job(records, lost.key[:8]).key == lost.key
        assert find_job(records, lost.key).key == lost.key
        with pytest.raises(CliError, match="No job"):
            find_job(records, "zzzzzzzz")
        with pytest.raises(CliError, match="give more"):
            find_job([*records, records[0]], records[0].key[:8])
    finally:
        ledger.close()


def test_json_lines_keep_exact_figures() -> None:
    out, err = io.StringIO(), io.StringIO()
    printer = Output(True, out, err)
    printer.emit("estimate", credits=Decimal("12.50"), whole=Decimal("2E+1"), flow=Flow.CREATE)
    printer.line("plain text is not part of the JSON stream")
    printer.error("Not sent: over the ceiling", Exit.REFUSED)
    first, last = (json.loads(line) for line in out.getvalue().splitlines())
    assert first == {"event": "estimate", "credits": "12.50", "whole": "20", "flow": "create"}
    assert last == {"event": "error", "message": "Not sent: over the ceiling", "exit_code": 3}
    assert "over the ceiling" in err.getvalue()
    plain = io.StringIO()
    Output(False, plain, io.StringIO()).emit("estimate", credits=Decimal(1))
    assert plain.getvalue() == ""


def test_the_first_step_of_a_preview_is_its_preview_only() -> None:
    video = spec("url_to_video")
    values = {**video.defaults(), "link": "5b7c2a0e-8a51-4a1e-9d2b-1c3f4e5a6b7c"}
    q = quote(video, values, 30, flow=Flow.PREVIEW_RENDER)
    assert (q.credits, first_step_credits(q)) == (Decimal(5), Decimal(1))
    compared = quote(video, values, 30, flow=Flow.COMPARE_STYLES)
    lines = flow_lines(compared, Flow.COMPARE_STYLES)
    assert lines[0].startswith("Previews: ") and lines[1].startswith("Render of the chosen one")
    tts = spec("text_to_speech")
    single = quote(tts, {"script": SCRIPT_31S, "accent": "a"}, 31)
    assert first_step_credits(single) == single.credits == Decimal(2)
    assert flow_lines(single, Flow.CREATE) == single.lines
