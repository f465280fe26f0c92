"""Sniffing for `workbench.core.io.table`: file format, text encoding, CSV dialect, header, dates.

Everything here looks at a small sample (64 KiB, grown only when it holds too few records), never
the whole file, so detection stays instant on multi-gigabyte files. Private to the io package.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import stat
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from workbench.core.errors import DataReadError

SAMPLE_BYTES = 64 * 1024
MAX_SAMPLE_BYTES = 4 * 1024 * 1024
# The sample grows past MAX_SAMPLE_BYTES until it holds a header and one whole row, up to this.
LONG_RECORD_BYTES = 256 * 1024 * 1024
MIN_SAMPLE_RECORDS = 40
# The widest table read: a profile, a schema and a chain cost time per column, and at this width
# an import and a profile take under a minute; 200,000 columns took minutes and gigabytes.
MAX_COLUMNS = 50_000
HEADER_BODY_ROWS = 60  # rows under the header used to judge "is the first row a header?"

_DELIMITERS = ("\t", ";", "|", ",")  # tie-break order: rarer characters are more deliberate
# Control bytes that never occur in text tables (tab, newlines, form feed excluded).
_CONTROL_BYTES = bytes([*range(9), *range(14, 32), 127])

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # long quoted text (job descriptions) is data

# A file whose lines were written by different programs: UTF-8 where a line decodes as UTF-8,
# Windows-1252 from the first byte that does not to the end of that line (a table appended to
# by a Windows tool). Registered as a codec so pandas, open() and ReadOptions take its name.
MIXED_ENCODING = "utf-8-or-cp1252"
_MIXED_ERRORS = "workbench-cp1252-lines"
_LINE_END = re.compile(rb"[\r\n]")
# The five bytes cp1252 leaves undefined are read as latin-1 does (the same code point).
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


# --------------------------------------------------------------------------- files


def open_binary(path: Path) -> IO[bytes]:
    """Open for reading, turning every OS refusal into a one-line DataReadError."""
    require_regular_file(path)
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise DataReadError(f"file not found: {path}") from None
    except IsADirectoryError:
        raise DataReadError(f"{path} is a folder, not a table file") from None
    except NotADirectoryError:
        raise DataReadError(
            f"cannot read {path}: a part of the path is a file, not a folder"
        ) from None
    except PermissionError:
        raise DataReadError(f"cannot read {path}: permission denied") from None
    except OSError as exc:
        raise DataReadError(f"cannot read {path}: {exc.strerror or exc}") from None


def require_regular_file(path: Path) -> None:
    """Refuse what is not a plain file before opening it: a folder, and a named pipe, socket or
    device, whose open() or read() would wait forever for a writer."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # open_binary turns the same failure into its one-line message
    if stat.S_ISDIR(mode):
        raise DataReadError(f"{path} is a folder, not a table file")
    if not stat.S_ISREG(mode):
        kind = "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device or socket"
        raise DataReadError(f"{path} is {kind}, not a table file; save the table to a file first")


def read_head(path: Path, nbytes: int) -> tuple[bytes, int]:
    """The first `nbytes` bytes and the file size; refuses folders, pipes and empty files."""
    with open_binary(path) as handle:
        head = handle.read(nbytes)
        size = handle.seek(0, io.SEEK_END)
    if size == 0:
        raise DataReadError(f"{path} is empty (0 bytes)")
    return head, size


def looks_binary(head: bytes) -> bool:
    """NUL bytes or many control characters: not text in any encoding we read."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    chunk = head[:8192]
    if b"\x00" in chunk:
        return True
    controls = len(chunk) - len(chunk.translate(None, _CONTROL_BYTES))
    return controls > max(2, len(chunk) // 100)


def detect_format(path: Path, suffixes: Mapping[str, str]) -> str:
    """Magic bytes first (a renamed file still reads), then the suffix (`suffixes`: suffix ->
    format, as the readers declare them), then a text sniff."""
    head, _size = read_head(path, 8192)
    suffix = path.suffix.lower()
    if head.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: legacy .xls
        return "excel"
    if head.startswith(b"PK\x03\x04"):
        if suffix in (".xlsx", ".xlsm") or b"xl/" in head:
            return "excel"
        raise DataReadError(f"{path} is a zip archive, not a table file (unzip it first)")
    known = suffixes.get(suffix)
    if known in ("json", "jsonl") or (known is None and not looks_binary(head)):
        sniffed = _sniff_json(head)
        if sniffed:
            return sniffed
    if known:
        return known
    if looks_binary(head):
        raise DataReadError(
            f"{path}: unknown file type '{suffix or '(no suffix)'}' and the content is not a "
            "table format the workbench reads"
        )
    return "csv"


def _sniff_json(head: bytes) -> str | None:
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith("["):
        return "json"
    if not text.startswith("{"):
        return None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # JSON Lines: the first line is a whole object and the next one starts another.
    if len(lines) >= 2 and lines[0].endswith("}") and lines[1].startswith("{"):
        return "jsonl"
    return "json"


# --------------------------------------------------------------------------- text sample


@dataclass(frozen=True)
class TextSample:
    """The start of a text file, decoded and cut at a line end."""

    text: str
    encoding: str
    complete: bool  # the sample is the whole file
    nbytes: int  # bytes of the file the text covers
    size: int  # file size in bytes


def read_text_sample(path: Path, encoding: str | None, nbytes: int = SAMPLE_BYTES) -> TextSample:
    raw, size = read_head(path, nbytes)
    if looks_binary(raw):
        raise DataReadError(f"{path} does not look like a text table (binary content)")
    complete = len(raw) >= size
    if not complete:
        raw = raw[: raw.rfind(b"\n") + 1] or raw  # never decode half a line
    chosen = encoding or detect_encoding(raw, complete)
    text = codecs.getincrementaldecoder(chosen)(errors="replace").decode(raw, final=complete)
    return TextSample(text=text, encoding=chosen, complete=complete, nbytes=len(raw), size=size)


def detect_encoding(raw: bytes, complete: bool) -> str:
    """UTF-8 (with or without BOM) or UTF-16 by BOM; otherwise the Western Windows code page,
    or both line by line (MIXED_ENCODING) when some lines are UTF-8 and others are not.

    charset-normalizer is not used: on short samples it guesses exotic code pages, while the
    non-UTF-8 files analysts receive are overwhelmingly cp1252/latin-1. Users can override.
    """
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(raw, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if has_utf8_lines(raw):  # "Köln" in UTF-8 on one line and in cp1252 on another
        return MIXED_ENCODING
    try:
        raw.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:  # cp1252 leaves five bytes undefined; latin-1 maps them all
        return "latin-1"


def first_bad_utf8(path: Path) -> tuple[int, int, int] | None:
    """(offset, line, byte) of the first byte that is not UTF-8, for an honest warning."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    lines = 1
    with open_binary(path) as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                # exc.start counts from the undecoded tail carried over plus this chunk
                carried = len(exc.object) - len(chunk)
                pos = max(exc.start - carried, 0)
                bad = offset + pos
                return bad, lines + chunk[:pos].count(b"\n"), chunk[pos]
            offset += len(chunk)
            lines += chunk.count(b"\n")
    return None


def _cp1252(raw: bytes) -> str:
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        pass
    return "".join(
        chr(byte) if byte in _CP1252_UNDEFINED else bytes((byte,)).decode("cp1252") for byte in raw
    )


def _rest_of_line_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    """Decoding error handler: from the byte that is not UTF-8 to the line's end is cp1252."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    data = bytes(error.object)
    found = _LINE_END.search(data, error.start)
    end = found.start() if found else len(data)
    return _cp1252(data[error.start : end]), end


def _mixed_decode(data: bytes, errors: str = "strict") -> tuple[str, int]:
    return codecs.utf_8_decode(data, _MIXED_ERRORS, True)


class _MixedIncrementalDecoder(codecs.BufferedIncrementalDecoder):
    def _buffer_decode(self, data: Any, errors: str, final: bool) -> tuple[str, int]:
        return codecs.utf_8_decode(data, _MIXED_ERRORS, final)


class _MixedStreamReader(codecs.StreamReader):
    def decode(self, data: Any, errors: str = "strict") -> tuple[str, int]:
        return codecs.utf_8_decode(data, _MIXED_ERRORS, False)


def _find_mixed_codec(name: str) -> codecs.CodecInfo | None:
    if name != MIXED_ENCODING.replace("-", "_"):  # codecs.lookup normalises names this way
        return None
    return codecs.CodecInfo(
        name=MIXED_ENCODING,
        encode=codecs.utf_8_encode,
        decode=_mixed_decode,
        incrementalencoder=codecs.getincrementalencoder("utf-8"),
        incrementaldecoder=_MixedIncrementalDecoder,
        streamreader=_MixedStreamReader,
        streamwriter=codecs.getwriter("utf-8"),
    )


codecs.register_error(_MIXED_ERRORS, _rest_of_line_as_cp1252)
codecs.register(_find_mixed_codec)


def has_utf8_lines(raw: bytes) -> bool:
    """Does any line with non-ASCII bytes decode as UTF-8? In a file that is not UTF-8 as a
    whole, that means lines from two encodings (read it as MIXED_ENCODING)."""
    for line in raw.splitlines():
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        return True
    return False


# --------------------------------------------------------------------------- CSV dialect


@dataclass(frozen=True)
class Record:
    """One parsed CSV record and the physical lines it spans (1-based)."""

    first_line: int
    last_line: int
    fields: list[str]


def parse_records(
    sample: TextSample, delimiter: str, quotechar: str, skipinitialspace: bool
) -> list[Record]:
    """Records of the sample; drops a trailing record a cut sample may have split."""
    reader = csv.reader(
        io.StringIO(sample.text, newline=""),
        delimiter=delimiter,
        quotechar=quotechar,
        skipinitialspace=skipinitialspace,
        strict=False,
    )
    records: list[Record] = []
    last = 0
    try:
        for fields in reader:
            if fields:  # blank lines are skipped by the reader too
                records.append(Record(last + 1, reader.line_num, fields))
            last = reader.line_num
    except csv.Error:
        pass  # a malformed tail: judge from what parsed
    if not sample.complete and records:
        records.pop()
    return records


def detect_delimiter(sample: TextSample, quotechar: str) -> tuple[str, list[Record]]:
    """The delimiter that splits the sample's records into the most consistent field count,
    and the records as split by it (parsed keeping spaces after delimiters).

    csv.Sniffer guesses from character frequencies and misfires on quoted text; here every
    candidate is tried with quotes respected and judged by how many records share one width.
    """
    scored: list[tuple[float, int, int, str]] = []
    parsed: dict[str, list[Record]] = {}
    for rank, delimiter in enumerate(_DELIMITERS):
        if delimiter not in sample.text:
            continue
        parsed[delimiter] = parse_records(sample, delimiter, quotechar, False)
        counts = Counter(len(r.fields) for r in parsed[delimiter])
        if not counts:
            continue
        width, hits = counts.most_common(1)[0]
        if width < 2:
            continue
        scored.append((hits / sum(counts.values()), width, -rank, delimiter))
    if not scored:  # one column: the comma reads it like any other
        return ",", parsed.get(",") or parse_records(sample, ",", quotechar, False)
    best_share = max(s[0] for s in scored)
    # Near-ties go to the wider split: a text column with an odd ';' must not win over ','.
    close = [s for s in scored if s[0] >= best_share - 0.05]
    chosen = max(close, key=lambda s: (s[1], s[2]))[3]
    return chosen, parsed[chosen]


def modal_width(records: Sequence[Record]) -> int:
    counts = Counter(len(r.fields) for r in records)
    return counts.most_common(1)[0][0] if counts else 0


def detect_header_index(records: Sequence[Record], width: int) -> int:
    """Index of the first record of the table proper: title and notes lines above a table are
    narrower than it. A ragged row further down must not move the header, so the first wide
    enough record wins (width - 1 allows R's header without a name over the row names)."""
    if width < 2:
        return 0
    for i, rec in enumerate(records):
        if len(rec.fields) >= max(2, width - 1):
            return i
    return 0


def _decimal_pattern(decimal: str) -> re.Pattern[str]:
    d = re.escape(decimal)
    return re.compile(rf"^[+-]?(\d+({d}\d*)?|{d}\d+)([eE][+-]?\d+)?$")


_DATE_SHAPE = re.compile(
    r"^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?"
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}( \d{1,2}:\d{2}(:\d{2})?)?"
    r"|\d{1,2}[- ][A-Za-z]{3,9}\.?[- ,]+\d{2,4}"
    r"|[A-Za-z]{3,9}\.? \d{1,2},? \d{4})$"
)


def looks_like_date(text: str) -> bool:
    """Shaped like a date people write (2007-11-11, 07-Jan-18, April 2, 2018, 1/2/2018)."""
    return bool(_DATE_SHAPE.match(text))


def _kind(value: Any, na: frozenset[str], number: re.Pattern[str]) -> str:
    """'missing', 'number', 'date', 'bool' or 'text' for a raw cell (string or typed)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return "missing"
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, int | float | np.number):
        return "number"
    if isinstance(value, pd.Timestamp) or hasattr(value, "isoformat"):
        return "date"
    text = str(value).strip()
    if text in na:
        return "missing"
    if number.match(text):
        return "number"
    if text.lower() in ("true", "false"):
        return "bool"
    if _DATE_SHAPE.match(text):
        return "date"
    return "text"


def looks_like_header(
    first: Sequence[Any], body: Sequence[Sequence[Any]], na: Iterable[str], decimal: str = "."
) -> bool:
    """Is the first row names rather than data?

    A word over a column of numbers, dates or booleans is a name: one such column decides
    (seaice has years as names, so number-over-number columns cannot veto). With no such
    column, a first-row value that recurs in its column marks data (adult: 'State-gov');
    an all-text table whose first row never recurs is taken to have names (mushrooms).
    """
    na_set = frozenset(na) | {""}
    number = _decimal_pattern(decimal)
    header_votes = 0
    data_votes = 0
    for j, name in enumerate(first):
        column = [row[j] for row in body if j < len(row)]
        kinds = Counter(_kind(v, na_set, number) for v in column)
        kinds.pop("missing", None)
        head = _kind(name, na_set, number)
        if head == "missing" or not kinds:
            continue
        body_kind, hits = kinds.most_common(1)[0]
        typed_body = body_kind != "text" and hits >= 0.9 * sum(kinds.values())
        if typed_body and head == "text":
            header_votes += 1
        else:
            same_kind = typed_body and head == body_kind
            recurs = head == "text" and str(name).strip() in {str(v).strip() for v in column}
            data_votes += same_kind or recurs
    if header_votes:
        return True
    return data_votes == 0


def detect_decimal(records: Sequence[Record], delimiter: str) -> tuple[str, str | None]:
    """('.', None) or (',', '.'|None): European numbers only where ',' cannot be the delimiter."""
    if delimiter == ",":
        return ".", None
    comma_decimal = re.compile(r"^[+-]?\d+,\d+$")
    euro_thousands = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
    dot_decimal = re.compile(r"^[+-]?\d*\.(\d{1,2}|\d{4,})$")  # 3 digits could be thousands
    euro = thousands = dot = 0
    for rec in records[:HEADER_BODY_ROWS]:
        for value in rec.fields:
            text = value.strip()
            if comma_decimal.match(text):
                euro += 1
            elif euro_thousands.match(text):
                thousands += 1
            elif dot_decimal.match(text):
                dot += 1
    if euro and not dot:
        return ",", "." if thousands else None
    return ".", None


# --------------------------------------------------------------------------- Excel


def excel_header_row(rows: Sequence[Sequence[Any]]) -> int:
    """Rows above the header: skip title/notes rows that fill fewer than half the table width."""
    widths = [sum(1 for v in row if not _is_blank(v)) for row in rows]
    width = max(widths, default=0)
    for i, filled in enumerate(widths):
        if filled and filled >= max(1, (width + 1) // 2):
            return i
    return 0


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


# --------------------------------------------------------------------------- dates

_NEUTRAL_FORMATS = (
    "ISO8601",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%d.%m.%Y %H:%M",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%B %d %Y",
)
_DAY_FIRST = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S")
_MONTH_FIRST = ("%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S")


@dataclass(frozen=True)
class DateGuess:
    """Outcome of date detection on one text column's distinct values."""

    parsed: pd.Series | None  # datetimes aligned with the distinct values, when it worked
    problem: str = ""  # why a date-looking column was left as text ("" = not dates at all)


def guess_dates(sample: Sequence[str], uniques: pd.Series) -> DateGuess:
    """Parse a text column's distinct values as dates when every one parses unambiguously.

    Formats are explicit (never pandas' inference), so no "could not infer format" warnings and
    no silent day/month swaps: a column readable both as day/month and month/day stays text.
    """
    shaped = [v for v in sample if _DATE_SHAPE.match(v)]
    if not sample or len(shaped) < 0.8 * len(sample):
        return DateGuess(None)
    probe = pd.Series(shaped[:200], dtype=object)
    candidates = [f for f in (*_NEUTRAL_FORMATS, *_DAY_FIRST, *_MONTH_FIRST) if _parses(probe, f)]
    if not candidates:
        return DateGuess(None)
    results = {f: _to_datetime(uniques, f) for f in candidates}
    outcomes = []
    for convention in (_DAY_FIRST, _MONTH_FIRST):
        formats = [f for f in candidates if f in _NEUTRAL_FORMATS or f in convention]
        outcomes.append(_combine([results[f] for f in formats]))
    (day, day_clash), (month, month_clash) = outcomes
    day_ok = day is not None and day.notna().all() and not day_clash
    month_ok = month is not None and month.notna().all() and not month_clash
    if day_ok and month_ok and not day.equals(month):
        return DateGuess(None, "could be read as day/month or as month/day")
    if day_ok or month_ok:
        return DateGuess(day if day_ok else month)
    best = max((o for o, _ in outcomes if o is not None), key=lambda o: o.notna().sum())
    failed = uniques[best.isna().to_numpy()]
    if len(failed) > 0.2 * len(uniques):
        return DateGuess(None)  # mostly not dates: just text that happens to contain some
    examples = ", ".join(f"'{v}'" for v in failed[:3])
    noun = "value does" if len(failed) == 1 else "values do"
    return DateGuess(None, f"{len(failed)} {noun} not parse as a date ({examples})")


def _parses(probe: pd.Series, fmt: str) -> bool:
    parsed = _to_datetime(probe, fmt)
    return parsed is not None and bool(parsed.notna().any())


def _to_datetime(values: pd.Series, fmt: str) -> pd.Series | None:
    try:
        parsed = pd.to_datetime(values, format=fmt, errors="coerce")
    except (ValueError, TypeError, OverflowError):  # mixed time zones and the like
        return None
    return pd.Series(parsed.array, index=values.index).dt.as_unit("us")


def _combine(results: list[pd.Series | None]) -> tuple[pd.Series | None, bool]:
    """First parse per value across formats, and whether two formats disagree on a value."""
    usable = [r for r in results if r is not None]
    if not usable:
        return None, False
    if len({str(r.dtype) for r in usable}) > 1:  # naive and tz-aware mixed: not one column
        return None, False
    combined = usable[0].copy()
    clash = False
    for other in usable[1:]:
        both = combined.notna() & other.notna()
        if (combined[both] != other[both]).any():
            clash = True
        combined = combined.fillna(other) if combined.isna().any() else combined
    return combined, clash
