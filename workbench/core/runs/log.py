"""The experiment log: every run of a project, in `experiments.sqlite` beside project.json.

A run records what was asked (its RunSpec: the data's sha256 and row counts, the chain, model,
split, tuning and seed), where it ran (the Environment its caller captured, pid and host), and
what came out (parameters, metrics per split and per fold, artifacts with their sha256, tags, a
note). The seed, data sha256 and row counts are also columns, so SQL can compare runs by them.

Why it is built this way:
- SQLite in WAL mode, so the GUI reads while a training child process writes; each
  ExperimentLog holds its own connection and sees the other's commits at its next query.
- Every write is one BEGIN IMMEDIATE transaction. `finish_run` writes the final metrics and the
  status in one transaction, so a killed process never leaves a run looking finished; a run
  left "running" by a dead process is marked failed by `recover_interrupted`.
- Run ids are `YYYYMMDD-HHMMSS-mmm-xxxx` (UTC time to the millisecond, then 4 random hex
  digits): they sort by start time, and a log never hands out an id at or before its latest.
- Artifacts live in `runs/<run_id>/` (paths stored relative to the project, so a zipped folder
  works elsewhere); a pickle is only loaded after `verified_artifact` matched its sha256.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import secrets
import shutil
import socket
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlite_utils

from workbench.core import json_fields
from workbench.core.errors import ProjectError, WorkbenchError
from workbench.core.file_digest import file_sha256_and_size
from workbench.core.kinds import TaskType
from workbench.core.metrics.tables import summarise_folds
from workbench.core.parquet_frames import read_frame_parquet
from workbench.core.processes import pid_alive
from workbench.core.project_paths import inside_project, project_writable
from workbench.core.runs.environment import Environment
from workbench.core.runs.log_schema import SCHEMA_VERSION as LOG_SCHEMA_VERSION
from workbench.core.runs.log_schema import migrate, schema_version
from workbench.core.runs.spec import RunSpec, logged_spec

LOG_FILE = "experiments.sqlite"
RUNS_DIR = "runs"
SPLITS = ("train", "validation", "test")
INTERRUPTED = "interrupted"
END_STATUSES = ("finished", "failed", "cancelled", INTERRUPTED)
INTERRUPTED_MESSAGE = "the process training this run stopped before it finished"
RUN_ID_PATTERN = re.compile(r"^\d{8}-\d{6}-\d{3}-[0-9a-f]{4}$")
# Seconds a write waits for another process's transaction; writes take milliseconds.
BUSY_TIMEOUT = 10.0
# Per-fold timings logged beside the validation scores; they are not scores.
TIMINGS = frozenset({"fit_seconds", "predict_seconds"})
# Fold -1 in the metrics table is the whole split (see log_schema).
_WHOLE_SPLIT = -1
_STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class Artifact:
    """A file a run produced; `path` is relative to the project folder, with / separators."""

    kind: str
    path: str
    sha256: str
    size: int
    created_at: str


@dataclass(frozen=True)
class RunRecord:
    """One run as the log holds it: its typed spec and environment, how it went, and what it
    produced.

    `metrics` maps split -> metric -> value for the whole split (the summary the runner
    logged); `fold_metrics` maps split -> fold -> metric -> value, the per-fold timings
    (TIMINGS) among them.
    """

    run_id: str
    experiment: str
    name: str | None
    status: str
    started_at: str
    finished_at: str | None
    duration: float | None
    message: str | None
    note: str
    spec: RunSpec
    env: Environment
    pid: int
    host: str
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    fold_metrics: dict[str, dict[int, dict[str, float]]] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    artifacts: dict[str, Artifact] = field(default_factory=dict)
    # The run this one belongs to (an auto search's trial or ensemble); None for a plain run.
    parent_run_id: str | None = None

    def scores(self, split: str = "validation") -> dict[str, float]:
        """The run's whole-split scores of `split` ("train", "validation" or "test"):
        validation and train are fold means, test is one score."""
        return {k: v for k, v in self.metrics.get(split, {}).items() if k not in TIMINGS}

    def fold_summary(self, split: str = "validation") -> dict[str, dict[str, Any]]:
        """Mean, std and values of each score over the folds of `split` (see
        summarise_folds); timings left out."""
        folds = self.fold_metrics.get(split, {})
        return summarise_folds(
            [
                {name: value for name, value in folds[fold].items() if name not in TIMINGS}
                for fold in sorted(folds)
            ]
        )

    def fold_scores(self, metric: str | None = None) -> pd.DataFrame:
        """One row per fold: `fold`, `train` and `validation` scores of `metric` (the run's
        metric by default); NaN where a fold has no such score (e.g. training scores of a
        metric undefined on the training rows)."""
        metric = metric or self.spec.metric
        train = self.fold_metrics.get("train", {})
        validation = self.fold_metrics.get("validation", {})
        folds = sorted(set(validation) | set(train))
        # Typed arrays, not records then astype: the runner builds one per metric per run.
        return pd.DataFrame(
            {
                "fold": np.array(folds, dtype="int64"),
                "train": np.array(
                    [train.get(f, {}).get(metric, math.nan) for f in folds], dtype="float64"
                ),
                "validation": np.array(
                    [validation.get(f, {}).get(metric, math.nan) for f in folds], dtype="float64"
                ),
            }
        )


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def _json_default(value: Any) -> Any:
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy arrays
        return value.tolist()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return value.as_posix()
    if hasattr(value, "to_dict") and callable(value.to_dict):  # specs
        return value.to_dict()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _to_json(value: Any, what: str) -> str:
    try:
        return json.dumps(value, default=_json_default, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as error:
        raise WorkbenchError(f"{what} cannot be stored in the experiment log: {error}") from error


def _check_run_id(run_id: str) -> str:
    # Ids become folder names: anything else could reach outside runs/.
    if not isinstance(run_id, str) or not RUN_ID_PATTERN.match(run_id):
        raise ProjectError(f"'{run_id}' is not a run id")
    return run_id


def _check_end_status(status: str) -> None:
    """A WorkbenchError unless `status` is one a run can end with."""
    if status not in END_STATUSES:
        raise WorkbenchError(f"a run ends as one of {', '.join(END_STATUSES)}, not '{status}'")


class ExperimentLog:
    """The runs of one project, stored in `path` (normally <project>/experiments.sqlite).

    Open one per process (or per thread: a connection stays in the thread that opened it) and
    close it when done; it is also a context manager.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.root = self.path.parent
        if not self.root.is_dir():
            raise ProjectError(f"cannot open the experiment log {self.path}: no such folder")
        # A project this user cannot write (someone else's, a read-only share) is read as it
        # is: no WAL switch, no migration, and every write refused saying why.
        self.read_only = not project_writable(self.root)
        try:
            conn = self._connect()
        except sqlite3.Error as error:
            raise ProjectError(f"cannot open the experiment log {self.path}: {error}") from error
        try:
            self._prepare(conn)
        except sqlite3.OperationalError as error:
            conn.close()
            if _is_busy(error):
                raise ProjectError(
                    f"{self.path} is busy: another process held it for {BUSY_TIMEOUT:.0f} s; "
                    "try again"
                ) from error
            raise ProjectError(
                f"{self.path} is damaged or not an SQLite database ({error}); "
                "move it aside to start a new experiment log"
            ) from error
        except sqlite3.DatabaseError as error:
            conn.close()
            raise ProjectError(
                f"{self.path} is damaged or not an SQLite database ({error}); "
                "move it aside to start a new experiment log"
            ) from error
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    def _connect(self) -> sqlite3.Connection:
        if not self.read_only:
            return sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT, isolation_level=None)
        if not self.path.is_file():
            raise ProjectError(f"{self.path} is missing and the project is read-only")
        uri = self.path.resolve().as_uri()
        conn = sqlite3.connect(
            f"{uri}?mode=ro", uri=True, timeout=BUSY_TIMEOUT, isolation_level=None
        )
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:
            # A WAL log in a folder that cannot take its -shm file: read it as it stands.
            conn.close()
            return sqlite3.connect(
                f"{uri}?mode=ro&immutable=1", uri=True, timeout=BUSY_TIMEOUT, isolation_level=None
            )

    def _prepare(self, conn: sqlite3.Connection) -> None:
        """Check, switch to WAL and migrate; retried while another process is writing.

        SQLite answers "database is locked" at once, without waiting for the busy timeout, when
        a reader's snapshot went stale under a concurrent writer (a training process logging
        folds): starting over is the remedy.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            try:
                # Reading the schema first turns a damaged or foreign file into a clear error.
                version = schema_version(conn, self.path)
                self._db = sqlite_utils.Database(conn, execute_plugins=False)
                if self.read_only:
                    if version != LOG_SCHEMA_VERSION:
                        raise ProjectError(
                            f"{self.path} was written by another version of the workbench "
                            f"(log format {version}, this one reads {LOG_SCHEMA_VERSION}) and "
                            "the project is read-only, so it cannot be brought up to date; "
                            "copy the folder somewhere you can write"
                        )
                    return
                self._db.enable_wal()
                conn.execute("PRAGMA foreign_keys = ON")
                migrate(conn, self.path)
                return
            except sqlite3.OperationalError as error:
                if not _is_busy(error) or time.monotonic() > deadline:
                    raise
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                time.sleep(0.05)

    # --- plumbing --------------------------------------------------------------------------------

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> ExperimentLog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """SQLite failures as one-line ProjectErrors naming the file."""
        try:
            yield
        except sqlite3.OperationalError as error:
            if _is_busy(error):
                raise ProjectError(
                    f"{self.path} is busy: another process held it for {BUSY_TIMEOUT:.0f} s; "
                    "try again"
                ) from error
            raise ProjectError(f"cannot use the experiment log {self.path}: {error}") from error
        except sqlite3.DatabaseError as error:
            raise ProjectError(f"the experiment log {self.path} is damaged: {error}") from error

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction; IMMEDIATE takes the write lock up front, so a concurrent writer
        waits (busy timeout) instead of failing when its read turns into a write."""
        if self.read_only:
            raise ProjectError(
                f"the project {self.root} is read-only (this user cannot write to its folder); "
                "copy the folder somewhere you can write to change it"
            )
        with self._guard():
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._guard():
            return list(self._db.query(sql, list(params)))

    def _require_run(self, conn: sqlite3.Connection, run_id: str) -> str:
        _check_run_id(run_id)
        row = conn.execute("SELECT status FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        if row is None:
            raise ProjectError(f"no run '{run_id}' in {self.path}")
        return str(row[0])

    def run_dir(self, run_id: str) -> Path:
        """The run's artifact folder, runs/<run_id>/ (created on first use)."""
        folder = self.root / RUNS_DIR / _check_run_id(run_id)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    # --- writing ---------------------------------------------------------------------------------

    def _new_run_id(self, conn: sqlite3.Connection, now: datetime) -> str:
        stamp = now.replace(microsecond=now.microsecond // 1000 * 1000)
        latest = conn.execute("SELECT max(run_id) FROM runs").fetchone()[0]
        if latest and RUN_ID_PATTERN.match(latest):
            last = datetime.strptime(latest[:15], _STAMP).replace(tzinfo=UTC) + timedelta(
                milliseconds=int(latest[16:19])
            )
            # Same millisecond, or the clock went back: step past the latest id.
            if stamp <= last:
                stamp = last + timedelta(milliseconds=1)
        return f"{stamp:{_STAMP}}-{stamp.microsecond // 1000:03d}-{secrets.token_hex(2)}"

    def start_run(
        self,
        spec: RunSpec,
        environment: Environment,
        experiment: str = "default",
        name: str | None = None,
        parent_run_id: str | None = None,
    ) -> str:
        """Record a new run as "running" and return its id. `environment` is captured by the
        caller (runs.environment): the log stores what it is given. `parent_run_id` groups the
        run under another (an auto search's trials under the search)."""
        spec_json = _to_json(spec.to_dict(), "the run's spec")
        rows_json = _to_json(spec.rows.to_dict(), "the row counts")
        env_json = _to_json(environment.to_dict(), "the environment")
        now = _now()
        with self._write() as conn:
            run_id = self._new_run_id(conn, now)
            conn.execute(
                "INSERT INTO runs (run_id, experiment, name, status, started_at, seed, "
                "dataset_sha256, rows_json, spec_json, env_json, pid, host, parent_run_id) "
                "VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id, experiment, name, _iso(now), int(spec.seed), spec.dataset_sha256,
                    rows_json, spec_json, env_json, os.getpid(), socket.gethostname(),
                    parent_run_id,
                ),
            )  # fmt: skip
        return run_id

    def log_params(self, run_id: str, params: Mapping[str, Any]) -> None:
        """Record parameters (any JSON value); a name logged again is overwritten."""
        values = [(str(k), _to_json(v, f"parameter '{k}'")) for k, v in params.items()]
        with self._write() as conn:
            self._require_run(conn, run_id)
            conn.executemany(
                "INSERT OR REPLACE INTO params (run_id, name, value_json) VALUES (?, ?, ?)",
                [(run_id, name, value) for name, value in values],
            )

    @staticmethod
    def _metric_rows(
        run_id: str, metrics: Mapping[str, float], fold: int | None, split: str
    ) -> list[tuple[str, str, int, str, float]]:
        if split not in SPLITS:
            raise WorkbenchError(f"unknown split '{split}'; known: {', '.join(SPLITS)}")
        if fold is not None and (not isinstance(fold, int) or fold < 0):
            raise WorkbenchError(f"a fold number is a whole number from 0, got {fold!r}")
        rows = []
        for name, value in metrics.items():
            number = float(value)
            # SQLite stores NaN as NULL: refuse it here, where the caller can see why.
            if number != number or number in (float("inf"), float("-inf")):
                raise WorkbenchError(f"metric '{name}' is {number}; only finite values are logged")
            rows.append((run_id, split, _WHOLE_SPLIT if fold is None else fold, str(name), number))
        return rows

    def log_metrics(
        self,
        run_id: str,
        metrics: Mapping[str, float],
        fold: int | None = None,
        split: str = "validation",
    ) -> None:
        """Record metric values of one fold (or of the whole split when `fold` is None)."""
        rows = self._metric_rows(run_id, metrics, fold, split)
        with self._write() as conn:
            self._require_run(conn, run_id)
            conn.executemany(
                "INSERT OR REPLACE INTO metrics (run_id, split, fold, name, value) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )

    def _resolve_artifact(self, path: str | Path) -> tuple[Path, str]:
        candidate = Path(path)
        full = candidate if candidate.is_absolute() else self.root / candidate
        try:
            relative = full.resolve().relative_to(self.root.resolve())
        except ValueError as error:
            raise ProjectError(
                f"artifact {full} is outside the project folder {self.root}"
            ) from error
        return full, relative.as_posix()

    def log_artifact(self, run_id: str, path: str | Path, kind: str) -> str:
        """Record a file inside the project (path relative to it) with its sha256, returned."""
        full, relative = self._resolve_artifact(path)
        try:
            digest, size = file_sha256_and_size(full)
        except OSError as error:
            raise ProjectError(f"cannot read artifact {full}: {error.strerror or error}") from error
        with self._write() as conn:
            self._require_run(conn, run_id)
            conn.execute(
                "INSERT OR REPLACE INTO artifacts (run_id, kind, path, sha256, size, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (run_id, kind, relative, digest, size, _iso(_now())),
            )
        return digest

    def set_tags(self, run_id: str, tags: Iterable[str]) -> None:
        """Replace the run's tags."""
        cleaned = sorted({_clean_tag(tag) for tag in tags})
        with self._write() as conn:
            self._require_run(conn, run_id)
            conn.execute("DELETE FROM tags WHERE run_id = ?", (run_id,))
            conn.executemany(
                "INSERT INTO tags (run_id, tag) VALUES (?, ?)", [(run_id, t) for t in cleaned]
            )

    def add_tag(self, run_id: str, tag: str) -> None:
        with self._write() as conn:
            self._require_run(conn, run_id)
            conn.execute(
                "INSERT OR IGNORE INTO tags (run_id, tag) VALUES (?, ?)", (run_id, _clean_tag(tag))
            )

    def remove_tag(self, run_id: str, tag: str) -> None:
        with self._write() as conn:
            self._require_run(conn, run_id)
            conn.execute("DELETE FROM tags WHERE run_id = ? AND tag = ?", (run_id, tag.strip()))

    def set_note(self, run_id: str, note: str) -> None:
        with self._write() as conn:
            self._require_run(conn, run_id)
            conn.execute("UPDATE runs SET note = ? WHERE run_id = ?", (note, run_id))

    def finish_run(
        self,
        run_id: str,
        status: str = "finished",
        message: str | None = None,
        duration: float | None = None,
        metrics: Mapping[str, Mapping[str, float]] | None = None,
    ) -> None:
        """End a running run, writing its final `metrics` (split -> name -> value, whole split)
        and then its status in one transaction. `duration` defaults to the time since start."""
        _check_end_status(status)
        rows = [
            row
            for split, values in (metrics or {}).items()
            for row in self._metric_rows(run_id, values, None, split)
        ]
        now = _now()
        with self._write() as conn:
            current = self._require_run(conn, run_id)
            if current != "running":
                raise ProjectError(f"run '{run_id}' already ended ({current})")
            conn.executemany(
                "INSERT OR REPLACE INTO metrics (run_id, split, fold, name, value) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            if duration is None:
                started = conn.execute(
                    "SELECT started_at FROM runs WHERE run_id = ?", (run_id,)
                ).fetchone()[0]
                duration = (now - datetime.fromisoformat(started)).total_seconds()
            conn.execute(
                "UPDATE runs SET status = ?, finished_at = ?, duration = ?, message = ? "
                "WHERE run_id = ?",
                (status, _iso(now), float(duration), message, run_id),
            )

    def end_abandoned(self, run_id: str, status: str, message: str) -> bool:
        """End a run whose process is gone (it died, or the window killed it on Cancel) with
        `status` and `message`, unless it ended meanwhile (then False); forget its artifacts
        (their files may be half-written) and remove its folder. Its duration is unknown: the
        process may have died long before anyone noticed."""
        _check_end_status(status)
        with self._write() as conn:
            changed = conn.execute(
                "UPDATE runs SET status = ?, finished_at = ?, message = ? "
                "WHERE run_id = ? AND status = 'running'",
                (status, _iso(_now()), message, run_id),
            ).rowcount
            if changed == 1:
                conn.execute("DELETE FROM artifacts WHERE run_id = ?", (run_id,))
        if changed == 1:
            shutil.rmtree(self.root / RUNS_DIR / run_id, ignore_errors=True)
        return changed == 1

    def delete_run(self, run_id: str) -> None:
        """Remove the run's rows, then its runs/<run_id>/ folder."""
        with self._write() as conn:
            self._require_run(conn, run_id)
            conn.execute("DELETE FROM runs WHERE run_id = ?", (run_id,))
        folder = self.root / RUNS_DIR / run_id
        try:
            shutil.rmtree(folder)
        except FileNotFoundError:
            pass
        except OSError as error:
            raise ProjectError(
                f"run '{run_id}' was deleted from the log but its folder {folder} could not be "
                f"removed: {error.strerror or error}"
            ) from error

    # --- reading ---------------------------------------------------------------------------------

    def experiments(self) -> list[str]:
        rows = self._query("SELECT DISTINCT experiment FROM runs ORDER BY experiment")
        return [row["experiment"] for row in rows]

    def runs(
        self,
        experiment: str | None = None,
        status: str | None = None,
        skipped: list[str] | None = None,
    ) -> list[RunRecord]:
        """Runs in start order (oldest first), optionally of one experiment and/or status.
        With a `skipped` list, a run whose logged entries are damaged is left out and the
        reason appended there (listings go on); without one it is a ProjectError."""
        where, params = [], []
        if experiment is not None:
            where.append("experiment = ?")
            params.append(experiment)
        if status is not None:
            where.append("status = ?")
            params.append(status)
        condition = f"WHERE {' AND '.join(where)}" if where else ""
        return self._records(condition, params, skipped)

    def run(self, run_id: str) -> RunRecord:
        records = self._records("WHERE run_id = ?", [_check_run_id(run_id)])
        if not records:
            raise ProjectError(f"no run '{run_id}' in {self.path}")
        return records[0]

    def _records(
        self, condition: str, params: list[Any], skipped: list[str] | None = None
    ) -> list[RunRecord]:
        chosen = f"run_id IN (SELECT run_id FROM runs {condition})"
        with self._guard(), self._read_snapshot():
            runs = self._query(f"SELECT * FROM runs {condition} ORDER BY run_id", params)
            children = {
                table: self._query(f"SELECT * FROM {table} WHERE {chosen}", params)
                for table in ("params", "metrics", "tags", "artifacts")
            }
        parts: dict[str, dict[str, Any]] = {
            row["run_id"]: {
                "params": {}, "metrics": {}, "fold_metrics": {}, "tags": [], "artifacts": {},
            }
            for row in runs
        }  # fmt: skip
        damaged: dict[str, str] = {}
        for row in children["params"]:
            try:
                value = _logged_json(row, "value_json", f"parameter '{row['name']}'")
            except ProjectError as error:
                damaged.setdefault(row["run_id"], str(error))
                continue
            parts[row["run_id"]]["params"][row["name"]] = value
        for row in sorted(children["metrics"], key=lambda r: (r["split"], r["fold"])):
            part = parts[row["run_id"]]
            if row["fold"] == _WHOLE_SPLIT:
                part["metrics"].setdefault(row["split"], {})[row["name"]] = row["value"]
            else:
                folds = part["fold_metrics"].setdefault(row["split"], {})
                folds.setdefault(row["fold"], {})[row["name"]] = row["value"]
        for row in children["tags"]:
            parts[row["run_id"]]["tags"].append(row["tag"])
        for row in children["artifacts"]:
            parts[row["run_id"]]["artifacts"][row["kind"]] = Artifact(
                row["kind"], row["path"], row["sha256"], row["size"], row["created_at"]
            )
        records = []
        for row in runs:
            try:
                if row["run_id"] in damaged:
                    raise ProjectError(damaged[row["run_id"]])
                records.append(_record(row, parts[row["run_id"]]))
            except ProjectError as error:
                if skipped is None:
                    raise
                skipped.append(str(error))
        return records

    @contextlib.contextmanager
    def _read_snapshot(self) -> Iterator[None]:
        """Read a run and its children from one snapshot, not across another's commit."""
        self._conn.execute("BEGIN")
        try:
            yield
        finally:
            if self._conn.in_transaction:
                self._conn.execute("COMMIT")

    def compare(self, run_ids: Sequence[str]) -> pd.DataFrame:
        """Runs side by side: rows (section, name) for run facts, parameters and summary
        metrics; one column per run id; `differs` flags rows whose values are not all equal."""
        records = [self.run(run_id) for run_id in run_ids]
        rows: list[tuple[str, str, list[Any]]] = []
        for name in ("experiment", "name", "status"):
            rows.append(("run", name, [getattr(record, name) for record in records]))
        rows.append(("run", "seed", [record.spec.seed for record in records]))
        rows.append(("run", "dataset_sha256", [record.spec.dataset_sha256 for record in records]))
        rows.append(("run", "duration", [record.duration for record in records]))
        for name in sorted({p for record in records for p in record.params}):
            rows.append(("param", name, [record.params.get(name) for record in records]))
        splits = [
            s for s in ("validation", "test", "train") if any(s in r.metrics for r in records)
        ]
        for split in splits:
            names = sorted({m for record in records for m in record.metrics.get(split, {})})
            for name in names:
                values = [record.metrics.get(split, {}).get(name) for record in records]
                rows.append((f"metric:{split}", name, values))
        table = pd.DataFrame(
            [[section, name, *values] for section, name, values in rows],
            columns=["section", "name", *(record.run_id for record in records)],
            dtype=object,
        )
        table["differs"] = [_differs(values) for _, _, values in rows]
        return table

    def verify_artifact(self, run_id: str, kind: str) -> Path:
        """The artifact's path, after checking its sha256 against the one logged."""
        return verified_artifact(self.root, self.run(run_id), kind)


def artifact_file(project_root: Path, record: RunRecord, kind: str) -> Path:
    """Where the run's `kind` artifact is, refused when the log's path leads outside the
    project folder (a received project's log could name any file on this machine)."""
    artifact = record.artifacts.get(kind)
    if artifact is None:
        raise ProjectError(f"run '{record.run_id}' has no '{kind}' artifact")
    entry = f"the path of run '{record.run_id}''s '{kind}' artifact in {LOG_FILE}"
    return inside_project(Path(project_root), artifact.path, entry)


def verified_artifact(project_root: Path, record: RunRecord, kind: str) -> Path:
    """The path of the run's `kind` artifact, after checking its sha256 against the record's:
    a file changed since the run (a pickle above all) is refused, never read."""
    full = artifact_file(project_root, record, kind)
    artifact = record.artifacts[kind]
    try:
        digest, _ = file_sha256_and_size(full)
    except FileNotFoundError as error:
        raise ProjectError(f"{full} is missing; the run's '{kind}' is gone") from error
    except OSError as error:
        raise ProjectError(f"cannot read {full}: {error.strerror or error}") from error
    if digest != artifact.sha256:
        raise ProjectError(f"{full} was changed since the run {record.run_id}; refusing to load it")
    return full


def read_artifact_frame(project_root: Path, record: RunRecord, kind: str) -> pd.DataFrame:
    """A Parquet artifact of the run (its predictions), with a clear error when it is missing
    or unreadable."""
    path = artifact_file(project_root, record, kind)
    if not path.is_file():
        raise ProjectError(f"{path} is missing; the run's '{kind}' file is gone")
    try:
        return read_frame_parquet(path)
    except Exception as error:  # fastparquet raises several unrelated types for a bad file
        raise ProjectError(f"cannot read {path}: {error}") from error


def _clean_tag(tag: str) -> str:
    cleaned = str(tag).strip()
    if not cleaned:
        raise WorkbenchError("a tag cannot be empty")
    return cleaned


def _differs(values: list[Any]) -> bool:
    present = [json.dumps(v, sort_keys=True, default=str) for v in values]
    return len(set(present)) > 1


# Entries of a run's spec and their JSON types, as the runner writes them (train.run_training).
# Checked when the log is read: a spec edited by hand or by another program must give a line
# naming the run and the entry, not a TypeError wherever the entry is used.
_SPEC_ENTRIES: dict[str, tuple[type, ...]] = {
    "target": (str,),
    "task": (str,),
    "features": (list,),
    "metric": (str, type(None)),
    "model": (dict,),
    "chain": (dict, type(None)),
    "split": (dict, type(None)),
    "tune": (dict, type(None)),
    "seed": (int, type(None)),
    "n_jobs": (int, type(None)),
}


def _logged_json(row: Mapping[str, Any], column: str, what: str) -> Any:
    """A JSON column of the log, or a ProjectError naming the run and what is damaged."""
    try:
        return json.loads(row[column])
    except (json.JSONDecodeError, TypeError, RecursionError):
        run = row["run_id"]
        raise ProjectError(f"run '{run}' in {LOG_FILE} has a damaged {what}") from None


def _run_spec(row: Mapping[str, Any], params: Mapping[str, Any]) -> RunSpec:
    """The run's typed spec (an older log's dict migrated), each entry checked for its JSON type
    first: a spec edited by hand or by another program gives one line naming the run."""
    spec = _logged_json(row, "spec_json", "spec (not valid JSON)")
    try:
        if not isinstance(spec, dict):
            raise WorkbenchError(f"it should be an object, not {json_fields.describe(spec)}")
        for key, kinds in _SPEC_ENTRIES.items():
            json_fields.field(spec, key, kinds, default=None)
        tasks = [task.value for task in TaskType]
        if "task" in spec and spec["task"] not in tasks:
            raise WorkbenchError(
                f"'task' should be one of {', '.join(tasks)}, not {spec['task']!r}"
            )
        json_fields.field(spec.get("model") or {}, "name", str, "model", default=None)
        return logged_spec(
            spec,
            seed=row["seed"],
            dataset_sha256=row["dataset_sha256"],
            rows=_logged_json(row, "rows_json", "row count"),
            notes=params.get("notes"),
        )
    except (WorkbenchError, ValueError, TypeError, KeyError) as error:
        reason = f"'{error.args[0]}' is missing" if isinstance(error, KeyError) else str(error)
        raise ProjectError(
            f"run '{row['run_id']}' in {LOG_FILE} has a damaged spec: {reason}"
        ) from None


def _record(row: Mapping[str, Any], parts: Mapping[str, Any]) -> RunRecord:
    return RunRecord(
        run_id=row["run_id"],
        experiment=row["experiment"],
        name=row["name"],
        status=row["status"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        duration=row["duration"],
        message=row["message"],
        note=row["note"],
        spec=_run_spec(row, parts["params"]),
        env=Environment.from_dict(_logged_json(row, "env_json", "environment")),
        pid=row["pid"],
        host=row["host"],
        params=parts["params"],
        metrics=parts["metrics"],
        fold_metrics=parts["fold_metrics"],
        tags=tuple(sorted(parts["tags"])),
        artifacts=parts["artifacts"],
        parent_run_id=row["parent_run_id"],
    )


def recover_interrupted(log: ExperimentLog) -> list[str]:
    """Mark interrupted the runs left "running" by a process of this machine that is gone,
    removing their partial artifacts.

    Runs started on another host (a shared folder) are left alone: their process cannot be
    checked from here. Returns the ids marked interrupted.
    """
    host = socket.gethostname()
    recovered = []
    for record in log.runs(status="running", skipped=[]):
        gone = record.host == host and not pid_alive(record.pid)
        if gone and log.end_abandoned(record.run_id, INTERRUPTED, INTERRUPTED_MESSAGE):
            recovered.append(record.run_id)
    return recovered


def recover_project_runs(project_root: str | Path) -> list[str]:
    """What opening a project does to its log (the window and every command): runs whose
    training process is gone are marked interrupted. Nothing when the project has no log or is
    read-only (nothing there can be changed)."""
    path = Path(project_root) / LOG_FILE
    if not path.is_file() or not project_writable(Path(project_root)):
        return []
    with ExperimentLog(path) as log:
        return recover_interrupted(log)


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def open_log(project_root: str | Path) -> ExperimentLog:
    """The project's experiment log; a ProjectError when the project has none yet."""
    path = Path(project_root) / LOG_FILE
    if not path.is_file():
        raise ProjectError(f"{Path(project_root)} has no experiment log ({LOG_FILE}): no runs yet")
    return ExperimentLog(path)


def finished_record(log: ExperimentLog, run_id: str, wanted: str = "results") -> RunRecord:
    """The run's record, or a WorkbenchError saying why it has no `wanted` (results, export):
    only a finished run has a fitted pipeline and predictions to show or hand over."""
    record = log.run(run_id)
    if record.status == "running":
        raise WorkbenchError(f"run '{run_id}' is still running; its {wanted} come when it finishes")
    if record.status != "finished":
        reason = f": {record.message}" if record.message else ""
        raise WorkbenchError(
            f"run '{run_id}' ({record.name or 'unnamed'}) has no {wanted}: it {record.status}"
            f"{reason}"
        )
    return record
