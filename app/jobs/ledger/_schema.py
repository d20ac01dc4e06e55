"""The ledger's schema: the tables and indexes, the ordered migrations, and the version check
that refuses a newer, foreign or damaged file before anything writes to it.

``PRAGMA user_version`` is the schema version; :data:`MIGRATIONS` is the ordered list of
upgrade steps (each in its own transaction). An older file is upgraded on open; a newer one
or a foreign SQLite file raises :class:`LedgerError` naming the file — nothing is ever
deleted or rewritten to "fix" it.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from app.jobs.ledger._errors import LedgerError

log = logging.getLogger("app.jobs.ledger")  # one logger for the whole ledger

APPLICATION_ID = 0x43525354  # "CRST": marks the file as a Creatify Studio ledger

_V1: tuple[str, ...] = (
    """
    CREATE TABLE jobs (
        key            TEXT PRIMARY KEY NOT NULL,
        generator      TEXT NOT NULL,
        resource       TEXT NOT NULL,
        flow           TEXT NOT NULL,
        title          TEXT NOT NULL,
        request        TEXT NOT NULL,               -- JSON object
        name_tag       TEXT,
        estimate       TEXT,                        -- Decimal
        balance_before TEXT,                        -- Decimal
        state          TEXT NOT NULL,
        raw_status     TEXT NOT NULL DEFAULT '',
        server_id      TEXT,
        progress       REAL,
        result_urls    TEXT NOT NULL DEFAULT '[]',  -- JSON list
        preview_url    TEXT,
        thumbnails     TEXT NOT NULL DEFAULT '[]',  -- JSON list
        response_text  TEXT,
        credits_used   TEXT,                        -- Decimal
        duration       REAL,
        failed_reason  TEXT,
        created_at     TEXT NOT NULL,               -- ISO-8601 UTC, fixed width
        submitted_at   TEXT,
        updated_at     TEXT NOT NULL,
        finished_at    TEXT,
        last_polled_at TEXT,
        download_state TEXT NOT NULL DEFAULT 'none',
        download_path  TEXT,
        download_bytes INTEGER NOT NULL DEFAULT 0,
        download_error TEXT,
        hidden         INTEGER NOT NULL DEFAULT 0,
        watching       INTEGER NOT NULL DEFAULT 1
    )
    """,
    """
    CREATE TABLE events (
        id     INTEGER PRIMARY KEY,
        key    TEXT NOT NULL REFERENCES jobs(key) ON DELETE CASCADE,
        at     TEXT NOT NULL,
        kind   TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT ''
    )
    """,
    "CREATE INDEX events_by_job ON events(key, id)",
    # Not unique: a render or a gen_video is a new local job on the same server job.
    "CREATE INDEX jobs_by_server_id ON jobs(resource, server_id)",
    "CREATE INDEX jobs_by_state ON jobs(state)",
    "CREATE INDEX jobs_by_created ON jobs(created_at)",
    # page()/count() without hidden rows walk this one, newest first, and never skip rows.
    "CREATE INDEX jobs_visible_by_created ON jobs(created_at) WHERE hidden = 0",
    f"PRAGMA application_id = {APPLICATION_ID}",
)


def _migrate_to_v1(conn: sqlite3.Connection) -> None:
    """v1: the ``jobs`` and ``events`` tables and their indexes."""
    for statement in _V1:
        conn.execute(statement)


_V2: tuple[str, ...] = (
    # URL to Video's "compare styles": the previews to choose from (JSON list).
    "ALTER TABLE jobs ADD COLUMN previews TEXT NOT NULL DEFAULT '[]'",
    # Every remaining-credits figure read from Creatify, for the spending view.
    """
    CREATE TABLE balance_readings (
        id      INTEGER PRIMARY KEY,
        at      TEXT NOT NULL,                      -- ISO-8601 UTC, fixed width
        credits TEXT NOT NULL                       -- Decimal
    )
    """,
    "CREATE INDEX balance_readings_by_time ON balance_readings(at)",
)


def _migrate_to_v2(conn: sqlite3.Connection) -> None:
    """v2: style previews on jobs, and the balance readings."""
    for statement in _V2:
        conn.execute(statement)


def _migrate_to_v3(conn: sqlite3.Connection) -> None:
    """v3: the ``preview_ready`` state. A preview step an older version recorded as ``done``
    with its preview and no result is ``preview_ready`` (offered Render, never downloaded).
    Rows still running are left alone: their next poll decides."""
    conn.execute(
        "UPDATE jobs SET state = 'preview_ready' WHERE flow IN ('preview_render', "
        "'compare_styles') AND state = 'done' AND result_urls = '[]' "
        "AND (preview_url IS NOT NULL OR previews != '[]')")


_V4: tuple[str, ...] = (
    # The learned-price key of the job's price (model + price-driving parameters), written at
    # submit; NULL for jobs whose price has no key and for every job older versions recorded.
    "ALTER TABLE jobs ADD COLUMN price_key TEXT",
    # last_charges(): the latest finished charge per key, without walking the other jobs.
    "CREATE INDEX jobs_by_price_key ON jobs(price_key, finished_at) WHERE price_key IS NOT NULL",
    # What the budget guard counted for the job when that was more than its estimate (a
    # price known only as a minimum, or unknown and held to the per-job ceiling): the
    # credits committed in flight count it, so a later job cannot spend it meanwhile.
    "ALTER TABLE jobs ADD COLUMN held TEXT",
)


def _migrate_to_v4(conn: sqlite3.Connection) -> None:
    """v4: ``price_key`` on jobs (learned prices: what a model with these parameters really
    cost the last time) and ``held`` (what the budget guard counted, when more than the
    estimate)."""
    for statement in _V4:
        conn.execute(statement)


def _migrate_to_v5(conn: sqlite3.Connection) -> None:
    """v5: an index for the finished jobs whose result is still to be saved (read when the
    jobs are followed again at start-up: it walked every job of a long history)."""
    conn.execute("CREATE INDEX jobs_by_download_state ON jobs(download_state, state)")


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _migrate_to_v1, _migrate_to_v2, _migrate_to_v3, _migrate_to_v4, _migrate_to_v5)
"""``MIGRATIONS[n]`` upgrades a version-``n`` file to version ``n + 1``."""
SCHEMA_VERSION = len(MIGRATIONS)


# ---------------------------------------------------------------------------- opening

def check_version(conn: sqlite3.Connection, path: str) -> int:
    """The file's schema version, read before anything writes: a newer file, or an SQLite
    file that is not a Creatify Studio ledger, raises :class:`LedgerError` naming ``path``."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise LedgerError(
            f"the job ledger {path} was written by a newer Creatify Studio (schema "
            f"version {version}; this version reads up to {SCHEMA_VERSION}). Update the "
            f"app; the file was left untouched")
    app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    if version == 0:
        objects = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchone()
        if objects[0] or app_id not in (0, APPLICATION_ID):
            raise LedgerError(
                f"{path} is an SQLite file but not a Creatify Studio job ledger; "
                f"it was left untouched")
    elif app_id != APPLICATION_ID:
        raise LedgerError(f"{path} is not a Creatify Studio job ledger "
                          f"(application id {app_id:#x}); it was left untouched")
    return version


def upgrade(conn: sqlite3.Connection, path: str, version: int) -> None:
    """Run the migrations a file at schema ``version`` lacks, one transaction each (nothing
    for a current file); a failing step raises :class:`LedgerError` and leaves the file as it
    was before that step."""
    if version >= SCHEMA_VERSION:
        return
    while True:
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            # Read again under the write lock: another process may have migrated.
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version >= SCHEMA_VERSION:
                return
            try:
                MIGRATIONS[version](conn)
            except sqlite3.Error as exc:
                raise LedgerError(
                    f"could not upgrade the job ledger {path} from schema version "
                    f"{version} to {version + 1} ({exc}); it was left as it was") from exc
            conn.execute(f"PRAGMA user_version = {version + 1}")
        log.info("job ledger %s: migrated to schema version %d", path, version + 1)
