"""The installed ``creatify-studio`` command, end to end: each test runs it as a subprocess
against a ``creatify-sandbox`` process it starts on a free port (the CLI reaches it through
``CREATIFY_API_BASE_URL`` with the simulator's key in the environment), and reads the
simulator's create log (``GET /_sandbox/creates``) to prove what was — and was not — sent.

Every CLI run here has PySide6, shiboken6 and qasync made unimportable (a ``sitecustomize``
on ``PYTHONPATH``), so every subcommand is shown to need no Qt; a last check proves the
block is in force (the window itself cannot start under it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.generators import SPECS, DurationKind, Flow, ResultKind, spec
from app.jobs.ledger import JobState
from tests.e2e.conftest import file_kind
from tests.samples import SCRIPT_31S, Inputs, valid_values

pytestmark = pytest.mark.e2e

VENV_BIN = Path(sys.executable).parent
CLI = str(VENV_BIN / "creatify-studio")
SANDBOX = str(VENV_BIN / "creatify-sandbox")
SPEED = "3000"
MEDIA_SECONDS = 12  # the length entered for generators billed on a media length
UNKNOWN_TEMPLATE = "00000000-0000-4000-8000-000000000000"
SHORT = {Flow.CREATE: "create", Flow.PREVIEW_RENDER: "preview",
         Flow.COMPARE_STYLES: "compare", Flow.REGENERATE: "regenerate"}

NO_QT = '''
import importlib.abc, sys
class _Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in ("PySide6", "shiboken6", "qasync"):
            raise ImportError(f"{fullname} is blocked: the command line must run without Qt")
        return None
sys.meta_path.insert(0, _Blocker())
'''


@dataclass
class Run:
    """One finished CLI run: exit code, the JSON lines it printed, stderr."""

    code: int
    lines: list[dict[str, Any]]
    stdout: str
    stderr: str

    def events(self, name: str) -> list[dict[str, Any]]:
        return [line for line in self.lines if line.get("event") == name]

    @property
    def result(self) -> dict[str, Any]:
        assert self.lines, f"no JSON output (exit {self.code}): {self.stderr}"
        return self.lines[-1]


@dataclass
class Simulator:
    """A ``creatify-sandbox`` process and the environment that points the CLI at it."""

    url: str
    process: subprocess.Popen[str]
    env: dict[str, str] = field(default_factory=dict)

    def creates(self) -> list[dict[str, Any]]:
        answer = httpx.get(f"{self.url}/_sandbox/creates", timeout=10)
        answer.raise_for_status()
        body = answer.json()
        return list(body["creates"] if isinstance(body, dict) else body)

    def balance(self) -> Decimal:
        answer = httpx.get(f"{self.url}/api/remaining_credits/", timeout=10,
                           headers={"X-API-ID": "sandbox", "X-API-KEY": "sandbox"})
        return Decimal(str(answer.json()["remaining_credits"]))


def start_simulator(tmp: Path, *options: str) -> Simulator:
    process = subprocess.Popen([SANDBOX, "--port", "0", "--speed", SPEED, "--seed", "7",
                                *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "listening on " in line, process.stderr.read() if process.stderr else line
    url = line.split("listening on ", 1)[1].split()[0]
    blocker = tmp / "no-qt"
    blocker.mkdir(exist_ok=True)
    (blocker / "sitecustomize.py").write_text(NO_QT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CREATIFY_", "QT_", "XDG_"))}
    env.update(CREATIFY_API_ID="sandbox", CREATIFY_API_KEY="sandbox",
               CREATIFY_API_BASE_URL=url, PYTHONPATH=str(blocker), HOME=str(tmp / "home"))
    return Simulator(url, process, env)


def stop(sim: Simulator) -> None:
    sim.process.terminate()
    try:
        sim.process.wait(10)
    except subprocess.TimeoutExpired:
        sim.process.kill()
        sim.process.wait()
    for stream in (sim.process.stdout, sim.process.stderr):
        if stream is not None:
            stream.close()


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    simulator = start_simulator(tmp_path_factory.mktemp("cli"), "--balance", "100000")
    yield simulator
    stop(simulator)


def cli(sim: Simulator, data: Path, *args: str, stdin: str | None = None,
        env: dict[str, str] | None = None, timeout: float = 60) -> Run:
    done = subprocess.run([CLI, "--data-dir", str(data), *args], input=stdin or "",
                          capture_output=True, text=True, timeout=timeout,
                          env={**sim.env, **(env or {})})
    lines = []
    for text in done.stdout.splitlines():
        if text.startswith("{"):
            lines.append(json.loads(text))
    return Run(done.returncode, lines, done.stdout, done.stderr)


def in_parallel(calls: Sequence[tuple[Any, ...]], sim: Simulator, data: Path) -> list[Run]:
    """Run several CLI commands at once (each ``(args, stdin)``, or ``(args, stdin, folder)``
    for a data folder of its own), by default in the same data folder."""
    with ThreadPoolExecutor(max_workers=max(1, min(len(calls), 20))) as pool:
        futures = [pool.submit(cli, sim, call[2] if len(call) > 2 else data, *call[0],
                               stdin=call[1]) for call in calls]
        return [f.result() for f in futures]


def media(sim: Simulator, name: str) -> str:
    return f"{sim.url}/media/samples/{name}"


def catalogue_ids(sim: Simulator, data: Path) -> dict[str, list[dict[str, Any]]]:
    kinds = ("avatars", "voices", "templates", "inspirations")
    runs = in_parallel([(("catalogue", kind, "--json"), None) for kind in kinds], sim, data)
    for kind, run in zip(kinds, runs, strict=True):
        assert run.code == 0, run.stderr
        assert run.result["count"] == len(run.events("item")) > 0, kind
    return {kind: run.events("item") for kind, run in zip(kinds, runs, strict=True)}


@pytest.fixture(scope="module")
def ids(sim: Simulator, tmp_path_factory: pytest.TempPathFactory
        ) -> dict[str, list[dict[str, Any]]]:
    """The module simulator's catalogues, read once through ``catalogue KIND --json``."""
    return catalogue_ids(sim, tmp_path_factory.mktemp("catalogues"))


def real_inputs(sim: Simulator, ids: dict[str, list[dict[str, Any]]], link: str = "",
                product: str = "") -> Inputs:
    spin = next(i for i in ids["inspirations"] if "Spin" in i["label"])
    return Inputs(link_id=link or Inputs.link_id, persona_id=ids["avatars"][0]["id"],
                  accent_id=ids["voices"][0]["id"], template_id=Inputs.template_id,
                  inspiration_id=spin["id"], product_job=product or Inputs.product_job,
                  image_url=media(sim, "sample.png"),
                  audio_url=media(sim, f"sample.mp3?duration={MEDIA_SECONDS}"),
                  video_url=media(sim, f"sample.mp4?duration={MEDIA_SECONDS}"),
                  product_page="https://shop.example.com/products/mug")


def form(key: str, inputs: Inputs) -> dict[str, Any]:
    return valid_values(key, inputs)


def seconds_args(key: str) -> list[str]:
    return ["--seconds", str(MEDIA_SECONDS)] if spec(key).duration.kind is DurationKind.MEDIA \
        else []


# ---------------------------------------------------------------------------- help


def test_help_reaches_the_command_line_from_the_installed_command(sim: Simulator,
                                                                   tmp_path: Path) -> None:
    """The installed entry point routes ``--help`` and subcommands to the command line (each
    subcommand's help is checked in ``tests/core/test_cli_args.py``)."""
    top, moved, submit = in_parallel([(("--help",), None), (("--sandbox", "--help"), None),
                                      (("submit", "--help"), None)], sim, tmp_path)
    assert top.code == moved.code == submit.code == 0
    assert top.stdout == moved.stdout
    for name in ("generators", "estimate", "submit", "render", "catalogue", "jobs", "show",
                 "watch", "download", "credits", "batch", "--self-test"):
        assert name in top.stdout
    for code in range(6):
        assert f"\n  {code}  " in top.stdout  # every exit code explained
    for option in ("--yes", "--wait", "--download DIR", "--values", "--set", "--flow",
                   "--json", "exit codes:"):
        assert option in submit.stdout


def test_on_a_terminal_it_asks_and_draws_a_progress_bar(sim: Simulator, ids: dict[str, Any],
                                                        tmp_path: Path) -> None:
    """Without --yes on a terminal: "n" sends nothing (exit 3), "y" sends; plain output with
    a progress bar redrawn in place."""
    import pty
    import select
    import time

    accent = ids["voices"][0]["id"]
    args = [CLI, "--data-dir", str(tmp_path), "submit", "text_to_speech", "--set",
            f"script={SCRIPT_31S}", "--set", f"accent={accent}", "--wait"]
    before = len(sim.creates())
    for answer, code in (("n", 3), ("y", 0)):
        main, child = pty.openpty()
        process = subprocess.Popen(args, stdin=child, stdout=child, stderr=subprocess.PIPE,
                                   env=sim.env, text=True)
        os.close(child)
        os.write(main, f"{answer}\n".encode())  # typed ahead: the terminal keeps it
        screen = b""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.5)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            screen += chunk
        assert process.wait(30) == code
        os.close(main)
        assert process.stderr is not None
        question = process.stderr.read()
        process.stderr.close()
        assert "Send this Text to Speech request to Creatify? [y/N]" in question
        assert "Estimated cost: 2 credits" in question  # the estimate comes before it
        if code == 0:
            text = screen.decode()
            assert "\r" in text and "[" + "#" * 28 + "] 100% done" in text
        assert len(sim.creates()) - before == (1 if code == 0 else 0)


# ---------------------------------------------------------------------------- estimates


def test_every_estimate_equals_the_windows_quote(tmp_path: Path) -> None:
    """``estimate --json`` for every generator and flow against :func:`quote` over the same
    catalogues (fetched from the same simulator, as the window's session installs them),
    the same plan and the same balance. A simulator of its own: nothing spends from it."""
    from datetime import date

    from app import assets
    from app.generators.quote import quote
    from app.pricing import plan_by_key, set_catalogue_prices

    own = start_simulator(tmp_path, "--balance", "5000")
    try:
        inputs = real_inputs(own, catalogue_ids(own, tmp_path))
        calls = []
        cases = [(s.key, flow) for s in SPECS for flow in s.flows]
        for key, flow in cases:
            calls.append((("estimate", key, "--flow", SHORT[flow], "--values", "-",
                           "--plan", "api_pro", "--json", *seconds_args(key)),
                          json.dumps(form(key, inputs))))
        runs = in_parallel(calls, own, tmp_path)
        templates = httpx.get(f"{own.url}/api/inspirations/", headers=own_headers(),
                              timeout=10).json()
        schemas = httpx.get(f"{own.url}/api/asset_generator/schemas/", headers=own_headers(),
                            timeout=10).json()
        assets.install("asset_schemas", schemas, None)
        assets.install("inspirations", templates, None)
        set_catalogue_prices("ai_ad_template",
                             {t["id"]: Decimal(str(t["credit_cost"])) for t in templates},
                             as_of=date.today(), source="test")
        plan = plan_by_key("api_pro")
        balance = own.balance()
        try:
            for (key, flow), run in zip(cases, runs, strict=True):
                assert run.code == 0, (key, flow, run.stderr)
                gen = spec(key)
                values = {**gen.defaults(), **form(key, inputs)}
                seconds = MEDIA_SECONDS if gen.duration.kind is DurationKind.MEDIA \
                    else gen.derive_seconds(values)
                q = quote(gen, values, seconds, flow=flow, plan=plan, balance=balance)
                got = run.result
                assert got["event"] == "estimate" and got["problems"] == {}, (key, got)
                assert (Decimal(got["credits"]) if got["credits"] is not None else None) \
                    == q.credits, (key, flow)
                assert (Decimal(got["dollars"]) if got["dollars"] is not None else None) \
                    == q.dollars, (key, flow)
                assert got["bound"] == q.bound.value and got["at_least"] == q.at_least
                assert got["known_after_run"] == q.known_after_run
                assert Decimal(got["balance_after"] or "0") == (q.balance_after or 0)
                assert got["warnings"] == list(q.warnings)
                if flow is not Flow.COMPARE_STYLES:
                    assert got["lines"] == list(q.lines), (key, flow)
                else:
                    assert len(got["lines"]) == len(q.lines) and "Previews: " in got["lines"][0]
        finally:
            assets.uninstall()
            set_catalogue_prices("ai_ad_template", {}, as_of=date.today(), source="cleared")
        # Priced against what the simulator really charges for the plainest case.
        assert any(Decimal(r.result["credits"] or 0) > 0 for r in runs)
        assert own.creates() == []  # estimating sends nothing
    finally:
        stop(own)


def own_headers() -> dict[str, str]:
    return {"X-API-ID": "sandbox", "X-API-KEY": "sandbox"}


# ---------------------------------------------------------------------------- sending


def test_every_generator_is_sent_followed_and_saved(sim: Simulator, ids: dict[str, Any],
                                                    tmp_path: Path) -> None:
    data = tmp_path / "data"
    out = tmp_path / "out"
    first = in_parallel([
        (("submit", "links", "--set", "url=https://shop.example.com/products/mug", "--yes",
          "--wait", "--json"), None),
        (("submit", "product_image", "--set", f"product_url={media(sim, 'sample.png')}",
          "--yes", "--download", str(out), "--json"), None),
    ], sim, data)
    link, product = first
    assert link.code == 0 and link.result["job"]["state"] == "done", link.stderr
    assert product.code == 0 and product.result["job"]["state"] in ("image_done", "done")
    inputs = real_inputs(sim, ids, link=link.result["job"]["server_id"],
                         product=product.result["job"]["server_id"])
    keys = [s.key for s in SPECS if s.key not in ("links", "product_image")]
    before = len(sim.creates())
    # A data folder each: several processes following one ledger is the follower lease's
    # business (tests/e2e/test_two_processes.py), not this test's.
    runs = in_parallel([(("submit", key, "--values", "-", "--yes", "--download", str(out),
                          "--json", *seconds_args(key)), json.dumps(form(key, inputs)),
                         tmp_path / key) for key in keys], sim, data)
    for key, run in zip(keys, runs, strict=True):
        assert run.code == 0, (key, run.stderr, run.lines[-1:])
        job = run.result["job"]
        assert run.result["event"] == "result"
        assert job["state"] in (JobState.DONE, JobState.IMAGE_DONE), (key, job)
        assert run.events("estimate") and run.events("submitted")
        if spec(key).result_kind in (ResultKind.TEXT, ResultKind.LINK):
            assert job["text"] or job["server_id"], key
            continue
        saved = Path(job["download_path"])
        assert job["download_state"] == "done" and saved.is_file(), (key, job)
        assert out in saved.parents
        assert file_kind(saved.read_bytes()[:16]) != "unknown", key
    # Exactly one create per generator (a URL to Video or Ad Clone with a Link id makes none).
    assert len(sim.creates()) - before == len(keys)
    assert "text" in {e["event"] for e in runs[keys.index("text_generator")].lines}


def test_a_preview_then_its_render_and_a_compared_style(sim: Simulator,
                                                        tmp_path: Path) -> None:
    data = tmp_path / "data"
    link = cli(sim, data, "submit", "links", "--set", "url=https://shop.example.com/p/1",
               "--yes", "--wait", "--json").result["job"]["server_id"]
    preview, compare = in_parallel([
        (("submit", "url_to_video", "--set", f"link={link}", "--flow", "preview", "--yes",
          "--wait", "--json"), None),
        (("submit", "url_to_video", "--set", f"link={link}", "--flow", "compare",
          "--set", "visual_styles=[\"AvatarBubbleTemplate\", \"DynamicProductTemplate\"]",
          "--yes", "--wait", "--json"), None),
    ], sim, data)
    assert preview.code == 0, preview.stderr
    assert preview.result["job"]["state"] == "preview_ready"
    assert compare.code == 0, compare.stderr
    styles = compare.result["job"]["previews"]
    assert len(styles) == 2
    before = len(sim.creates())
    rendered, refused, chosen = in_parallel([
        (("render", preview.result["job"]["short_key"], "--yes", "--download",
          str(tmp_path / "out"), "--json"), None),
        (("render", compare.result["job"]["key"], "--yes", "--json"), None),  # no --style
        (("render", compare.result["job"]["key"], "--style", styles[1]["style"], "--yes",
          "--wait", "--json"), None),
    ], sim, data)
    assert rendered.code == 0, rendered.stderr
    job = rendered.result["job"]
    assert job["state"] == "done" and Path(job["download_path"]).is_file()
    assert rendered.events("estimate")[0]["credits"] == "4"  # 30 s at 4 per 30 s
    assert refused.code == 2 and "--style" in refused.result["message"]
    assert chosen.code == 0 and chosen.result["job"]["state"] == "done", chosen.stderr
    assert len(sim.creates()) - before == 2
    again = cli(sim, data, "render", preview.result["job"]["key"], "--yes", "--json")
    assert again.code == 3 and "already rendered" in again.result["message"]
    assert len(sim.creates()) - before == 2


def test_refusals_send_nothing_and_say_why(sim: Simulator, ids: dict[str, Any],
                                          tmp_path: Path) -> None:
    data = tmp_path / "data"
    tts = ["submit", "text_to_speech", "--set", f"script={SCRIPT_31S}"]
    accent = ids["voices"][0]["id"]
    strict = tmp_path / "strict"
    (strict / "config").mkdir(parents=True)
    (strict / "config" / "settings.json").write_text(json.dumps({"budget_per_job": "1"}))
    before = len(sim.creates())
    unconfirmed, bad_field, unknown_field, no_price = in_parallel([
        ((*tts, "--set", f"accent={accent}", "--json"), None),  # stdin is not a terminal
        (("submit", "url_to_video", "--set", "video_length=31", "--set", "link=" + accent,
          "--yes", "--json"), None),
        ((*tts, "--set", "colour=blue", "--yes"), None),
        (("submit", "ai_ad_template", "--set", f"inspiration_id={UNKNOWN_TEMPLATE}",
          "--set", f"input_params.Product Image={media(sim, 'sample.png')}", "--yes",
          "--json"), None),  # not in the gallery: no price, so not sent
    ], sim, data)
    budget = cli(sim, strict, *tts, "--set", f"accent={accent}", "--yes", "--json")
    assert unconfirmed.code == 3 and "--yes" in unconfirmed.result["message"]
    assert unconfirmed.events("estimate")  # the estimate was shown before refusing
    assert bad_field.code == 2 and "video_length" in bad_field.result["message"]
    assert unknown_field.code == 2 and "no field 'colour'" in unknown_field.stderr
    assert no_price.code == 2 and "Not sent" in no_price.result["message"], no_price.lines
    assert budget.code == 3 and "per-job ceiling" in budget.result["message"]
    assert len(sim.creates()) == before  # nothing reached the simulator
    with_ceiling_ok = cli(sim, strict, "estimate", "text_to_speech", "--set",
                          f"script={SCRIPT_31S}", "--json")
    assert with_ceiling_ok.code == 0 and with_ceiling_ok.result["credits"] == "2"


def test_insufficient_credits_and_a_connection_problem(tmp_path: Path) -> None:
    poor = start_simulator(tmp_path, "--insufficient-credits")
    try:
        run = cli(poor, tmp_path / "data", "submit", "links", "--set",
                  "url=https://shop.example.com/p/2", "--yes", "--json")
        assert run.code == 3, run.stderr
        assert "credit" in run.result["message"].lower()
        jobs = cli(poor, tmp_path / "data", "jobs", "--json")
        assert [j["job"]["state"] for j in jobs.events("job")] == ["not_created"]
        assert cli(poor, tmp_path / "data", "show", jobs.events("job")[0]["job"]["short_key"]
                   ).code == 1
    finally:
        stop(poor)
    gone = cli(poor, tmp_path / "data", "credits", "--json")  # the simulator has stopped
    assert gone.code == 5 and "connect" in gone.result["message"].lower()


# ---------------------------------------------------------------------------- the ledger


def test_jobs_watch_show_download_and_credits(sim: Simulator, ids: dict[str, Any],
                                              tmp_path: Path) -> None:
    data = tmp_path / "data"
    accent = ids["voices"][0]["id"]
    sent = in_parallel([(("submit", "text_to_speech", "--set", f"script=Job {n} {SCRIPT_31S}",
                          "--set", f"accent={accent}", "--yes", "--json"), None)
                        for n in range(3)], sim, data)
    assert all(run.code == 0 for run in sent), [run.stderr for run in sent]
    keys = {run.result["job"]["key"] for run in sent}
    everything, active = in_parallel([(("jobs", "--json"), None),
                                      (("jobs", "--active", "--json"), None)], sim, data)
    assert {e["job"]["key"] for e in everything.events("job")} == keys
    assert everything.result["count"] == 3
    assert {e["job"]["key"] for e in active.events("job")} <= keys
    assert all(e["job"]["state"] in ("submitting", "pending", "queued", "running")
               for e in active.events("job"))
    watched = cli(sim, data, "watch", "--json")
    assert watched.code == 0 and watched.result == {"event": "result", "running": 0,
                                                    "unknown": []}
    assert {e["job"]["state"] for e in watched.events("job")} >= {"done"}
    listed = cli(sim, data, "jobs", "--json")
    assert [e["job"]["state"] for e in listed.events("job")] == ["done"] * 3
    key = sent[0].result["job"]["short_key"]
    shown = cli(sim, data, "show", key, "--json")
    assert shown.code == 0 and shown.result["job"]["request"]["accent"] == accent
    plain = cli(sim, data, "show", key)
    assert "state: done" in plain.stdout and "credits_used: 2" in plain.stdout
    saved = cli(sim, data, "download", key, "--dir", str(tmp_path / "again"), "--json")
    assert saved.code == 0 and Path(saved.result["job"]["download_path"]).is_file()
    assert (tmp_path / "again") in Path(saved.result["job"]["download_path"]).parents
    credits = cli(sim, data, "credits", "--json")
    assert credits.code == 0 and Decimal(credits.result["credits"]) == sim.balance()
    assert Decimal(credits.result["committed"]) == 0
    missing = cli(sim, data, "show", "ffffffff")
    assert missing.code == 2 and "No job" in missing.stderr


def test_a_batch_from_a_csv(sim: Simulator, tmp_path: Path) -> None:
    sheet = tmp_path / "pages.csv"
    sheet.write_text("url,video_length\nhttps://shop.example.com/a,15\n"
                     "https://shop.example.com/b,30\nfile:///etc/passwd,15\n"
                     "https://shop.example.com/a,15\n", encoding="utf-8")
    data = tmp_path / "data"
    before = len(sim.creates())
    dry = cli(sim, data, "batch", str(sheet), "--dry-run", "--json")
    assert dry.code == 0, dry.stderr
    plan = dry.events("plan")[0]
    assert (plan["rows"], plan["sendable"], plan["refused"], plan["duplicates"]) == (4, 2, 1, 1)
    assert Decimal(plan["credits"]) > 0 and len(sim.creates()) == before
    unconfirmed = cli(sim, data, "batch", str(sheet), "--json")
    assert unconfirmed.code == 3 and len(sim.creates()) == before
    run = cli(sim, data, "batch", str(sheet), "--yes", "--concurrency", "2", "--json")
    assert run.code == 0, (run.stderr, run.lines[-3:])
    assert run.result["states"] == {"done": 2}
    # Each row made its Link, then its video: four paid creates.
    assert len(sim.creates()) - before == 4


def test_the_block_on_qt_is_in_force(sim: Simulator, tmp_path: Path) -> None:
    """Without a subcommand the program is the window, which needs Qt: under the block it
    cannot start — so every run above really ran without Qt."""
    window = cli(sim, tmp_path, timeout=60)
    assert window.code != 0 and "blocked" in window.stderr


async def test_watch_with_the_window_following_the_same_data_folder(
        sim: Simulator, ids: dict[str, Any], tmp_path: Path) -> None:
    """A headless window session (the window's role, its settings' paths) holds the follower
    lease on the data folder; the command line sends and watches without polling Creatify
    itself, seeing the window's changes in the ledger, and ends when the jobs do."""
    import asyncio

    from app.session import Session

    data = tmp_path / "data"
    paths_data = data / "data"  # app_paths(--data-dir) keeps the ledger here
    window = Session(tmp_path / "window-out", data_dir=paths_data, cache_dir=data / "cache",
                     auto_download=True)
    try:
        await window.use_credentials("sandbox", "sandbox", sim.url)
        assert window.is_follower
        accent = ids["voices"][0]["id"]
        sent = await asyncio.to_thread(
            cli, sim, data, "submit", "text_to_speech", "--set", f"script={SCRIPT_31S}",
            "--set", f"accent={accent}", "--yes", "--json")
        assert sent.code == 0, sent.stderr
        assert sent.events("follower") == [{"event": "follower", "follower": False,
                                            "other": "window"}]
        watched = await asyncio.to_thread(cli, sim, data, "watch", "--json")
        assert watched.code == 0, watched.stderr
        assert watched.events("follower")[0]["follower"] is False
        key = sent.result["job"]["key"]
        ended = window.job(key)
        assert ended is not None and ended.state is JobState.DONE
        assert watched.result["running"] == 0
        shown = await asyncio.to_thread(cli, sim, data, "show", key, "--json")
        assert shown.result["job"]["state"] == "done"
    finally:
        await window.aclose()


def test_the_built_in_sandbox_keeps_its_jobs_between_commands(sim: Simulator,
                                                              tmp_path: Path) -> None:
    """``--sandbox``: each command starts the built-in simulator, which keeps its account and
    the sandbox ledger between runs, so a preview sent by one command is rendered by the
    next; the results land in the output's ``Sandbox`` folder."""
    data, out = tmp_path / "data", tmp_path / "out"
    alone = {"CREATIFY_API_ID": "", "CREATIFY_API_KEY": "", "CREATIFY_API_BASE_URL": ""}
    sent = cli(sim, data, "--sandbox", "submit", "ai_shorts", "--set", f"script={SCRIPT_31S}",
               "--set", "aspect_ratio=9x16", "--set", "style=Cinematic", "--flow", "preview",
               "--yes", "--wait", "--json", env=alone)
    assert sent.code == 0 and sent.result["job"]["state"] == "preview_ready", sent.stderr
    rendered = cli(sim, data, "render", sent.result["job"]["short_key"], "--sandbox", "--yes",
                   "--download", str(out), "--json", env=alone)
    assert rendered.code == 0, rendered.stderr
    saved = Path(rendered.result["job"]["download_path"])
    assert saved.is_file() and saved.parent == out / "Sandbox"
    listed = cli(sim, data, "--sandbox", "jobs", "--json", env=alone)
    assert [e["job"]["flow"] for e in listed.events("job")] == ["render", "preview_render"]
    assert cli(sim, data, "jobs", "--json", env=alone).result["count"] == 0  # live: none
    credits = cli(sim, data, "--sandbox", "credits", "--json", env=alone)
    assert Decimal(credits.result["credits"]) < 500  # the simulator's account was charged


def test_a_lost_answer_is_unknown_never_sent_again_then_found(sim: Simulator,
                                                               ids: dict[str, Any],
                                                               tmp_path: Path) -> None:
    """The simulator makes the job, then resets the connection before answering: the
    command ends "outcome unknown" (exit 4) without sending again; ``watch`` finds the job in
    Creatify's list and follows it to its end."""
    data = tmp_path / "data"
    accent = ids["voices"][0]["id"]
    httpx.post(f"{sim.url}/_sandbox/faults", json={"reset_next_create_after_processing": 1},
               timeout=10).raise_for_status()
    before = len(sim.creates())
    lost = cli(sim, data, "submit", "text_to_speech", "--set", f"script=Lost {SCRIPT_31S}",
               "--set", f"accent={accent}", "--yes", "--wait", "--json")
    assert lost.code == 4, (lost.stderr, lost.lines[-1:])
    assert lost.result["job"]["state"] == "unknown"
    assert len(sim.creates()) - before == 1  # sent once, never again
    watched = cli(sim, data, "watch", "--json")
    assert watched.code == 0, watched.lines[-2:]
    shown = cli(sim, data, "show", lost.result["job"]["key"], "--json")
    assert shown.result["job"]["state"] == "done" and shown.result["job"]["server_id"]
    assert len(sim.creates()) - before == 1
