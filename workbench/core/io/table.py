"""Read any table file the workbench accepts: detect its format and dialect, preview it fast.

One entry point per need: `detect_options` resolves what the caller left to detection,
`preview_table` parses only the first rows (a 2 GB CSV previews in milliseconds), and
`read_table` reads everything with progress and cancel. The resolved `ReadOptions` are plain JSON
in the project file: re-reading with them gives the same frame, so an import is repeatable.

Every failure is a `DataReadError` whose one-line message names the file and what is wrong.

Type choices, made once for every format:
- integers with missing cells are float64 (NaN), not nullable Int64: scikit-learn, numpy and ONNX
  take float64 + NaN directly, and CSV and Parquet readers produce it natively (no copy);
- True/False columns are bool, or pandas "boolean" when they have missing cells;
- text is the pandas default string dtype; date columns become datetime64 only when every
  non-missing value parses with one unambiguous format.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbench.core.errors import DataReadError
from workbench.core.file_digest import stream_sha256
from workbench.core.io import detect, formats
from workbench.core.io.options import ReadOptions
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress


@dataclass(frozen=True)
class TablePreview:
    """The first rows of a file, parsed exactly as the full read would parse them."""

    frame: pd.DataFrame
    options: ReadOptions
    warnings: tuple[str, ...] = ()
    sheets: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    estimated_rows: int | None = None


@dataclass(frozen=True)
class TableRead:
    """A whole table and the resolved options that reproduce it."""

    frame: pd.DataFrame
    options: ReadOptions
    warnings: tuple[str, ...] = field(default=())


def require_table_file(path: str | Path) -> None:
    """Fail at once, before any slow work, on a path that is missing, a folder, or a named pipe
    or device (whose read would wait forever): a DataReadError naming the path."""
    path = Path(path)
    if not path.exists():
        raise DataReadError(f"file not found: {path}")
    detect.require_regular_file(path)


def detect_format(path: Path) -> str:
    """The file's format from its content (magic bytes) and then its suffix."""
    return formats.detect_format(Path(path))


def detect_options(path: str | Path, options: ReadOptions | None = None) -> ReadOptions:
    """Resolve everything left as None/"auto"; keep every option the caller set."""
    with contextlib.closing(formats.open_reader(Path(path), options or ReadOptions())) as reader:
        return reader.options


def preview_table(
    path: str | Path, options: ReadOptions | None = None, nrows: int = 200
) -> TablePreview:
    """Parse only the first `nrows` rows (Parquet: the first batch; SQLite: LIMIT)."""
    with contextlib.closing(formats.open_reader(Path(path), options or ReadOptions())) as reader:
        frame, warnings = reader.preview(nrows)
        return TablePreview(
            frame=frame,
            options=reader.options,
            warnings=tuple(reader.warnings) + tuple(warnings),
            sheets=reader.sheets,
            tables=reader.tables,
            estimated_rows=reader.estimated_rows(),
        )


def read_table(
    path: str | Path,
    options: ReadOptions | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> TableRead:
    """Read the whole table, reporting progress as bytes / row groups / rows are read."""
    progress(0.0, f"reading {Path(path).name}")
    with contextlib.closing(formats.open_reader(Path(path), options or ReadOptions())) as reader:
        frame, warnings, resolved = reader.read(progress, cancel)
    progress(1.0, f"read {len(frame):,} rows x {frame.shape[1]} columns")
    return TableRead(
        frame=frame, options=resolved, warnings=tuple(reader.warnings) + tuple(warnings)
    )


def read_column(
    path: str | Path, options: ReadOptions | None, column: str, cancel: CancelToken
) -> pd.Series:
    """One column of the whole table as `read_table` would give it, reading no more than the
    format needs (a CSV's other columns are skipped): the true figures behind a preview's."""
    with contextlib.closing(formats.open_reader(Path(path), options or ReadOptions())) as reader:
        return reader.read_column(column, cancel)


def data_file_sha256(path: str | Path) -> str:
    """Hex sha256 of a data file; a missing or unreadable file is a one-line DataReadError."""
    with detect.open_binary(Path(path)) as handle:
        return stream_sha256(handle)[0]
