"""The checks of a run's batches kept in the project: monitor/<run_id>/<time>.json.

Every check is kept (not only the last) so a run's batches can be listed by date and the trend
of their drift seen: did the same column move a little more each week? A file holds the
report (`DriftReport.to_dict()`, the form `workbench monitor --json` prints) with when it was
made and from which file; it is written atomically, so a killed check leaves the earlier files
and no half-written one. The name is the check's UTC time to the millisecond, which sorts by
date; a second check within the same millisecond gets a suffix.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.core import json_fields
from workbench.core.atomic import write_json_atomic
from workbench.core.errors import ProjectError, WorkbenchError
from workbench.core.monitor.report import DriftReport

MONITOR_FOLDER = "monitor"
FORMAT = "workbench-monitor-check"
VERSION = 1
_NAME_STAMP = "%Y%m%d-%H%M%S-%f"


@dataclass(frozen=True)
class StoredCheck:
    """One batch checked against run `report.run_id`: when, which file, and the report.

    `file_sha256` identifies the batch's file; `path` is where the check is kept (None until
    it is saved).
    """

    checked_at: str
    file_name: str
    file_sha256: str
    report: DriftReport
    path: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "checked_at": self.checked_at,
            "file_name": self.file_name,
            "file_sha256": self.file_sha256,
            "report": self.report.to_dict(),
        }

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], path: Path | None = None, where: str = "check"
    ) -> StoredCheck:
        data = json_fields.mapping(data, where)
        json_fields.check_format(data, FORMAT, VERSION, where, "monitor check")
        return cls(
            checked_at=json_fields.field(data, "checked_at", str, where),
            file_name=json_fields.field(data, "file_name", str, where),
            file_sha256=json_fields.field(data, "file_sha256", str, where),
            report=DriftReport.from_dict(
                json_fields.field(data, "report", dict, where), f"{where}.report"
            ),
            path=path,
        )


def checks_folder(project_root: str | Path, run_id: str) -> Path:
    return Path(project_root) / MONITOR_FOLDER / run_id


def now_stamp() -> str:
    """The time a check is made, ISO 8601 in UTC."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def save_check(project_root: str | Path, check: StoredCheck) -> StoredCheck:
    """Keep `check` in the project (atomically); returns it with its path."""
    folder = checks_folder(project_root, check.report.run_id)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stem = datetime.fromisoformat(check.checked_at).strftime(_NAME_STAMP)[:-3]
        path = folder / f"{stem}.json"
        suffix = 1
        while path.exists():
            suffix += 1
            path = folder / f"{stem}-{suffix}.json"
        write_json_atomic(path, check.to_dict())
    except OSError as error:
        raise ProjectError(
            f"cannot keep the check in {folder}: {error.strerror or error}"
        ) from error
    return StoredCheck(check.checked_at, check.file_name, check.file_sha256, check.report, path)


def load_check(path: str | Path) -> StoredCheck:
    """One kept check; a damaged file is a ProjectError naming it."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ProjectError(f"cannot read the monitor check {path}: {error}") from error
    return StoredCheck.from_dict(data, path, path.name)


def list_checks(project_root: str | Path, run_id: str) -> list[StoredCheck]:
    """The run's kept checks, oldest first. A damaged file is left out rather than hiding the
    others."""
    checks = []
    for path in sorted(checks_folder(project_root, run_id).glob("*.json")):
        try:
            checks.append(load_check(path))
        except WorkbenchError:
            continue
    return sorted(checks, key=lambda check: check.checked_at)
