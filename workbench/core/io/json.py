"""JSON documents (`JsonReader`) and JSON Lines (`JsonLinesReader`).

Both turn JSON records into a frame; they differ in that a document must be parsed whole while
JSON Lines is read line by line, which makes previews and progress cheap on big files.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.core.errors import DataReadError
from workbench.core.io import detect
from workbench.core.io.reader import TIDY_SHARE, Reader
from workbench.core.progress import CancelToken, ProgressFn

if TYPE_CHECKING:
    from workbench.core.io.options import ReadOptions


class JsonReader(Reader):
    """A JSON document: a list of records, a list of rows, or an object of columns.

    JSON has no row boundaries to stop at, so even the preview parses the whole document;
    JSON Lines is the format for big files.
    """

    format = "json"
    priority = 40
    label = "JSON"
    suffixes = (".json",)
    option_names = ("encoding", "na_values", "parse_dates", "strip_whitespace", "dtype")

    def __init__(self, path: Path, options: ReadOptions) -> None:
        super().__init__(path, options)
        sample = detect.read_text_sample(path, options.encoding, 4096)
        self.options = dataclasses.replace(options, encoding=sample.encoding)
        self._frame: pd.DataFrame | None = None

    def _load(self) -> pd.DataFrame:
        if self._frame is None:
            try:
                with self.path.open(encoding=self.options.encoding) as handle:
                    data = json.load(handle)
            except json.JSONDecodeError as exc:
                raise DataReadError(
                    f"{self.path} is not valid JSON (line {exc.lineno}: {exc.msg})"
                ) from None
            except UnicodeDecodeError:
                raise DataReadError(
                    f"{self.path} is not valid {self.options.encoding} text"
                ) from None
            except RecursionError:
                raise DataReadError(_too_deep(str(self.path))) from None
            self._frame = _json_to_frame(data, self.path)
        return self._frame

    def estimated_rows(self) -> int | None:
        return len(self._load())

    def preview(self, nrows: int) -> tuple[pd.DataFrame, list[str]]:
        return self._tidy(self._load().head(nrows).copy())

    def read(
        self, progress: ProgressFn, cancel: CancelToken
    ) -> tuple[pd.DataFrame, list[str], ReadOptions]:
        cancel.raise_if_cancelled()
        frame = self._load()
        progress(1 - TIDY_SHARE, "tidying columns")
        tidy, notes = self._tidy(frame, cancel=cancel)
        return tidy, notes, self.options


def _too_deep(where: str) -> str:
    # json.loads recurses once per level: thousands of nested brackets exhaust Python's stack.
    return (
        f"{where} is JSON nested too deeply to read (about a thousand levels of brackets or more)"
    )


def _json_to_frame(data: Any, path: Path) -> pd.DataFrame:
    if isinstance(data, list):
        if all(isinstance(r, dict) for r in data):
            return pd.DataFrame.from_records(data) if data else pd.DataFrame()
        if all(isinstance(r, list) for r in data):
            width = max((len(r) for r in data), default=0)
            return pd.DataFrame(data, columns=[f"column_{i}" for i in range(width)])
    if isinstance(data, dict):
        if isinstance(data.get("columns"), list) and isinstance(data.get("data"), list):
            return pd.DataFrame(data["data"], columns=data["columns"])  # pandas orient="split"
        values = list(data.values())
        if values and all(isinstance(v, list) for v in values):
            if len({len(v) for v in values}) > 1:
                raise DataReadError(f"{path}: the JSON columns have different lengths")
            return pd.DataFrame(data)
        if values and all(isinstance(v, dict) for v in values):  # pandas orient="columns"
            return pd.DataFrame(data).reset_index(drop=True)
    raise DataReadError(
        f"{path}: JSON is not a table (expected a list of records or an object of columns)"
    )


class JsonLinesReader(Reader):
    """One JSON object per line; read line by line, so previews and progress are cheap."""

    format = "jsonl"
    priority = 50
    label = "JSON lines"
    suffixes = (".jsonl", ".ndjson")
    option_names = ("encoding", "na_values", "parse_dates", "strip_whitespace", "dtype")

    def __init__(self, path: Path, options: ReadOptions) -> None:
        super().__init__(path, options)
        sample = detect.read_text_sample(path, options.encoding)
        self.options = dataclasses.replace(options, encoding=sample.encoding)
        lines = sample.text.count("\n") or 1
        self._estimate = lines if sample.complete else round(lines * sample.size / sample.nbytes)

    def estimated_rows(self) -> int | None:
        return self._estimate

    def _records(
        self, nrows: int | None, progress: ProgressFn | None, cancel: CancelToken | None
    ) -> tuple[list[Any], int]:
        records: list[Any] = []
        skipped = 0
        size = max(self.path.stat().st_size, 1)
        done = 0
        with self.path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                done += len(line)
                if nrows is not None and len(records) >= nrows:
                    break
                if number % 20000 == 0:
                    if cancel is not None:
                        cancel.raise_if_cancelled()
                    if progress is not None:
                        progress(done / size * (1 - TIDY_SHARE), f"read {number:,} lines")
                text = line.decode(self.options.encoding or "utf-8", errors="replace").strip()
                if not text:
                    continue
                try:
                    record = json.loads(text)
                except RecursionError:
                    raise DataReadError(_too_deep(f"{self.path}: line {number}")) from None
                except json.JSONDecodeError as exc:
                    if self.options.bad_lines == "skip":
                        skipped += 1
                        continue
                    raise DataReadError(
                        f"{self.path}: line {number} is not valid JSON ({exc.msg})"
                    ) from None
                if not isinstance(record, dict):
                    raise DataReadError(f"{self.path}: line {number} is not a JSON object")
                records.append(record)
        return records, skipped

    def _frame(
        self, nrows: int | None, progress: ProgressFn | None, cancel: CancelToken | None
    ) -> tuple[pd.DataFrame, list[str]]:
        records, skipped = self._records(nrows, progress, cancel)
        notes = [f"skipped {skipped} lines that are not valid JSON"] if skipped else []
        frame, more = self._tidy(
            pd.DataFrame.from_records(records) if records else pd.DataFrame(), cancel=cancel
        )
        return frame, notes + more

    def preview(self, nrows: int) -> tuple[pd.DataFrame, list[str]]:
        return self._frame(nrows, None, None)

    def read(
        self, progress: ProgressFn, cancel: CancelToken
    ) -> tuple[pd.DataFrame, list[str], ReadOptions]:
        frame, notes = self._frame(None, progress, cancel)
        return frame, notes, self.options
