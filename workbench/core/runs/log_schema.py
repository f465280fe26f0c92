"""The experiment log's tables, and the migrations that bring an older log up to date.

Migrations are literal SQL, frozen once released: a log written by any earlier version is
replayed through the steps after its `schema_version`, each step in one transaction with its
version bump, so a killed process leaves the log at one version or the next. An empty file is
version 0. A file that holds other tables but no `meta` table is somebody else's database and
is refused, never "migrated".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from workbench.core.errors import ProjectError

FORMAT_NAME = "ml-workbench-experiments"

# fold = -1 is the whole split (a summary or a single hold-out); NULL cannot take part in the
# primary key that lets log_metrics overwrite a value.
_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY,
    experiment TEXT NOT NULL,
    name TEXT,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    duration REAL,
    message TEXT,
    note TEXT NOT NULL DEFAULT '',
    seed INTEGER NOT NULL,
    dataset_sha256 TEXT NOT NULL,
    rows_json TEXT NOT NULL,
    spec_json TEXT NOT NULL,
    env_json TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL
);
CREATE INDEX runs_experiment ON runs (experiment);
CREATE INDEX runs_status ON runs (status);
CREATE TABLE params (
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value_json TEXT NOT NULL,
    PRIMARY KEY (run_id, name)
);
CREATE TABLE metrics (
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    split TEXT NOT NULL,
    fold INTEGER NOT NULL,
    name TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (run_id, split, fold, name)
);
CREATE TABLE tags (
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (run_id, tag)
);
CREATE TABLE artifacts (
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (run_id, kind)
);
"""

# Version 2: a run may belong to a parent run (the trials and ensembles of one auto search are
# grouped under the search's own run). NULL for every run of an older log: none had a parent.
_V2 = """
ALTER TABLE runs ADD COLUMN parent_run_id TEXT REFERENCES runs (run_id) ON DELETE SET NULL;
CREATE INDEX runs_parent ON runs (parent_run_id);
"""

# MIGRATIONS[i] takes a log from version i to version i + 1.
MIGRATIONS: tuple[str, ...] = (_V1, _V2)
SCHEMA_VERSION = len(MIGRATIONS)


def _split_statements(script: str) -> list[str]:
    """The statements of a migration, to run inside a transaction (executescript commits)."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in a migration: {pending.strip()[:60]}")
    return statements


def schema_version(conn: sqlite3.Connection, path: Path) -> int:
    """The log's version: 0 for an empty file; ProjectError for a foreign or damaged file."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not tables:
        return 0
    if "meta" not in tables:
        raise ProjectError(
            f"{path} is an SQLite database but not a workbench experiment log "
            f"(it holds the tables {', '.join(sorted(tables))}); move it aside to start a new log"
        )
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("format") != FORMAT_NAME or not str(meta.get("schema_version", "")).isdigit():
        raise ProjectError(f"{path} is not a workbench experiment log (its meta table differs)")
    return int(meta["schema_version"])


def migrate(conn: sqlite3.Connection, path: Path, migrations: Sequence[str] = MIGRATIONS) -> int:
    """Bring the log at `conn` to the latest version; returns the version it started at.

    `conn` must be in autocommit mode (isolation_level None): each step runs in its own
    BEGIN IMMEDIATE transaction, re-reading the version inside it, so two processes opening
    an old log at once migrate it once.
    """
    # A log already at the latest version needs no write lock: opening it to read must not
    # queue behind a training process that is writing folds.
    current = schema_version(conn, path)
    if current == len(migrations):
        return current
    started = None
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = schema_version(conn, path)
            started = version if started is None else started
            if version > len(migrations):
                raise ProjectError(
                    f"{path} was written by a newer workbench (log version {version}, this "
                    f"version reads up to {len(migrations)}); update the workbench to open it"
                )
            if version == len(migrations):
                conn.execute("COMMIT")
                return started
            for statement in _split_statements(migrations[version]):
                conn.execute(statement)
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('format', ?), "
                "('schema_version', ?)",
                (FORMAT_NAME, str(version + 1)),
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
