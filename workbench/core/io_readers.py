"""One reader per file format for `workbench.core.io`, and the tidy step they all share.

A reader is built by `open_reader`, which resolves the options (detection happens once, in the
constructor); `preview` parses the first rows and `read` the whole file with progress and cancel.
Every reader hands its raw frame to `tidy_frame`, so the same options mean the same thing for
every format: names cleaned, NA tokens and surrounding spaces handled, booleans and dates typed.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
import re
import sqlite3
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from workbench.core import io_detect
from workbench.core.errors import DataReadError
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress

if TYPE_CHECKING:
    from workbench.core.io import ReadOptions

_PANDAS_3 = int(pd.__version__.split(".")[0]) >= 3
_TIDY_SHARE = 0.1  # the last tenth of the progress bar is the tidy step


def open_reader(path: Path, options: ReadOptions) -> Reader:
    """The reader for the file's format, with every detectable option resolved."""
    fmt = options.format if options.format != "auto" else io_detect.detect_format(path)
    options = dataclasses.replace(options, format=fmt)
    readers: dict[str, type[Reader]] = {
        "csv": CsvReader,
        "excel": ExcelReader,
        "parquet": ParquetReader,
        "json": JsonReader,
        "jsonl": JsonLinesReader,
        "sqlite": SqliteReader,
    }
    return readers[fmt](path, options)


class Reader:
    """Base: resolved options, detection warnings, and the shared tidy step."""

    sheets: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()

    def __init__(self, path: Path, options: ReadOptions) -> None:
        self.path = path
        self.options = options
        self.warnings: list[str] = []
        io_detect.read_head(path, 1)  # missing, folder, empty: one clear message for every format

    def preview(self, nrows: int) -> tuple[pd.DataFrame, list[str]]:
        raise NotImplementedError

    def read(
        self, progress: ProgressFn, cancel: CancelToken
    ) -> tuple[pd.DataFrame, list[str], ReadOptions]:
        raise NotImplementedError

    def estimated_rows(self) -> int | None:
        return None

    def close(self) -> None:
        """Release the open file or connection (readers with none have nothing to do)."""

    def _tidy(
        self,
        frame: pd.DataFrame,
        *,
        names_done: bool = False,
        na_done: bool = False,
        cancel: CancelToken | None = None,
    ) -> tuple[pd.DataFrame, list[str]]:
        return tidy_frame(
            frame, self.options, names_done=names_done, na_done=na_done, cancel=cancel
        )


# =========================================================================== CSV


class CsvReader(Reader):
    """Delimited text through pandas' C parser: one parse, fed by a progress-reporting stream."""

    def __init__(self, path: Path, options: ReadOptions) -> None:
        super().__init__(path, options)
        self._encoding_given = options.encoding is not None
        sample, records, delimiter = self._sample_until_enough(options)
        o = options
        width = io_detect.modal_width(records)
        start = io_detect.detect_header_index(records, width) if o.header_row is None else None
        if o.header_row is None:
            header_row = records[start - 1].last_line if start else 0
        else:
            header_row = o.header_row
        table = [r for r in records if r.first_line > header_row]
        if not table:
            raise DataReadError(f"{path} has no table: it holds only blank lines")
        decimal, thousands = (o.decimal, o.thousands)
        if o.decimal == "." and o.thousands is None:
            decimal, thousands = io_detect.detect_decimal(table[1:], delimiter)
        header = o.header
        if header is None:
            header = io_detect.looks_like_header(
                table[0].fields,
                [r.fields for r in table[1 : 1 + io_detect.HEADER_BODY_ROWS]],
                o.na_values,
                decimal,
            )
        body = table[1:] if header else table
        width = io_detect.modal_width(body) or len(table[0].fields)
        if header:
            raw_names: list[Any] = _header_fields(sample, table[0], delimiter, o)
            if len(raw_names) == width - 1:  # R write.table: no name over the row names
                raw_names.insert(0, "")
            raw_names += [""] * (width - len(raw_names))
        else:
            raw_names = [f"column_{i}" for i in range(width)]
        self.names, self.warnings = clean_names(raw_names, o.strip_whitespace)
        self.options = dataclasses.replace(
            o,
            encoding=sample.encoding,
            delimiter=delimiter,
            header=header,
            header_row=header_row,
            decimal=decimal,
            thousands=thousands,
        )
        self._sample = sample
        self._body_records = len(body)
        if header and not body and sample.complete:
            self.warnings.append(f"{path.name} has a header but no data rows")

    def _sample_until_enough(
        self, o: ReadOptions
    ) -> tuple[io_detect.TextSample, list[io_detect.Record], str]:
        """Grow the sample until it holds enough records to judge (wide quoted rows are long)."""
        nbytes = io_detect.SAMPLE_BYTES
        while True:
            sample = io_detect.read_text_sample(self.path, o.encoding, nbytes)
            if o.delimiter is None:
                delimiter, records = io_detect.detect_delimiter(sample, o.quotechar)
            else:
                delimiter = o.delimiter
                records = io_detect.parse_records(sample, delimiter, o.quotechar, False)
            enough = len(records) >= io_detect.MIN_SAMPLE_RECORDS
            if enough or sample.complete or nbytes >= io_detect.MAX_SAMPLE_BYTES:
                return sample, records, delimiter
            nbytes *= 4

    def estimated_rows(self) -> int | None:
        if self._sample.complete:
            return self._body_records
        return round(self._body_records * self._sample.size / max(self._sample.nbytes, 1))

    def preview(self, nrows: int) -> tuple[pd.DataFrame, list[str]]:
        frame, notes = self._parse(nrows, None, None)
        tidy, more = self._tidy(frame, names_done=True, na_done=True)
        return tidy, notes + more

    def read(
        self, progress: ProgressFn, cancel: CancelToken
    ) -> tuple[pd.DataFrame, list[str], ReadOptions]:
        watched = progress is not no_progress or cancel is not NEVER_CANCELLED
        frame, notes = self._parse(None, progress if watched else None, cancel if watched else None)
        progress(1 - _TIDY_SHARE, "tidying columns")
        tidy, more = self._tidy(frame, names_done=True, na_done=True, cancel=cancel)
        return tidy, notes + more, self.options

    def _parse(
        self, nrows: int | None, progress: ProgressFn | None, cancel: CancelToken | None
    ) -> tuple[pd.DataFrame, list[str]]:
        try:
            return self._parse_with(self.options.encoding or "utf-8", nrows, progress, cancel), []
        except UnicodeDecodeError:
            if self._encoding_given or not _is_utf8(self.options.encoding):
                raise self._encoding_error() from None
        # The sample was UTF-8 but a later byte is not: the file is a Windows code page.
        bad = io_detect.first_bad_utf8(self.path)
        fallback = "cp1252"
        self.options = dataclasses.replace(self.options, encoding=fallback)
        where = f"line {bad[1]} (byte 0x{bad[2]:02X})" if bad else "a later line"
        note = f"{where} is not valid UTF-8; read the file as {fallback}"
        try:
            return self._parse_with(fallback, nrows, progress, cancel), [note]
        except UnicodeDecodeError:
            self.options = dataclasses.replace(self.options, encoding="latin-1")
            note = f"{where} is not valid UTF-8; read the file as latin-1"
            return self._parse_with("latin-1", nrows, progress, cancel), [note]

    def _encoding_error(self) -> DataReadError:
        bad = io_detect.first_bad_utf8(self.path) if _is_utf8(self.options.encoding) else None
        where = f" (line {bad[1]}, byte 0x{bad[2]:02X})" if bad else ""
        return DataReadError(
            f"{self.path} is not valid {self.options.encoding} text{where}; "
            "set another encoding, e.g. encoding=cp1252"
        )

    def _parse_with(
        self,
        encoding: str,
        nrows: int | None,
        progress: ProgressFn | None,
        cancel: CancelToken | None,
    ) -> pd.DataFrame:
        o = self.options
        kwargs: dict[str, Any] = {
            "sep": o.delimiter,
            "header": 0 if o.header else None,
            "names": self.names,
            "skiprows": o.header_row or None,
            "index_col": False,
            "encoding": encoding,
            "quotechar": o.quotechar,
            "decimal": o.decimal,
            "thousands": o.thousands,
            "na_values": sorted(set(o.na_values) | {""}),
            "keep_default_na": False,
            "skipinitialspace": o.strip_whitespace,
            "on_bad_lines": "warn" if o.bad_lines == "skip" else "error",
            "nrows": nrows,
            "engine": "c",
        }
        frame, caught = self._run_parser(kwargs, encoding, progress, cancel)
        # pandas types big files per chunk; a column whose chunks disagree (numbers in one,
        # words in another) arrives as mixed objects. Re-read just those as text, which is what
        # a whole-file pass would have given, instead of guessing back "1" from 1.0.
        mixed = [
            name
            for name in frame.columns
            if ptypes.is_object_dtype(frame[name].dtype)
            and ptypes.infer_dtype(frame[name], skipna=True) not in ("boolean", "string", "empty")
        ]
        if mixed:
            kwargs["dtype"] = dict.fromkeys(mixed, str)
            frame, caught = self._run_parser(kwargs, encoding, progress, cancel)
        skipped = [
            int(m) for w in caught for m in re.findall(r"Skipping line (\d+)", str(w.message))
        ]
        if skipped:
            first = ", ".join(str(n) for n in skipped[:5]) + (", ..." if len(skipped) > 5 else "")
            noun = "line" if len(skipped) == 1 else "lines"
            self.warnings.append(
                f"skipped {len(skipped)} {noun} with more than {len(self.names)} fields "
                f"(line {first})"
            )
        return frame

    def _run_parser(
        self,
        kwargs: dict[str, Any],
        encoding: str,
        progress: ProgressFn | None,
        cancel: CancelToken | None,
    ) -> tuple[pd.DataFrame, list[warnings.WarningMessage]]:
        """Parse from the path when nobody watches (pandas may then use every core), else through
        a stream that reports bytes and honours cancel."""
        watched = progress is not None or cancel is not None
        try:
            with contextlib.ExitStack() as stack:
                source: Any = self.path
                if watched:
                    raw = _ProgressStream(self.path, self._sample.size, progress, cancel)
                    source = stack.enter_context(io.BufferedReader(raw, buffer_size=1 << 20))
                caught = stack.enter_context(warnings.catch_warnings(record=True))
                warnings.simplefilter("always", pd.errors.ParserWarning)
                warnings.simplefilter("ignore", pd.errors.DtypeWarning)  # handled by the caller
                frame = pd.read_csv(source, **kwargs)
        except pd.errors.ParserError as exc:
            raise self._parser_error(str(exc), encoding) from None
        except pd.errors.EmptyDataError:
            raise DataReadError(f"{self.path} has no rows") from None
        return frame, caught

    def _parser_error(self, message: str, encoding: str) -> DataReadError:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
        if found:
            expected, line, saw = (int(g) for g in found.groups())
            exact = self._first_long_record(expected, encoding)
            if exact:
                line, saw = exact
            return DataReadError(
                f"{self.path}: line {line} has {saw} fields, expected {expected} "
                "(use bad_lines=skip to skip such lines)"
            )
        if "EOF inside string" in message:
            row = re.search(r"row (\d+)", message)
            where = f" starting on row {row.group(1)}" if row else ""
            return DataReadError(f"{self.path}: a quoted field{where} is never closed")
        detail = message.split("C error:")[-1].strip().rstrip(".")
        return DataReadError(f"{self.path} could not be parsed as delimited text: {detail}")

    def _first_long_record(self, expected: int, encoding: str) -> tuple[int, int] | None:
        """Physical line of the first over-long record (pandas counts quoted newlines oddly)."""
        o = self.options
        with self.path.open(encoding=encoding, errors="replace", newline="") as handle:
            for _ in range(o.header_row or 0):
                handle.readline()
            reader = csv.reader(
                handle,
                delimiter=o.delimiter or ",",
                quotechar=o.quotechar,
                skipinitialspace=o.strip_whitespace,
            )
            last = o.header_row or 0
            try:
                for fields in reader:
                    if len(fields) > expected:
                        return last + 1, len(fields)
                    last = (o.header_row or 0) + reader.line_num
            except csv.Error:
                return None
        return None


def _header_fields(
    sample: io_detect.TextSample, record: io_detect.Record, delimiter: str, o: ReadOptions
) -> list[Any]:
    """Header names as the file has them, leading spaces included (the stripped-names warning
    counts them); a quoted name after a space is unquoted the way the data will be read."""
    fields = list(record.fields)
    if not o.strip_whitespace or not any(o.quotechar in f for f in fields):
        return fields
    # Split lines exactly as the csv reader counted them (\n, \r\n or \r).
    lines = io.StringIO(sample.text, newline="").readlines()
    text = "".join(lines[record.first_line - 1 : record.last_line])
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        quotechar=o.quotechar,
        skipinitialspace=True,
    )
    unquoted = next(reader, [])
    if len(unquoted) != len(fields):
        return fields
    return [u if o.quotechar in f else f for f, u in zip(fields, unquoted, strict=True)]


def _is_utf8(encoding: str | None) -> bool:
    return (encoding or "").lower().replace("_", "-") in ("utf-8", "utf-8-sig", "utf8")


class _ProgressStream(io.RawIOBase):
    """A raw file that reports bytes read and stops the parse when cancelled.

    pandas' C parser pulls the file through `readinto` in buffer-sized pieces, so progress is
    real bytes and a cancel lands within one piece, with no chunked re-typing of columns.
    """

    def __init__(
        self, path: Path, size: int, progress: ProgressFn | None, cancel: CancelToken | None
    ) -> None:
        super().__init__()
        self._file = io_detect.open_binary(path)
        self._size = max(size, 1)
        self._done = 0
        self._reported = -1.0
        self._progress = progress
        self._cancel = cancel
        self._name = path.name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._cancel is not None:
            self._cancel.raise_if_cancelled()
        count = self._file.readinto(buffer)
        self._done += count or 0
        if self._progress is not None:
            fraction = min(self._done / self._size, 1.0) * (1 - _TIDY_SHARE)
            if fraction - self._reported >= 0.01:
                self._reported = fraction
                mb = self._done / 1e6
                self._progress(
                    fraction, f"reading {self._name}: {mb:,.1f} of {self._size / 1e6:,.1f} MB"
                )
        return count or 0

    def close(self) -> None:
        self._file.close()
        super().close()


# =========================================================================== Excel


class ExcelReader(Reader):
    """.xlsx through openpyxl (read-only), legacy .xls through xlrd."""

    def __init__(self, path: Path, options: ReadOptions) -> None:
        super().__init__(path, options)
        self._book = self._open()
        try:
            self._resolve(options)
        except BaseException:
            self._book.close()
            raise

    def _resolve(self, options: ReadOptions) -> None:
        path = self.path
        self.sheets = tuple(str(s) for s in self._book.sheet_names)
        if not self.sheets:
            raise DataReadError(f"{path} has no sheets")
        skipped: list[str] = []
        if options.sheet is not None:
            sheet = options.sheet
        else:
            sheet, skipped = self._first_table_sheet()
        if sheet not in self.sheets:
            listed = ", ".join(f"'{s}'" for s in self.sheets)
            raise DataReadError(f"{path} has no sheet '{sheet}'; its sheets are {listed}")
        probe = self._read(sheet, header=None, skiprows=0, nrows=(options.header_row or 0) + 60)
        rows = [[None if _missing(v) else v for v in row] for row in probe.to_numpy().tolist()]
        if not rows:
            raise DataReadError(f"{path}: sheet '{sheet}' is empty")
        header_row = options.header_row
        if header_row is None:
            header_row = io_detect.excel_header_row(rows[:30])
        if header_row >= len(rows):
            raise DataReadError(f"{path}: sheet '{sheet}' has no row {header_row + 1}")
        header = options.header
        if header is None:
            header = io_detect.looks_like_header(
                rows[header_row], rows[header_row + 1 :], options.na_values
            )
        width = probe.shape[1]
        raw: list[Any] = list(rows[header_row]) if header else []
        raw += [f"column_{i}" for i in range(len(raw), width)] if not header else []
        self.names, self.warnings = clean_names(raw, options.strip_whitespace)
        self.options = dataclasses.replace(
            options, sheet=sheet, header=header, header_row=header_row
        )
        if skipped:
            others = ", ".join(f"'{s}'" for s in self.sheets if s != sheet and s not in skipped)
            self.warnings.append(
                f"read sheet '{sheet}': sheet {', '.join(repr(s) for s in skipped)} holds only "
                f"one column of notes" + (f"; other sheets: {others}" if others else "")
            )
        elif width == 1 and len(self.sheets) > 1 and probe.iloc[:, 0].map(_is_text).all():
            others = ", ".join(f"'{s}'" for s in self.sheets if s != sheet)
            self.warnings.append(
                f"sheet '{sheet}' holds one column of text; the file's other sheets: {others}"
            )

    def _first_table_sheet(self) -> tuple[str, list[str]]:
        """The first sheet that holds a table, and the note sheets skipped before it.

        Workbooks often open with a README or cover sheet of notes in one column (statsmodels'
        macrodata.xls); importing that by default would hand the user a table of prose.
        """
        skipped: list[str] = []
        for sheet in self.sheets:
            probe = self._read(sheet, header=None, skiprows=0, nrows=60)
            if probe.shape[1] >= 2:
                return sheet, skipped
            skipped.append(sheet)
        return self.sheets[0], []

    def _open(self) -> pd.ExcelFile:
        try:
            with open(self.path, "rb") as handle:
                legacy = handle.read(8).startswith(b"\xd0\xcf\x11\xe0")
            if legacy:
                import xlrd

                # xlrd prints OLE2 remarks to stdout unless given a log file.
                book = xlrd.open_workbook(str(self.path), logfile=io.StringIO(), on_demand=True)
                with _quiet_excel():
                    return pd.ExcelFile(book, engine="xlrd")
            return pd.ExcelFile(self.path, engine="openpyxl")
        except DataReadError:
            raise
        except Exception:  # zip, XML and OLE errors all mean the same thing to the user
            raise DataReadError(
                f"{self.path} is not a readable Excel file (damaged, or not really Excel)"
            ) from None

    def _read(self, sheet: str, header: int | None, skiprows: int, nrows: int | None) -> Any:
        try:
            with _quiet_excel():
                return pd.read_excel(
                    self._book,
                    sheet_name=sheet,
                    header=header,
                    skiprows=skiprows,
                    nrows=nrows,
                    dtype=object,  # typed here, once, like every format (bool+blank stays bool)
                    na_values=[],
                    keep_default_na=False,
                )
        except Exception:
            raise DataReadError(
                f"{self.path}: sheet '{sheet}' could not be read (the file may be damaged)"
            ) from None

    def _frame(self, nrows: int | None) -> pd.DataFrame:
        o = self.options
        skip = (o.header_row or 0) + (1 if o.header else 0)
        frame = self._read(o.sheet or self.sheets[0], header=None, skiprows=skip, nrows=nrows)
        names = list(self.names)
        if frame.shape[1] > len(names):  # cells further right than the first rows reach
            extra, more_warnings = clean_names(
                [*names, *[""] * (frame.shape[1] - len(names))], False
            )
            names = extra
            self.warnings.extend(w for w in more_warnings if w not in self.warnings)
        frame.columns = names[: frame.shape[1]]
        for name in names[frame.shape[1] :]:
            frame[name] = np.nan
        return frame

    def estimated_rows(self) -> int | None:
        o = self.options
        try:
            book = self._book.book
            if hasattr(book, "sheet_by_name"):
                total = book.sheet_by_name(o.sheet).nrows
            else:
                total = book[o.sheet].max_row
        except Exception:
            return None
        if total is None:
            return None
        return max(total - (o.header_row or 0) - (1 if o.header else 0), 0)

    def preview(self, nrows: int) -> tuple[pd.DataFrame, list[str]]:
        return self._tidy(self._frame(nrows), names_done=True)

    def read(
        self, progress: ProgressFn, cancel: CancelToken
    ) -> tuple[pd.DataFrame, list[str], ReadOptions]:
        cancel.raise_if_cancelled()
        progress(0.1, f"reading sheet '{self.options.sheet}' of {self.path.name}")
        frame = self._frame(None)
        cancel.raise_if_cancelled()
        progress(1 - _TIDY_SHARE, "tidying columns")
        tidy, notes = self._tidy(frame, names_done=True, cancel=cancel)
        return tidy, notes, self.options

    def close(self) -> None:
        self._book.close()


@contextlib.contextmanager
def _quiet_excel() -> Iterator[None]:
    """pandas announces that xlrd is deprecated; the user cannot act on that."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*xlrd.*")
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        yield


def _missing(value: Any) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value))


def _is_text(value: Any) -> bool:
    return _missing(value) or isinstance(value, str)


# =========================================================================== Parquet


class ParquetReader(Reader):
    """Parquet through pyarrow: the preview reads one batch, the read one row group at a time."""

    def __init__(self, path: Path, options: ReadOptions) -> None:
        super().__init__(path, options)
        import pyarrow.parquet as pq

        try:
            self._file = pq.ParquetFile(path)
        except Exception:
            raise DataReadError(
                f"{path} is not a readable Parquet file (damaged, or not really Parquet)"
            ) from None

    def estimated_rows(self) -> int | None:
        return int(self._file.metadata.num_rows)

    def preview(self, nrows: int) -> tuple[pd.DataFrame, list[str]]:
        import pyarrow as pa

        try:
            batch = next(self._file.iter_batches(batch_size=nrows), None)
        except Exception:
            raise self._damaged() from None
        table = pa.Table.from_batches([batch]) if batch else self._file.schema_arrow.empty_table()
        return self._tidy(_arrow_to_pandas(table))

    def read(
        self, progress: ProgressFn, cancel: CancelToken
    ) -> tuple[pd.DataFrame, list[str], ReadOptions]:
        import pyarrow as pa

        groups = self._file.metadata.num_row_groups
        parts = []
        for i in range(groups):
            cancel.raise_if_cancelled()
            try:
                parts.append(self._file.read_row_group(i))
            except Exception:
                raise self._damaged() from None
            progress((i + 1) / groups * (1 - _TIDY_SHARE), f"read row group {i + 1} of {groups}")
        table = pa.concat_tables(parts) if parts else self._file.schema_arrow.empty_table()
        tidy, notes = self._tidy(_arrow_to_pandas(table), cancel=cancel)
        return tidy, notes, self.options

    def close(self) -> None:
        self._file.close()

    def _damaged(self) -> DataReadError:
        return DataReadError(f"{self.path}: Parquet data could not be decoded (damaged file)")


def _arrow_to_pandas(table: Any) -> pd.DataFrame:
    frame = table.to_pandas()
    if not isinstance(frame.index, pd.RangeIndex):  # a pandas-written index is data too
        frame = frame.reset_index()
    return frame


# =========================================================================== JSON


class JsonReader(Reader):
    """A JSON document: a list of records, a list of rows, or an object of columns.

    JSON has no row boundaries to stop at, so even the preview parses the whole document;
    JSON Lines is the format for big files.
    """

    def __init__(self, path: Path, options: ReadOptions) -> None:
        super().__init__(path, options)
        sample = io_detect.read_text_sample(path, options.encoding, 4096)
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
        progress(1 - _TIDY_SHARE, "tidying columns")
        tidy, notes = self._tidy(frame, cancel=cancel)
        return tidy, notes, self.options


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

    def __init__(self, path: Path, options: ReadOptions) -> None:
        super().__init__(path, options)
        sample = io_detect.read_text_sample(path, options.encoding)
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
                        progress(done / size * (1 - _TIDY_SHARE), f"read {number:,} lines")
                text = line.decode(self.options.encoding or "utf-8", errors="replace").strip()
                if not text:
                    continue
                try:
                    record = json.loads(text)
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


# =========================================================================== SQLite


class SqliteReader(Reader):
    """One table or one SELECT from an SQLite file, opened read-only."""

    _FETCH = 50_000

    def __init__(self, path: Path, options: ReadOptions) -> None:
        super().__init__(path, options)
        try:
            self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise DataReadError(f"{path} is not a readable SQLite database ({exc})") from None
        try:
            rows = self._db.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                "AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
            ).fetchall()
        except sqlite3.Error as exc:
            self._db.close()
            raise DataReadError(f"{path} is not a readable SQLite database ({exc})") from None
        self.tables = tuple(r[0] for r in rows)
        try:
            self._choose_table(options)
        except BaseException:
            self._db.close()
            raise

    def _choose_table(self, options: ReadOptions) -> None:
        path = self.path
        listed = ", ".join(f"'{t}'" for t in self.tables)
        if options.query is None:
            if options.table is not None and options.table not in self.tables:
                raise DataReadError(f"{path} has no table '{options.table}'; tables: {listed}")
            if options.table is None:
                if not self.tables:
                    raise DataReadError(f"{path} has no tables")
                if len(self.tables) > 1:
                    raise DataReadError(
                        f"{path} has {len(self.tables)} tables; choose one with table=... "
                        f"or query=...: {listed}"
                    )
                self.options = dataclasses.replace(options, table=self.tables[0])

    @property
    def _sql(self) -> str:
        if self.options.query is not None:
            return self.options.query.strip().rstrip(";")
        name = (self.options.table or "").replace('"', '""')
        return f'SELECT * FROM "{name}"'

    def _execute(self, sql: str) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql)
        except sqlite3.Error as exc:
            what = (
                f"query failed: {exc} (query: {self.options.query})"
                if self.options.query
                else (f"table '{self.options.table}' could not be read: {exc}")
            )
            raise DataReadError(f"{self.path}: {what}") from None

    def estimated_rows(self) -> int | None:
        if self.options.query is not None:
            return None
        return int(self._execute(f"SELECT COUNT(*) FROM ({self._sql})").fetchone()[0])

    def _frame(
        self, sql: str, progress: ProgressFn | None, cancel: CancelToken | None
    ) -> pd.DataFrame:
        cursor = self._execute(sql)
        columns = [d[0] for d in cursor.description or ()]
        total = self.estimated_rows() if progress is not None else None
        rows: list[tuple[Any, ...]] = []
        while True:
            if cancel is not None:
                cancel.raise_if_cancelled()
            try:
                chunk = cursor.fetchmany(self._FETCH)
            except sqlite3.Error as exc:
                raise DataReadError(f"{self.path}: reading rows failed: {exc}") from None
            if not chunk:
                break
            rows.extend(chunk)
            if progress is not None:
                share = len(rows) / total if total else 0.5
                progress(min(share, 1.0) * (1 - _TIDY_SHARE), f"read {len(rows):,} rows")
        # Built once, not per chunk, so each column is typed from all of its values.
        return pd.DataFrame.from_records(rows, columns=columns, coerce_float=True)

    def preview(self, nrows: int) -> tuple[pd.DataFrame, list[str]]:
        return self._tidy(
            self._frame(f"SELECT * FROM ({self._sql}) LIMIT {int(nrows)}", None, None)
        )

    def read(
        self, progress: ProgressFn, cancel: CancelToken
    ) -> tuple[pd.DataFrame, list[str], ReadOptions]:
        frame = self._frame(self._sql, progress, cancel)
        progress(1 - _TIDY_SHARE, "tidying columns")
        tidy, notes = self._tidy(frame, cancel=cancel)
        return tidy, notes, self.options

    def close(self) -> None:
        self._db.close()


# =========================================================================== tidy


def clean_names(raw: Sequence[Any], strip: bool) -> tuple[list[str], list[str]]:
    """Unique, non-blank text names, and a warning for every kind of change made."""
    names: list[str] = []
    stripped = 0
    blank: list[str] = []
    for i, value in enumerate(raw):
        name = "" if _missing(value) else str(value)
        if strip and name != name.strip():
            stripped += 1
            name = name.strip()
        if len(name) >= 2 and name[0] == name[-1] == "'":  # anes96: 'popul'
            name = name[1:-1]
        if not name.strip():
            name = f"column_{i}"
            blank.append(name)
        names.append(name)
    warnings_: list[str] = []
    if stripped:
        noun = "name" if stripped == 1 else "names"
        warnings_.append(f"stripped surrounding spaces from {stripped} column {noun}")
    if blank:
        warnings_.append(f"named {len(blank)} blank column header(s): {', '.join(blank)}")
    seen = set(names)
    counts: dict[str, int] = {}
    renamed: list[str] = []
    for i, name in enumerate(names):
        counts[name] = counts.get(name, 0) + 1
        if counts[name] == 1:
            continue
        n = counts[name]
        while f"{name}_{n}" in seen:
            n += 1
        names[i] = f"{name}_{n}"
        seen.add(names[i])
        renamed.append(f"'{name}' -> '{names[i]}'")
    if renamed:
        warnings_.append(f"renamed {len(renamed)} duplicate column name(s): {', '.join(renamed)}")
    return names, warnings_


def tidy_frame(
    frame: pd.DataFrame,
    options: ReadOptions,
    *,
    names_done: bool = False,
    na_done: bool = False,
    cancel: CancelToken | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Give every format the same result: clean names, NA tokens, stripped text, typed columns.

    `na_done` says the parser already turned exact NA tokens into missing (pandas' C parser),
    so only values that changed by stripping need the NA check again (keeps big CSVs fast).
    """
    notes: list[str] = []
    if not names_done:
        names, notes = clean_names(list(frame.columns), options.strip_whitespace)
        frame = frame.set_axis(names, axis=1)
    na = frozenset(options.na_values) | {""}
    stripped: list[str] = []
    undated: list[str] = []
    tidy = frame.reset_index(drop=True)  # shallow under copy-on-write; assign only what changes
    for position, name in enumerate(frame.columns):
        if cancel is not None:
            cancel.raise_if_cancelled()
        original = tidy.iloc[:, position]
        column, was_stripped, date_problem = _tidy_column(original, options, na, na_done)
        if column is not original:
            tidy.isetitem(position, column)
        if was_stripped:
            stripped.append(str(name))
        if date_problem:
            undated.append(f"column '{name}' looks like dates but {date_problem}; left as text")
    if stripped:
        shown = ", ".join(stripped[:10]) + (", ..." if len(stripped) > 10 else "")
        noun = "column" if len(stripped) == 1 else "columns"
        notes.append(f"stripped surrounding spaces from values in {len(stripped)} {noun}: {shown}")
    return tidy, notes + undated


def _tidy_column(
    s: pd.Series, options: ReadOptions, na: frozenset[str], na_done: bool
) -> tuple[pd.Series, bool, str]:
    """(column, whether values were stripped, why a date-like column stayed text)."""
    retype = False
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(s.cat.categories.dtype)
    if ptypes.is_object_dtype(s.dtype):
        s, retype = _from_objects(s)
        if not _is_text_column(s):
            return s, False, ""
    elif not ptypes.is_string_dtype(s.dtype):
        return s, False, ""
    was_stripped = False
    if options.strip_whitespace:
        if _may_need_strip(s):
            trimmed = s.str.strip()
            if bool(((trimmed != s) & s.notna()).any()):  # NaN != NaN is not a change
                s, was_stripped, retype = trimmed, True, True
        bare = s
    else:
        bare = s.str.strip()
    if not na_done or was_stripped or not options.strip_whitespace:
        is_na = bare.isin(na) & s.notna()
        if is_na.any():
            s = s.mask(is_na)
            retype = True
    if retype:
        typed = _retype_text(s)
        if typed is not None:
            return typed, was_stripped, ""
    if options.parse_dates:
        dated, problem = _parse_dates(s)
        if dated is not None:
            return dated, was_stripped, ""
        return s, was_stripped, problem
    return s, was_stripped, ""


def _may_need_strip(s: pd.Series) -> bool:
    """False when no distinct value has surrounding spaces: categories are checked once each
    instead of stripping every row (the common case, and most of a big file's text cells)."""
    distinct = s.unique()
    if len(distinct) > len(s) // 2:
        return True  # mostly unique text (names, comments): stripping is as cheap as checking
    return any(isinstance(v, str) and v != v.strip() for v in distinct)


def _is_text_column(s: pd.Series) -> bool:
    return ptypes.is_string_dtype(s.dtype) and not ptypes.is_bool_dtype(s.dtype)


def _from_objects(s: pd.Series) -> tuple[pd.Series, bool]:
    """Type an object column (Excel, JSON, SQLite, or CSV booleans with blanks) from its values.

    Returns the column and whether it was mixed (then stripped text may still become numbers).
    """
    kind = ptypes.infer_dtype(s, skipna=True)
    if kind == "boolean":
        return (s.astype("boolean") if s.isna().any() else s.astype(bool)), False
    if kind in ("integer", "floating", "mixed-integer-float", "decimal"):
        return pd.to_numeric(s), False
    if kind == "empty":
        return s.astype("float64"), False
    if kind in ("datetime", "datetime64", "date"):
        try:
            return pd.to_datetime(s), False
        except (ValueError, TypeError):
            pass
    if kind == "string":
        return _as_text(s), False
    return _as_text(s.map(_cell_text)), True


def _cell_text(value: Any) -> Any:
    if _missing(value) or isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _as_text(s: pd.Series) -> pd.Series:
    """The pandas version's default text dtype ('str' in pandas 3, object of str before)."""
    if _PANDAS_3:
        return s.astype("str")
    return s.where(s.notna(), np.nan).astype(object)


_BOOL_WORDS = {"true": True, "false": False}


def _retype_text(s: pd.Series) -> pd.Series | None:
    """Numbers or booleans hidden behind NA tokens or spaces; None if the text is just text."""
    present = s.notna()
    if not present.any():
        return s.astype("float64")
    numbers = pd.to_numeric(s, errors="coerce")
    if numbers.notna().sum() == present.sum():
        return numbers
    words = s.str.lower()
    if words[present].isin(list(_BOOL_WORDS)).all():
        flags = words.map(_BOOL_WORDS)
        return flags.astype("boolean") if not present.all() else flags.astype(bool)
    return None


def _parse_dates(s: pd.Series) -> tuple[pd.Series | None, str]:
    head = s.iloc[:5000].dropna()  # the first non-missing values decide; never scan the column
    present = head if not head.empty else s.dropna()
    if present.empty:
        return None, ""
    sample = [str(v).strip() for v in present.iloc[:200]]
    if not io_detect.looks_like_date(sample[0]) and not io_detect.looks_like_date(sample[-1]):
        return None, ""  # cheap exit for the common case: ordinary text
    codes, uniques = pd.factorize(s)
    unique_text = pd.Series(np.asarray(uniques, dtype=object), dtype=object).str.strip()
    guess = io_detect.guess_dates(sample, unique_text)
    if guess.parsed is None:
        return None, guess.problem
    # take(-1) fills NaT: one vectorised lookup from distinct values back to rows
    return pd.Series(guess.parsed.array.take(codes, allow_fill=True), index=s.index), ""
