"""How to read a table file: `ReadOptions`, the user's overrides of detection.

A leaf of the io package: the readers, detection and the entry points all take options, and
the project file and the CLI's `-o KEY=VALUE` give them, so nothing here imports a reader.
"""

from __future__ import annotations

import codecs
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workbench.core.errors import WorkbenchError

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
