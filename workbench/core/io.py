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

import codecs
import contextlib
import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.core import io_detect, io_readers
from workbench.core.errors import DataReadError, WorkbenchError
from workbench.core.io_detect import MIXED_ENCODING
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress

__all__ = [
    "DEFAULT_NA_VALUES",
    "FORMATS",
    "MIXED_ENCODING",
    "SUPPORTED_SUFFIXES",
    "ReadOptions",
    "TablePreview",
    "TableRead",
    "detect_format",
    "detect_options",
    "file_sha256",
    "preview_table",
    "read_table",
    "require_table_file",
]

# Tokens that mean "no value" in files people receive. Deliberately NOT "unknown" or -1: those are
# real values that the profile flags as sentinels, so the analyst decides what they mean.
DEFAULT_NA_VALUES: tuple[str, ...] = (
    "",
    "?",
    "NA",
    "N/A",
    "n/a",
    "NaN",
    "nan",
    "-NaN",
    "-nan",
    "null",
    "NULL",
    "Null",
    "None",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "<NA>",
    "NaT",
    "-",
)

FORMATS: tuple[str, ...] = ("auto", "csv", "excel", "parquet", "json", "jsonl", "sqlite")
BAD_LINES: tuple[str, ...] = ("error", "skip")

SUPPORTED_SUFFIXES: tuple[str, ...] = (
    ".csv",
    ".tsv",
    ".txt",
    ".tab",
    ".xlsx",
    ".xlsm",
    ".xls",
    ".parquet",
    ".pq",
    ".json",
    ".jsonl",
    ".ndjson",
    ".sqlite",
    ".sqlite3",
    ".db",
)

_TRUE_WORDS = frozenset({"true", "yes", "1", "on", "y"})
_FALSE_WORDS = frozenset({"false", "no", "0", "off", "n"})
_NONE_WORDS = frozenset({"none", "auto", "null", ""})
_DELIMITER_WORDS = {
    "\\t": "\t",
    "tab": "\t",
    "comma": ",",
    "semicolon": ";",
    "pipe": "|",
    "space": " ",
}


@dataclass(frozen=True)
class ReadOptions:
    """How to read a table file. None / "auto" means "detect"; anything set is kept as given."""

    format: str = "auto"
    encoding: str | None = None
    delimiter: str | None = None
    header: bool | None = None
    header_row: int | None = None
    decimal: str = "."
    thousands: str | None = None
    quotechar: str = '"'
    na_values: tuple[str, ...] = DEFAULT_NA_VALUES
    sheet: str | None = None
    table: str | None = None
    query: str | None = None
    parse_dates: bool = True
    strip_whitespace: bool = True
    bad_lines: str = "error"

    def __post_init__(self) -> None:
        # Lists from JSON become tuples so the options stay hashable and comparable.
        if not isinstance(self.na_values, tuple):
            object.__setattr__(self, "na_values", tuple(str(v) for v in self.na_values))
        if self.format not in FORMATS:
            raise WorkbenchError(f"unknown format '{self.format}'; known: {', '.join(FORMATS)}")
        if self.bad_lines not in BAD_LINES:
            raise WorkbenchError(
                f"bad_lines must be one of {', '.join(BAD_LINES)}, not '{self.bad_lines}'"
            )
        for name in ("decimal", "quotechar"):
            if len(getattr(self, name)) != 1:
                raise WorkbenchError(f"{name} must be one character, not '{getattr(self, name)}'")
        if self.delimiter is not None and len(self.delimiter) != 1:
            raise WorkbenchError(f"delimiter must be one character, not '{self.delimiter}'")
        if self.thousands is not None and len(self.thousands) != 1:
            raise WorkbenchError(f"thousands must be one character, not '{self.thousands}'")
        if self.thousands is not None and self.thousands == self.decimal:
            raise WorkbenchError("thousands and decimal separators must differ")
        if self.header_row is not None and self.header_row < 0:
            raise WorkbenchError(f"header_row must be 0 or more, not {self.header_row}")
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise WorkbenchError(f"unknown encoding '{self.encoding}'") from None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values; `from_dict` gives back an equal object."""
        data = dataclasses.asdict(self)
        data["na_values"] = list(self.na_values)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReadOptions:
        known = _field_names()
        for key in data:
            if key not in known:
                raise WorkbenchError(
                    f"unknown read option '{key}'; known: {', '.join(sorted(known))}"
                )
        values = dict(data)
        if "na_values" in values:
            values["na_values"] = tuple(str(v) for v in values["na_values"])
        try:
            return cls(**values)
        except TypeError as exc:  # a wrong value type that the constructor cannot take
            raise WorkbenchError(f"invalid read options: {exc}") from None

    def with_overrides(self, overrides: Mapping[str, str]) -> ReadOptions:
        """Apply `key=value` strings from the command line, each parsed to the option's type."""
        known = _field_names()
        changes: dict[str, Any] = {}
        for key, text in overrides.items():
            if key not in known:
                raise WorkbenchError(
                    f"unknown read option '{key}'; known: {', '.join(sorted(known))}"
                )
            changes[key] = _parse_override(key, str(text))
        return dataclasses.replace(self, **changes)


def _field_names() -> set[str]:
    return {f.name for f in dataclasses.fields(ReadOptions)}


def _parse_override(key: str, text: str) -> Any:
    word = text.strip().lower()

    def bad(expected: str) -> WorkbenchError:
        return WorkbenchError(f"read option '{key}' expects {expected}, not '{text}'")

    if key in ("header", "parse_dates", "strip_whitespace"):
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
        if key == "header" and word in _NONE_WORDS:
            return None
        raise bad("true or false" + (" or none" if key == "header" else ""))
    if key == "header_row":
        if word in _NONE_WORDS:
            return None
        try:
            return int(word)
        except ValueError:
            raise bad("a whole number or none") from None
    if key == "na_values":
        return tuple(token.strip() for token in text.split(",")) if text else ()
    if key == "delimiter":
        if word in ("none", "auto"):
            return None
        return _DELIMITER_WORDS.get(word, text)
    if key in ("encoding", "thousands", "sheet", "table", "query"):
        return None if word in ("none", "auto", "") else text
    return text  # format, decimal, quotechar, bad_lines: validated by the constructor


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
    io_detect.require_regular_file(path)


def detect_format(path: Path) -> str:
    """The file's format from its content (magic bytes) and then its suffix."""
    return io_detect.detect_format(Path(path))


def detect_options(path: str | Path, options: ReadOptions | None = None) -> ReadOptions:
    """Resolve everything left as None/"auto"; keep every option the caller set."""
    with contextlib.closing(io_readers.open_reader(Path(path), options or ReadOptions())) as reader:
        return reader.options


def preview_table(
    path: str | Path, options: ReadOptions | None = None, nrows: int = 200
) -> TablePreview:
    """Parse only the first `nrows` rows (Parquet: the first batch; SQLite: LIMIT)."""
    with contextlib.closing(io_readers.open_reader(Path(path), options or ReadOptions())) as reader:
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
    with contextlib.closing(io_readers.open_reader(Path(path), options or ReadOptions())) as reader:
        frame, warnings, resolved = reader.read(progress, cancel)
    progress(1.0, f"read {len(frame):,} rows x {frame.shape[1]} columns")
    return TableRead(
        frame=frame, options=resolved, warnings=tuple(reader.warnings) + tuple(warnings)
    )


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of the file, read in 1 MiB chunks so big files do not fill memory."""
    digest = hashlib.sha256()
    with io_detect.open_binary(Path(path)) as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
