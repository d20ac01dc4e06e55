"""A long history in the Jobs list: the newest screenful is shown at once, the rest of the
newest 5,000 jobs is read in a worker thread (its own connection to the ledger file) and
added in chunks. Over real SQLite ledgers of thousands of jobs (cloned rows, as the ledger
benchmark makes them): every row ends up shown once, sorted; a Link in a later chunk folds
into its video; changes and a reconnect while the rest loads; filters apply to later chunks.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.jobs.ledger import JobRecord, JobState, Ledger
from ui.jobs.model import RecordRole
from ui.jobs.panel import FIRST_ROWS, HISTORY, QueuePanel
from ui.service import StudioService

LINK_AT, VIDEO_AT = 1500, 150  # (how far from the newest: the Link in a later chunk)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def make_ledger(path: Path, jobs: int) -> dict[int, str]:
    """A ledger of ``jobs`` finished jobs one minute apart (job ``n`` newer than ``n - 1``,
    every 10th failed); the job ``jobs - 1 - VIDEO_AT`` is a URL to Video made from the Link
    ``jobs - 1 - LINK_AT``. The keys by number."""
    with Ledger(path) as ledger:
        ledger.begin_submit(generator="text_to_speech", resource="text_to_speech",
                            flow="create", title="template", request={"script": "hi"},
                            estimate=Decimal(1), balance_before=None)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(jobs)")]
        template = dict(zip(columns, conn.execute("SELECT * FROM jobs").fetchone(), strict=True))
        first = datetime(2026, 1, 1, tzinfo=UTC)
        keys: dict[int, str] = {}
        rows = []
        link_id = str(uuid.uuid4())
        for number in range(jobs):
            created = first + timedelta(minutes=number)
            row = {**template, "key": uuid.uuid4().hex, "title": f"Job #{number}",
                   "server_id": str(uuid.uuid4()), "created_at": _stamp(created),
                   "updated_at": _stamp(created), "finished_at": _stamp(created),
                   "state": "failed" if number % 10 == 0 else "done"}
            if number == jobs - 1 - LINK_AT:
                row.update(generator="links", resource="links", server_id=link_id,
                           request=json.dumps({"url": "https://shop.example.com/p/mug"}))
            if number == jobs - 1 - VIDEO_AT:
                row.update(generator="url_to_video", resource="link_to_videos",
                           request=json.dumps({"link": link_id}))
            keys[number] = row["key"]
            rows.append(tuple(row[name] for name in columns))
        conn.execute("BEGIN")
        conn.execute("DELETE FROM jobs")
        conn.executemany(f"INSERT INTO jobs ({', '.join(columns)}) "
                         f"VALUES ({', '.join('?' * len(columns))})", rows)
        conn.execute("COMMIT")
    finally:
        conn.close()
    return keys


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[int, str]]:
    path = tmp_path_factory.mktemp("history") / "jobs.sqlite3"
    return path, make_ledger(path, 8000)


@pytest.fixture
def service(tmp_path: Path, history: tuple[Path, dict[int, str]],
            qtbot: QtBot) -> Iterator[StudioService]:
    """A service whose session has the history's ledger open (as connecting leaves it)."""
    service = StudioService(tmp_path / "out", data_dir=tmp_path / "data")
    service.session.ledger = Ledger(history[0])
    yield service
    if service.session.ledger is not None:
        service.session.ledger.close()
    service.session.ledger = None


def shown(panel: QueuePanel) -> list[JobRecord]:
    """The records in the view's order."""
    proxy = panel.proxy
    return [proxy.index(row, 0).data(RecordRole) for row in range(proxy.rowCount())]


def finished_loading(panel: QueuePanel, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: not panel.loading, timeout=20_000)


def newest(ledger_path: Path, limit: int = HISTORY) -> list[JobRecord]:
    with Ledger(ledger_path) as ledger:
        return ledger.page(limit=limit)


def test_the_newest_screenful_first_then_every_row_once_sorted_with_its_link_folded(
        service: StudioService, history: tuple[Path, dict[int, str]], qtbot: QtBot) -> None:
    path, keys = history
    panel = QueuePanel(service)
    qtbot.addWidget(panel)
    # At once: the newest screenful, the rest still to come.
    assert panel.loading
    assert panel.model.rowCount() == FIRST_ROWS
    assert [r.key for r in shown(panel)][:3] == [keys[7999], keys[7998], keys[7997]]
    finished_loading(panel, qtbot)
    records = shown(panel)
    expected = [r for r in newest(path) if r.generator != "links"]  # (its Link is folded)
    assert len(records) == len({r.key for r in records}) == HISTORY - 1
    assert [r.key for r in records] == [r.key for r in expected]  # newest first
    video = next(r for r in records if r.generator == "url_to_video")
    assert video.key == keys[7999 - VIDEO_AT]
    # The Link came in a later chunk than its video: folded into it, not a row.
    assert panel.model.row_of(keys[7999 - LINK_AT]) is None
    link = panel.model.link_of(video)
    assert link is not None and link.key == keys[7999 - LINK_AT]


def test_changes_while_the_rest_loads_are_neither_lost_nor_duplicated(
        service: StudioService, history: tuple[Path, dict[int, str]], qtbot: QtBot) -> None:
    path, keys = history
    panel = QueuePanel(service)
    qtbot.addWidget(panel)
    assert panel.loading
    by_key = {r.key: r for r in newest(path)}
    # Before the rest is read: one old job renamed, one removed from the list.
    renamed = dataclasses.replace(by_key[keys[5000]], title="Renamed while loading")
    removed = dataclasses.replace(by_key[keys[4000]], hidden=True)
    service.jobsChanged.emit({renamed.key: renamed, removed.key: removed})
    # While the chunks come in: another old job changes, and a new job arrives.
    later = dataclasses.replace(by_key[keys[3500]], state=JobState.FAILED,
                                failed_reason="changed while loading")
    fresh = dataclasses.replace(by_key[keys[7999]], key=uuid.uuid4().hex, title="Brand new",
                                created_at=datetime.now(UTC))
    sent: list[bool] = []

    def change_once(*_args: object) -> None:
        if not sent and panel.model.rowCount() > FIRST_ROWS + 2:
            sent.append(True)
            service.jobsChanged.emit({later.key: later, fresh.key: fresh})
    panel.model.rowsInserted.connect(change_once)
    finished_loading(panel, qtbot)
    assert sent
    records = shown(panel)
    keys_shown = [r.key for r in records]
    assert len(keys_shown) == len(set(keys_shown))
    assert removed.key not in keys_shown
    titles = {r.key: r.title for r in records}
    assert titles[renamed.key] == "Renamed while loading"
    assert titles[fresh.key] == "Brand new" and keys_shown[0] == fresh.key
    assert next(r for r in records if r.key == later.key).failed_reason \
        == "changed while loading"
    assert len(records) == HISTORY - 1 - 1 + 1  # (the folded Link, the removed, the new one)
    created = [r.created_at for r in records]
    assert created == sorted(created, reverse=True)


def test_a_reconnect_while_the_rest_loads_drops_the_old_load(
        service: StudioService, tmp_path: Path, history: tuple[Path, dict[int, str]],
        qtbot: QtBot) -> None:
    other = tmp_path / "other.sqlite3"
    other_keys = set(make_ledger(other, 700).values())
    panel = QueuePanel(service)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.model.rowCount() > FIRST_ROWS, timeout=20_000)
    assert panel.loading  # (the old ledger's rest is being added)
    old = service.session.ledger
    service.session.ledger = Ledger(other)
    assert old is not None
    old.close()
    service.jobsReloaded.emit()
    finished_loading(panel, qtbot)
    qtbot.wait(300)  # (an old chunk, were one still due, would have come by now)
    keys_shown = {r.key for r in shown(panel)}
    assert keys_shown == other_keys
    assert panel.model.rowCount() == len(keys_shown) == 700


def test_filters_apply_to_the_rows_added_later(
        service: StudioService, history: tuple[Path, dict[int, str]], qtbot: QtBot) -> None:
    path, _keys = history
    panel = QueuePanel(service)
    qtbot.addWidget(panel)
    panel.group.setCurrentText("Problems")
    assert panel.loading
    finished_loading(panel, qtbot)
    failed = [r.key for r in newest(path) if r.state is JobState.FAILED
              and r.generator != "links"]
    assert [r.key for r in shown(panel)] == failed
    panel.search.setText("#79")  # (the text filter too)
    assert {r.title for r in shown(panel)} == {f"Job #{n}" for n in range(7900, 8000, 10)}


def test_the_history_read_in_chunks_is_the_one_read_in_one_go(
        service: StudioService, history: tuple[Path, dict[int, str]], qtbot: QtBot) -> None:
    """The library reads its history a few jobs at a time (letting the GUI thread paint in
    between): the same jobs in the same order as one read, with none twice."""
    path, _keys = history
    answers: dict[str, list[JobRecord] | None] = {}
    parent = QueuePanel(service)
    qtbot.addWidget(parent)
    for name, chunk in (("whole", 0), ("chunked", 7)):
        assert service.jobs_page_in_thread(
            parent, 100, lambda jobs, _error, name=name: answers.__setitem__(name, jobs),
            chunk=chunk, pause_s=0.0)
    qtbot.waitUntil(lambda: len(answers) == 2, timeout=20_000)
    whole, chunked = answers["whole"], answers["chunked"]
    assert whole is not None and chunked is not None
    assert [r.key for r in chunked] == [r.key for r in whole] == \
        [r.key for r in newest(path, 100)]
