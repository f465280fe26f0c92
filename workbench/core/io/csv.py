"""Delimited text (CSV, TSV, ...): `CsvReader` and the helpers only it needs.

The reader detects encoding, delimiter, header row, decimal mark and header once, then parses
with pandas' C parser; `_ProgressStream` feeds that parser so progress and cancel are real bytes.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from pandas.api import types as ptypes

from workbench.core.errors import DataReadError
from workbench.core.io import detect
from workbench.core.io.column_types import code_columns
from workbench.core.io.reader import TIDY_SHARE, Reader
from workbench.core.io.tidy import clean_names
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress

if TYPE_CHECKING:
    from workbench.core.io.options import ReadOptions


class CsvReader(Reader):
    """Delimited text through pandas' C parser: one parse, fed by a progress-reporting stream."""

    format = "csv"
    priority = 10
    label = "CSV / delimited text"
    suffixes = (".csv", ".tsv", ".txt", ".tab", ".dat")
    option_names = (
        "encoding",
        "delimiter",
        "header",
        "header_row",
        "decimal",
        "thousands",
        "na_values",
        "parse_dates",
        "strip_whitespace",
        "bad_lines",
        "dtype",
    )

    def __init__(self, path: Path, options: ReadOptions) -> None:
        super().__init__(path, options)
        self._encoding_given = options.encoding is not None
        sample, records, delimiter = self._sample_until_enough(options)
        o = options
        width = detect.modal_width(records)
        start = detect.detect_header_index(records, width) if o.header_row is None else None
        if o.header_row is None:
            header_row = records[start - 1].last_line if start else 0
        else:
            header_row = o.header_row
        table = [r for r in records if r.first_line > header_row]
        if not table:
            raise DataReadError(f"{path} has no table: it holds only blank lines")
        decimal, thousands = _number_marks(o, table[1:], delimiter)
        header = o.header
        if header is None:
            header = detect.looks_like_header(
                table[0].fields,
                [r.fields for r in table[1 : 1 + detect.HEADER_BODY_ROWS]],
                o.na_values,
                decimal,
            )
        body = table[1:] if header else table
        width = detect.modal_width(body) or len(table[0].fields)
        self._check_width(max(width, len(table[0].fields)))
        if header:
            raw_names: list[Any] = _header_fields(sample, table[0], delimiter, o)
            if len(raw_names) == width - 1:  # R write.table: no name over the row names
                raw_names.insert(0, "")
            raw_names += [""] * (width - len(raw_names))
        else:
            raw_names = [f"column_{i}" for i in range(width)]
        self.names, self.warnings = clean_names(raw_names, o.strip_whitespace)
        # Read as text what a type was chosen for (tidy converts it) and codes with leading
        # zeros, which the parser would turn into numbers (02134 -> 2134) before tidy sees them.
        chosen = [name for name, _kind in o.dtype]
        codes = code_columns(self.names, (r.fields for r in body), o.na_values)
        self._text_columns = dict.fromkeys([*chosen, *codes], str)
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
        if sample.encoding == detect.MIXED_ENCODING and not self._encoding_given:
            self.warnings.append(self._mixed_note())
        if header and not body and sample.complete:
            self.warnings.append(f"{path.name} has a header but no data rows")

    def _sample_until_enough(
        self, o: ReadOptions
    ) -> tuple[detect.TextSample, list[detect.Record], str]:
        """Grow the sample until it holds enough records to judge (wide quoted rows are long).

        Past MAX_SAMPLE_BYTES two whole records (a header and a row) are enough; a quoted field
        of many megabytes (a document in a cell) grows it further, up to LONG_RECORD_BYTES."""
        nbytes = detect.SAMPLE_BYTES
        while True:
            sample = detect.read_text_sample(self.path, o.encoding, nbytes)
            if o.delimiter is None:
                delimiter, records = detect.detect_delimiter(sample, o.quotechar)
            else:
                delimiter = o.delimiter
                records = detect.parse_records(sample, delimiter, o.quotechar, False)
            enough = len(records) >= detect.MIN_SAMPLE_RECORDS
            if enough or sample.complete:
                return sample, records, delimiter
            if nbytes >= detect.MAX_SAMPLE_BYTES and len(records) >= 2:
                return sample, records, delimiter
            if nbytes >= detect.LONG_RECORD_BYTES:
                raise DataReadError(
                    f"{self.path}: its first {len(records) + 1} rows take more than "
                    f"{detect.LONG_RECORD_BYTES >> 20} MiB (a field that long, or a quote "
                    "that is never closed); the workbench reads fields up to that size"
                )
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
        progress(1 - TIDY_SHARE, "tidying columns")
        tidy, more = self._tidy(frame, names_done=True, na_done=True, cancel=cancel)
        return tidy, notes + more, self.options

    def read_column(self, name: str, cancel: CancelToken) -> pd.Series:
        """The whole column alone: the parser skips the others (a target's true class shares
        on a big file without reading the table)."""
        frame, _notes = self._parse(None, None, cancel, usecols=[name])
        tidy, _more = self._tidy(frame, names_done=True, na_done=True, some_columns=True)
        return tidy[name]

    def _parse(
        self,
        nrows: int | None,
        progress: ProgressFn | None,
        cancel: CancelToken | None,
        usecols: list[str] | None = None,
    ) -> tuple[pd.DataFrame, list[str]]:
        encoding = self.options.encoding or "utf-8"
        try:
            return self._parse_with(encoding, nrows, progress, cancel, usecols), []
        except UnicodeDecodeError:
            if self._encoding_given or not _is_utf8(self.options.encoding):
                raise self._encoding_error() from None
        # The sample was UTF-8 but a later line is not: a Windows code page, in the whole file
        # or only in lines another program appended. Each line is read as what it is.
        self.options = dataclasses.replace(self.options, encoding=detect.MIXED_ENCODING)
        frame = self._parse_with(detect.MIXED_ENCODING, nrows, progress, cancel, usecols)
        return frame, [self._mixed_note()]

    def _mixed_note(self) -> str:
        bad = detect.first_bad_utf8(self.path)
        first = f" (the first: line {bad[1]}, byte 0x{bad[2]:02X})" if bad else ""
        return f"lines that are not valid UTF-8{first} were read as cp1252, the others as UTF-8"

    def _encoding_error(self) -> DataReadError:
        bad = detect.first_bad_utf8(self.path) if _is_utf8(self.options.encoding) else None
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
        usecols: list[str] | None = None,
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
            "dtype": self._text_columns or None,
            "usecols": usecols,
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
            kwargs["dtype"] = {**self._text_columns, **dict.fromkeys(mixed, str)}
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


def _number_marks(
    o: ReadOptions, body: list[detect.Record], delimiter: str
) -> tuple[str, str | None]:
    """(decimal, thousands) to parse with: a mark the user set always holds (a point too); a
    decimal mark left unset is detected, with the thousands mark unless that one was set."""
    if o.decimal is not None:
        return o.decimal, o.thousands or None
    decimal, thousands = detect.detect_decimal(body, delimiter)
    if o.thousands is not None:
        thousands = o.thousands or None
        if decimal == thousands:  # 1.234 grouped by points: the decimal mark is the comma
            decimal = "," if thousands == "." else "."
    return decimal, thousands


def _header_fields(
    sample: detect.TextSample, record: detect.Record, delimiter: str, o: ReadOptions
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
        self._file = detect.open_binary(path)
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
            fraction = min(self._done / self._size, 1.0) * (1 - TIDY_SHARE)
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
