"""How to read a table file: `ReadOptions`, the user's overrides of detection, each option
declared on its field (how the command line parses it, how the Import dialog edits it).

The readers, detection and the entry points all take options, and the project file and the
CLI's `-o KEY=VALUE` give them. The formats an option may name are the registered readers'
(formats.file_formats); no reader imports this module at run time.
"""

from __future__ import annotations

import codecs
import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from workbench.core.errors import WorkbenchError
from workbench.core.io.column_types import column_type_pairs, parse_column_types
from workbench.core.io.detect import MIXED_ENCODING
from workbench.core.io.formats import file_formats

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

BAD_LINES: tuple[str, ...] = ("error", "skip")

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


_MARK_WORDS = {"comma": ",", "point": ".", "dot": ".", "space": " ", "none": ""}


# How `-o KEY=VALUE` text becomes the option's value (see `_parse_override`).
ParseKind = Literal[
    "flag",
    "flag_or_auto",
    "count_or_auto",
    "tokens",
    "delimiter",
    "mark",
    "column_types",
    "text_or_auto",
    "text",
]
# How the Import dialog edits it; None: the command line only.
WidgetKind = Literal[
    "format",
    "encoding",
    "delimiter",
    "choice",
    "check",
    "count",
    "tokens",
    "column_types",
    "text",
    "source",
]


@dataclass(frozen=True)
class ReadOption:
    """One read option, declared on its ReadOptions field (`read_option`).

    `parse` says how the command line's text becomes its value, `widget` how the Import
    dialog edits it, `label` the form's caption (with its mnemonic; a check box's text),
    `help` its tooltip, `choices` the (value, label) pairs of a choice, `values` what a check
    box means unticked and ticked, `source` the preview's list that fills a picker ("sheets",
    "tables"), `placeholder` an empty field's hint, `cli` how the command line's values are
    written. The formats that use it are declared by the readers (`Reader.options`).
    """

    name: str
    parse: ParseKind
    widget: WidgetKind | None = None
    label: str = ""
    help: str = ""
    choices: tuple[tuple[Any, str], ...] = ()
    values: tuple[Any, Any] = (False, True)
    source: str = ""
    placeholder: str = ""
    cli: str = ""


def read_option(default: Any, parse: ParseKind, **declaration: Any) -> Any:
    """A ReadOptions field with its declaration (see ReadOption)."""
    factory = {"default_factory": default} if callable(default) else {"default": default}
    return field(**factory, metadata={_DECLARATION: (parse, declaration)})


def declared_options(options: type[ReadOptions] | None = None) -> dict[str, ReadOption]:
    """Every option of `options` (ReadOptions by default) with its declaration, in field order."""
    declared = {}
    for item in fields(options or ReadOptions):
        parse, declaration = item.metadata[_DECLARATION]
        declared[item.name] = ReadOption(item.name, parse, **declaration)
    return declared


_DECLARATION = "workbench.read_option"
ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-sig", "cp1252", "latin-1", MIXED_ENCODING)
OTHER = "other"  # the delimiter choice that takes a typed character
DELIMITER_CHOICES: tuple[tuple[str, str], ...] = (
    (",", "comma  ,"),
    (";", "semicolon  ;"),
    ("\t", "tab"),
    ("|", "pipe  |"),
    (" ", "space"),
    (OTHER, "other…"),
)
DECIMAL_CHOICES: tuple[tuple[str, str], ...] = ((".", "point  ."), (",", "comma  ,"))
NO_THOUSANDS = ""  # the thousands mark "none", set on purpose (None: left to detection)
THOUSANDS_CHOICES: tuple[tuple[str, str], ...] = (
    (NO_THOUSANDS, "none"),
    (",", "comma  ,"),
    (".", "point  ."),
    (" ", "space"),
)


@dataclass(frozen=True)
class ReadOptions:
    """How to read a table file. None / "auto" means "detect"; anything set is kept as given.

    Each field declares itself (`read_option`): the command line's `-o KEY=VALUE` parser and
    the Import dialog's form are built from these declarations, so a new option is one field.
    """

    format: str = read_option(
        "auto",
        "text",
        widget="format",
        label="F&ormat:",
        help="The kind of file; detected from its content and name.",
    )
    encoding: str | None = read_option(
        None,
        "text_or_auto",
        widget="encoding",
        label="&Encoding:",
        help="How the bytes of the file map to characters. Try cp1252 or latin-1 when accented "
        "letters look wrong (Ã© instead of é). Any Python codec name can be typed.",
        choices=tuple((name, name) for name in ENCODINGS),
    )
    delimiter: str | None = read_option(
        None,
        "delimiter",
        widget="delimiter",
        label="&Delimiter:",
        help="The character between two fields of a row.",
        choices=DELIMITER_CHOICES,
        placeholder="one character, \\t for tab",
        cli="tab for a tab",
    )
    sheet: str | None = read_option(
        None,
        "text_or_auto",
        widget="source",
        label="S&heet:",
        help="The worksheet to import.",
        source="sheets",
    )
    table: str | None = read_option(
        None,
        "text_or_auto",
        widget="source",
        label="&Table:",
        help="The database table to import.",
        source="tables",
    )
    query: str | None = read_option(
        None,
        "text_or_auto",
        widget="text",
        label="&Query:",
        help="An SQL query whose result is imported instead of a table.",
        placeholder="SELECT … (optional, replaces the table)",
    )
    header: bool | None = read_option(
        None,
        "flag_or_auto",
        widget="check",
        label="First row holds column names",
        help="Ticked: the row below the skipped rows names the columns. Unticked: every row is "
        "data and the columns are named column_0, column_1, …",
        cli="true/false",
    )
    header_row: int | None = read_option(
        None,
        "count_or_auto",
        widget="count",
        label="Rows to s&kip:",
        help="Rows at the top of the file to skip (titles, notes, blank lines): the row after "
        "them holds the column names, or the first data when the box above is unticked.",
    )
    # None: detected with the thousands mark (a comma only where the delimiter is not one).
    # Any mark set is kept, "." included: the user's point wins over a detected comma.
    decimal: str | None = read_option(
        None,
        "mark",
        widget="choice",
        label="Deci&mal mark:",
        help="The decimal mark in numbers: 3.14 or 3,14.",
        choices=DECIMAL_CHOICES,
        cli="./, or point/comma",
    )
    # None: detected along with an undetected decimal mark, else no mark; "" (NO_THOUSANDS):
    # no mark, whatever detection finds.
    thousands: str | None = read_option(
        None,
        "mark",
        widget="choice",
        label="Thou&sands:",
        help="The character grouping digits: 1,000,000 or 1.000.000.",
        choices=THOUSANDS_CHOICES,
        cli="none/,/./space",
    )
    quotechar: str = read_option('"', "text")
    na_values: tuple[str, ...] = read_option(
        DEFAULT_NA_VALUES,
        "tokens",
        widget="tokens",
        label="Missing &values:",
        help='Cell values read as missing, separated by commas. "" is the empty cell.',
        cli="comma-separated",
    )
    parse_dates: bool = read_option(
        True,
        "flag",
        widget="check",
        label="Parse dates",
        help="Turn a text column into dates when every value has one unambiguous date format.",
    )
    strip_whitespace: bool = read_option(
        True,
        "flag",
        widget="check",
        label="Strip surrounding spaces",
        help="Remove spaces around column names and text values (' Male' becomes 'Male').",
    )
    bad_lines: str = read_option(
        "error",
        "text",
        widget="check",
        label="Skip malformed lines",
        help="Drop rows with the wrong number of fields instead of stopping with an error.",
        values=BAD_LINES,
        cli="error/skip",
    )
    # Per column, the type to read it as, whatever detection finds: (column, kind) pairs in
    # the order given. Columns not named are detected (codes with leading zeros stay text).
    dtype: tuple[tuple[str, str], ...] = read_option(
        (),
        "column_types",
        widget="column_types",
        label="Column t&ypes:",
        help="Read these columns as text, number or date, whatever detection finds, e.g. "
        "zip: text, amount: number. Codes with leading zeros (02134) are kept as text "
        "without asking; name such a column here as number to read it as numbers.",
        placeholder="column: text, other column: number",
        cli="COLUMN:text|number|date, repeatable",
    )

    def __post_init__(self) -> None:
        # Lists from JSON become tuples so the options stay hashable and comparable.
        if not isinstance(self.na_values, tuple):
            object.__setattr__(self, "na_values", tuple(str(v) for v in self.na_values))
        object.__setattr__(self, "dtype", column_type_pairs(self.dtype))
        known = ("auto", *file_formats())
        if self.format not in known:
            raise WorkbenchError(f"unknown format '{self.format}'; known: {', '.join(known)}")
        if self.bad_lines not in BAD_LINES:
            raise WorkbenchError(
                f"bad_lines must be one of {', '.join(BAD_LINES)}, not '{self.bad_lines}'"
            )
        if len(self.quotechar) != 1:
            raise WorkbenchError(f"quotechar must be one character, not '{self.quotechar}'")
        for name in ("delimiter", "decimal"):
            value = getattr(self, name)
            if value is not None and len(value) != 1:
                raise WorkbenchError(f"{name} must be one character, not '{value}'")
        if self.thousands is not None and len(self.thousands) > 1:
            raise WorkbenchError(f"thousands must be one character or none, not '{self.thousands}'")
        if self.thousands and self.thousands == self.decimal:
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
        data = {item.name: getattr(self, item.name) for item in fields(self)}
        data["na_values"] = list(self.na_values)
        data["dtype"] = dict(self.dtype)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReadOptions:
        known = {item.name for item in fields(cls)}
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

    def with_overrides(
        self, overrides: Mapping[str, str] | Iterable[tuple[str, str]]
    ) -> ReadOptions:
        """Apply `key=value` strings from the command line, each parsed to the option's type.

        A key given twice takes its last value, but column types add up: `dtype=zip:text` and
        `dtype=code:text` set both columns (a later type for the same column wins)."""
        declared = declared_options(type(self))
        changes: dict[str, Any] = {}
        pairs = overrides.items() if isinstance(overrides, Mapping) else overrides
        for key, text in pairs:
            if key not in declared:
                raise WorkbenchError(
                    f"unknown read option '{key}'; known: {', '.join(sorted(declared))}"
                )
            value = _parse_override(declared[key], str(text))
            if declared[key].parse == "column_types" and key in changes:
                value = tuple({**dict(changes[key]), **dict(value)}.items())
            changes[key] = value
        return dataclasses.replace(self, **changes)

    def column_type(self, column: str) -> str | None:
        """The type `column` is read as by the user's choice (`dtype`), None: detected."""
        return dict(self.dtype).get(column)


def _parse_override(option: ReadOption, text: str) -> Any:
    word = text.strip().lower()
    kind = option.parse

    def bad(expected: str) -> WorkbenchError:
        return WorkbenchError(f"read option '{option.name}' expects {expected}, not '{text}'")

    if kind in ("flag", "flag_or_auto"):
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
        if kind == "flag_or_auto" and word in _NONE_WORDS:
            return None
        raise bad("true or false" + (" or none" if kind == "flag_or_auto" else ""))
    if kind == "count_or_auto":
        if word in _NONE_WORDS:
            return None
        try:
            return int(word)
        except ValueError:
            raise bad("a whole number or none") from None
    if kind == "tokens":
        return tuple(token.strip() for token in text.split(",")) if text else ()
    if kind == "delimiter":
        if word in ("none", "auto"):
            return None
        return _DELIMITER_WORDS.get(word, text)
    if kind == "mark":
        if word in ("auto", ""):
            return None
        return _MARK_WORDS.get(word, text)
    if kind == "column_types":
        return parse_column_types(text)
    if kind == "text_or_auto":
        return None if word in ("none", "auto", "") else text
    return text  # validated by the constructor
