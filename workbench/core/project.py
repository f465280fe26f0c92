"""The project folder: create, open, save (atomically), and migrate old project files.

A project is a self-contained folder (zip it, send it, open it elsewhere):
    project.json         the specs, the dataset reference and settings; schema_version
    data/                the imported dataset as Parquet
    experiments.sqlite   the experiment log (later issues)
    runs/, exports/      artifacts (later issues)
project.json is the only file the GUI edits; it is written with write-temp-then-rename, so a
killed process leaves the previous version or the new one, never a torn file.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from workbench import __version__
from workbench.core.atomic import write_json_atomic
from workbench.core.compute.setting import LOCAL_COMPUTE, ComputeSetting, parse_compute
from workbench.core.dataset import DatasetRef, ImportedDataset, load_dataset_frame
from workbench.core.errors import ProjectError, WorkbenchError
from workbench.core.json_fields import field as json_field
from workbench.core.kinds import ColumnKind, ColumnRole, TaskType, default_role
from workbench.core.project_paths import project_writable
from workbench.core.specs import ChainSpec

_E = TypeVar("_E", bound=Enum)

PROJECT_FILE = "project.json"
# A save's temp file older than this was left by a killed save. A younger one may be a save in
# progress in another process (the window saving while a job or the CLI opens the project):
# removing it made that save fail with "No such file or directory".
STRANDED_TEMP_AGE_S = 600.0
SCHEMA_VERSION = 1
FORMAT_NAME = "ml-workbench-project"

# Sections this version reads; anything else in project.json (written by a later issue's code or a
# newer minor version) is carried through untouched so that saving never drops a user's work.
_KNOWN_KEYS = {
    "format", "schema_version", "name", "created_at", "saved_at", "workbench_version",
    "dataset", "target", "task", "roles", "chain", "compute",
}  # fmt: skip


@dataclass
class Project:
    """The state of one open project; `dirty` says whether it differs from project.json."""

    root: Path
    name: str
    created_at: str
    dataset: DatasetRef | None = None
    target: str | None = None
    task: TaskType | None = None
    roles: dict[str, ColumnRole] = field(default_factory=dict)
    chain: ChainSpec = field(default_factory=ChainSpec)
    # Where training's folds and trials run (core.compute.setting): local unless set.
    compute: ComputeSetting = LOCAL_COMPUTE
    extra: dict[str, Any] = field(default_factory=dict)
    dirty: bool = False
    # This user cannot write the folder: it opens for looking, and nothing that writes is offered.
    read_only: bool = False

    @property
    def file(self) -> Path:
        return self.root / PROJECT_FILE

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.extra)
        data.update(
            {
                "format": FORMAT_NAME,
                "schema_version": SCHEMA_VERSION,
                "name": self.name,
                "created_at": self.created_at,
                "saved_at": _now(),
                "workbench_version": __version__,
                "dataset": self.dataset.to_dict() if self.dataset else None,
                "target": self.target,
                "task": self.task.value if self.task else None,
                "roles": {name: role.value for name, role in self.roles.items()},
                "chain": self.chain.to_dict(),
                "compute": self.compute.text,
            }
        )
        return data

    def save(self) -> None:
        """Write project.json atomically."""
        if self.read_only:
            raise ProjectError(
                f"the project {self.root} is read-only (this user cannot write to its folder); "
                "copy the folder somewhere you can write to change it"
            )
        try:
            write_json_atomic(self.file, self.to_dict())
        except OSError as error:
            raise ProjectError(f"cannot save {self.file}: {error.strerror or error}") from error
        self.dirty = False

    def attach_dataset(self, imported: ImportedDataset) -> None:
        """Make an import the project's dataset; roles start from the column kinds."""
        self.dataset = imported.dataset
        self.roles = {name: default_role(kind) for name, kind in imported.dataset.kinds.items()}
        self.target = None
        self.task = None
        if imported.target is not None:
            self.set_target(imported.target, imported.task)
        self.dirty = True

    def set_compute(self, compute: ComputeSetting) -> None:
        """Where training runs from now on; the project is dirty only when it changed."""
        if compute != self.compute:
            self.compute = compute
            self.dirty = True

    def set_chain(self, chain: ChainSpec) -> None:
        self.chain = chain
        self.dirty = True

    def feature_kinds(self) -> dict[str, ColumnKind]:
        """Kinds of the columns a model may use: not the target, identifiers or ignored ones."""
        if self.dataset is None:
            return {}
        return {
            name: kind
            for name, kind in self.dataset.kinds.items()
            if self.roles.get(name, ColumnRole.FEATURE) == ColumnRole.FEATURE
        }

    def load_frame(self) -> pd.DataFrame:
        if self.dataset is None:
            raise ProjectError(f"project '{self.name}' has no dataset yet; import one first")
        return load_dataset_frame(self.root, self.dataset)

    def set_target(self, column: str | None, task: TaskType | None = None) -> None:
        """Make `column` the target (the previous target becomes a feature again)."""
        if column is not None:
            self._require_column(column)
        if self.target is not None and self.roles.get(self.target) == ColumnRole.TARGET:
            self.roles[self.target] = ColumnRole.FEATURE
        self.target = column
        self.task = task if column is not None else None
        if column is not None:
            self.roles[column] = ColumnRole.TARGET
        self.dirty = True

    def set_role(self, column: str, role: ColumnRole) -> None:
        self._require_column(column)
        if role == ColumnRole.TARGET:
            self.set_target(column, self.task if column == self.target else None)
            return
        if column == self.target:
            self.target = None
            self.task = None
        self.roles[column] = role
        self.dirty = True

    def _require_column(self, column: str) -> None:
        if self.dataset is None or column not in self.dataset.kinds:
            known = ", ".join(self.dataset.kinds) if self.dataset else "none (no dataset)"
            raise ProjectError(f"column '{column}' is not in the dataset; columns: {known}")


def is_project(folder: str | Path) -> bool:
    return (Path(folder) / PROJECT_FILE).is_file()


def create_project(folder: str | Path, name: str | None = None) -> Project:
    """Make a new project in `folder` (created if needed; an existing one must be empty)."""
    root = _new_project_root(folder)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ProjectError(f"cannot create {root}: {error.strerror or error}") from error
    project = Project(root=root, name=name or root.name, created_at=_now())
    project.save()
    return project


def _new_project_root(folder: str | Path) -> Path:
    """`folder` resolved, if a new project may go there: absent, or an empty folder."""
    root = Path(folder).expanduser().resolve()
    if root.exists() and not root.is_dir():
        raise ProjectError(f"cannot create a project at {root}: it is a file")
    if is_project(root):
        raise ProjectError(f"{root} is already a workbench project; open it instead")
    if root.is_dir() and any(root.iterdir()):
        raise ProjectError(f"cannot create a project in {root}: the folder is not empty")
    return root


@contextlib.contextmanager
def creating_project(folder: str | Path, name: str | None = None) -> Iterator[Project]:
    """A new project that appears at `folder` whole, or not at all.

    It is built in a hidden sibling folder (`.NAME.creating-PID`) and renamed into place when
    the block ends without error, so a process killed while importing leaves no half-made
    project in the way of the next attempt; a failed block removes the sibling, and the next
    attempt removes one whose process is gone.
    """
    root = _new_project_root(folder)
    try:
        root.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ProjectError(f"cannot create {root.parent}: {error.strerror or error}") from error
    _remove_abandoned_staging(root)
    staging = root.parent / f"{_staging_prefix(root)}{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    project = create_project(staging, name or root.name)
    try:
        yield project
        project.save()
        _move_into_place(staging, root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    project.root = root


def _staging_prefix(root: Path) -> str:
    return f".{root.name}.creating-"


def _remove_abandoned_staging(root: Path) -> None:
    """Remove staging folders of this project left by a process that was killed."""
    from workbench.core.processes import pid_alive

    prefix = _staging_prefix(root)
    for folder in root.parent.glob(f"{glob.escape(prefix)}*"):
        pid = folder.name[len(prefix) :]
        if pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _move_into_place(staging: Path, root: Path) -> None:
    try:
        if root.is_dir():
            root.rmdir()  # the empty folder the user chose; fails if something appeared in it
        staging.rename(root)
    except OSError as error:
        raise ProjectError(
            f"cannot create the project at {root}: {error.strerror or error}"
        ) from error


def open_project(folder: str | Path) -> Project:
    """Read a project folder; a damaged or foreign one gives a ProjectError saying what is wrong."""
    root = Path(folder).expanduser().resolve()
    if not root.exists():
        raise ProjectError(f"project folder not found: {root}")
    if not root.is_dir():
        raise ProjectError(f"{root} is a file, not a project folder")
    file = root / PROJECT_FILE
    if not file.is_file():
        raise ProjectError(f"{root} is not a workbench project (it has no {PROJECT_FILE})")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ProjectError(
            f"{file} is damaged: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from error
    except RecursionError:
        raise ProjectError(f"{file} is damaged: its JSON is nested too deeply") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ProjectError(f"cannot read {file}: {error}") from error
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise ProjectError(f"{file} is not a workbench project file")
    data = migrate(data, file)
    writable = project_writable(root)
    if writable:
        _remove_stranded_temp_files(root)
    try:
        project = _project_from_dict(root, data)
    except WorkbenchError as error:
        raise ProjectError(f"{file} is damaged: {error}") from None
    project.read_only = not writable
    return project


def _remove_stranded_temp_files(root: Path) -> None:
    """A save killed between writing its temp file and renaming it leaves the temp file behind;
    only temp files older than STRANDED_TEMP_AGE_S are taken for stranded ones."""
    now = time.time()
    for candidate in root.glob(f".{PROJECT_FILE}.*.tmp"):
        try:
            age = now - candidate.stat().st_mtime
        except OSError:  # renamed or removed by its own save meanwhile
            continue
        if age > STRANDED_TEMP_AGE_S:
            candidate.unlink(missing_ok=True)


def _project_from_dict(root: Path, data: Mapping[str, Any]) -> Project:
    """The project described by `data`, every entry checked for its type first (a hand-edited
    file must give a message naming the entry, not an AttributeError from deep inside)."""
    dataset_data = json_field(data, "dataset", (dict, type(None)), default=None)
    task = json_field(data, "task", (str, type(None)), default=None)
    roles_data = json_field(data, "roles", dict, default={})
    roles = {
        column: _enum_value(
            ColumnRole, json_field(roles_data, column, str, "roles"), f"roles.{column}"
        )
        for column in roles_data
    }
    chain = json_field(data, "chain", (dict, type(None)), default=None)
    compute = json_field(data, "compute", str, default=LOCAL_COMPUTE.text)
    return Project(
        root=root,
        name=json_field(data, "name", str),
        created_at=json_field(data, "created_at", str),
        dataset=DatasetRef.from_dict(dataset_data) if dataset_data else None,
        target=json_field(data, "target", (str, type(None)), default=None),
        task=_enum_value(TaskType, task, "task") if task else None,
        roles=roles,
        chain=ChainSpec.from_dict(chain, "chain"),
        compute=parse_compute(compute),
        extra={key: value for key, value in data.items() if key not in _KNOWN_KEYS},
    )


def _enum_value(kind: type[_E], value: str, where: str) -> _E:
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise WorkbenchError(f"'{where}' should be one of {known}, not {value!r}") from None


# One function per schema version step: MIGRATIONS[n] turns a version-n file into version n+1.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def migrate(data: dict[str, Any], file: Path) -> dict[str, Any]:
    """Bring an older project file up to SCHEMA_VERSION; refuse a newer one rather than guess."""
    version = data.get("schema_version")
    if not isinstance(version, int) or version < 1:
        raise ProjectError(f"{file} has no valid schema_version")
    if version > SCHEMA_VERSION:
        raise ProjectError(
            f"{file} was written by a newer workbench (project format {version}; this version "
            f"reads up to {SCHEMA_VERSION}); update the workbench to open it"
        )
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
        data["schema_version"] = version
    return data


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
