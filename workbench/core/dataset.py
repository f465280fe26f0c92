"""Import a table into a project: read it, store it as Parquet, describe it.

The stored Parquet is what every later step reads (fast, typed, immune to the CSV dialect);
the source's name, sha256 and resolved read options are kept so the import can be reproduced and
the data fingerprinted in every run. This function runs in a child process in the GUI, so it
returns a small description and leaves the project file to its caller.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.core import json_fields
from workbench.core.atomic import atomic_path
from workbench.core.errors import ProjectError, WorkbenchError
from workbench.core.io.options import ReadOptions
from workbench.core.io.table import data_file_sha256, read_table
from workbench.core.kinds import ColumnKind, TaskType, infer_kinds, suggest_target, task_for_column
from workbench.core.parquet_frames import read_frame_parquet, write_frame_parquet
from workbench.core.progress import (
    NEVER_CANCELLED,
    CancelToken,
    ProgressFn,
    no_progress,
    sub_progress,
)
from workbench.core.project_paths import inside_project
from workbench.core.schema import Schema, infer_schema

DATA_DIR = "data"


@dataclass(frozen=True)
class DatasetRef:
    """A project's dataset: where its Parquet is, where it came from, what it holds."""

    name: str
    path: str  # relative to the project root, POSIX separators
    source_name: str
    source_sha256: str
    source_size: int
    read_options: Mapping[str, Any]
    rows: int
    columns: int
    imported_at: str
    data_sha256: str
    schema: Schema
    warnings: tuple[str, ...] = ()

    @property
    def kinds(self) -> dict[str, ColumnKind]:
        return {column.name: column.kind for column in self.schema.columns}

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "source": {
                "file_name": self.source_name,
                "sha256": self.source_sha256,
                "size_bytes": self.source_size,
                "read_options": dict(self.read_options),
            },
            "rows": self.rows,
            "columns": self.columns,
            "imported_at": self.imported_at,
            "data_sha256": self.data_sha256,
            "warnings": list(self.warnings),
            "schema": self.schema.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "dataset") -> DatasetRef:
        """The reference from project.json; a wrong entry is a WorkbenchError naming it."""
        source = json_fields.field(data, "source", dict, path)
        within = f"{path}.source"
        return cls(
            name=json_fields.field(data, "name", str, path),
            path=json_fields.field(data, "path", str, path),
            source_name=json_fields.field(source, "file_name", str, within),
            source_sha256=json_fields.field(source, "sha256", str, within),
            source_size=json_fields.field(source, "size_bytes", int, within),
            read_options=json_fields.field(source, "read_options", dict, within),
            rows=json_fields.field(data, "rows", int, path),
            columns=json_fields.field(data, "columns", int, path),
            imported_at=json_fields.field(data, "imported_at", str, path),
            data_sha256=json_fields.field(data, "data_sha256", str, path),
            schema=Schema.from_dict(
                json_fields.field(data, "schema", dict, path), f"{path}.schema"
            ),
            warnings=tuple(json_fields.text_list(data, "warnings", path, [])),
        )


@dataclass(frozen=True)
class ImportedDataset:
    """What an import produced: the stored dataset and the suggested target and task."""

    dataset: DatasetRef
    target: str | None
    task: TaskType | None
    task_reason: str
    notes: tuple[str, ...] = field(default_factory=tuple)


def import_table(
    project_root: str | Path,
    source: str | Path,
    options: ReadOptions | Mapping[str, Any] | None = None,
    target: str | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ImportedDataset:
    """Read `source`, write it as Parquet under the project's data/ folder, describe it.

    `target` (if given) must be a column of the table; otherwise one is suggested. The project
    file is not touched: the caller attaches the result and saves.
    """
    root = Path(project_root)
    source_path = Path(source)
    read_options = ReadOptions.from_dict(options) if isinstance(options, Mapping) else options
    progress(0.0, f"Reading {source_path.name}")
    table = read_table(source_path, read_options, sub_progress(progress, 0.0, 0.7), cancel)
    frame = table.frame
    if target is not None and target not in frame.columns:
        raise WorkbenchError(
            f"target column '{target}' is not in {source_path.name}; its columns are: "
            f"{', '.join(map(str, frame.columns))}"
        )
    cancel.raise_if_cancelled()
    progress(0.7, "Working out column kinds")
    kinds = infer_kinds(frame)
    schema = infer_schema(frame, kinds)
    suggestion = (
        task_for_column(frame[target], kinds[target]) if target else suggest_target(frame, kinds)
    )
    cancel.raise_if_cancelled()
    progress(0.8, "Fingerprinting the source file")
    source_sha = data_file_sha256(source_path)
    progress(0.85, "Storing the table as Parquet")
    relative = f"{DATA_DIR}/{_safe_stem(source_path)}.parquet"
    destination = root / relative
    with atomic_path(destination) as tmp:
        write_frame_parquet(frame, tmp)
    progress(1.0, f"Imported {len(frame):,} rows x {frame.shape[1]} columns")
    dataset = DatasetRef(
        name=source_path.stem,
        path=relative,
        source_name=source_path.name,
        source_sha256=source_sha,
        source_size=source_path.stat().st_size,
        read_options=table.options.to_dict(),
        rows=int(frame.shape[0]),
        columns=int(frame.shape[1]),
        imported_at=datetime.now(UTC).isoformat(timespec="seconds"),
        data_sha256=data_file_sha256(destination),
        schema=schema,
        warnings=tuple(table.warnings),
    )
    return ImportedDataset(
        dataset=dataset,
        target=suggestion.column if suggestion else None,
        task=suggestion.task if suggestion else None,
        task_reason=suggestion.reason if suggestion else "no column looks like a target",
    )


def dataset_file(project_root: Path, dataset: DatasetRef) -> Path:
    """The stored Parquet's path, refused when project.json's entry leads outside the folder."""
    return inside_project(project_root, dataset.path, "'dataset.path' in project.json")


def load_dataset_frame(
    project_root: Path, dataset: DatasetRef, verify: bool = True
) -> pd.DataFrame:
    """Read the stored Parquet; refuse it if it changed since import (runs must reproduce)."""
    path = dataset_file(project_root, dataset)
    if not path.is_file():
        raise ProjectError(f"the dataset file {path} is missing; import the data again")
    if verify and data_file_sha256(path) != dataset.data_sha256:
        raise ProjectError(
            f"the dataset file {path} was changed outside the workbench (sha256 differs); "
            "import the data again"
        )
    try:
        return read_frame_parquet(path)
    except Exception as error:  # fastparquet raises many types for a damaged file
        raise ProjectError(f"the dataset file {path} is damaged: {error}") from error


def _safe_stem(path: Path) -> str:
    """A file name that is valid on every OS, from the source's name."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", path.stem).strip("._")
    return stem or "dataset"
