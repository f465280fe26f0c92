"""The words the Import dialog uses for read options, kept apart from the widgets that show them.

The format choices and the file filter come from the registered readers, and
`describe_options` says in one line how a file is being read, so the user can check detection
at a glance (the options' own labels and choices are declared on ReadOptions). None of this
needs a widget, so it is plain functions and tables that can be tested and reused on their own.
"""

from __future__ import annotations

from collections.abc import Iterable

from workbench.core.io.detect import MIXED_ENCODING
from workbench.core.io.formats import file_formats, supported_suffixes
from workbench.core.io.options import ReadOption, ReadOptions, declared_options

DELIMITER_NAMES = {
    ",": "comma",
    ";": "semicolon",
    "\t": "tab",
    "|": "pipe",
    " ": "space",
}


def format_choices() -> tuple[tuple[str, str], ...]:
    """(format, label) for the format picker: detection first, then every reader's format."""
    readers = file_formats().values()
    return (("auto", "Detect automatically"), *((r.format, r.label) for r in readers))


def parse_na_tokens(text: str) -> tuple[str, ...]:
    """Comma-separated tokens; `""` stands for the empty cell, which a comma list cannot show."""
    tokens: list[str] = []
    for raw in text.split(","):
        token = raw.strip()
        if token == '""':
            tokens.append("")
        elif token:
            tokens.append(token)
    return tuple(dict.fromkeys(tokens))


def format_na_tokens(tokens: Iterable[str]) -> str:
    return ", ".join('""' if token == "" else token for token in tokens)


def describe_options(options: ReadOptions) -> str:
    """One line saying how the file is read: 'UTF-8, comma-separated, header on row 1'."""
    fmt = options.format
    parts: list[str] = []
    if fmt == "csv":
        parts.append(_encoding_name(options.encoding))
        if options.delimiter is not None:
            name = DELIMITER_NAMES.get(options.delimiter, f"'{options.delimiter}'")
            parts.append(f"{name}-separated")
    elif fmt == "excel":
        parts.append(f"Excel sheet '{options.sheet}'" if options.sheet else "Excel")
    elif fmt == "sqlite":
        if options.query:
            parts.append("SQLite query")
        else:
            parts.append(f"SQLite table '{options.table}'" if options.table else "SQLite")
    else:
        reader = file_formats().get(fmt)
        parts.append(reader.label if reader is not None else fmt)
        if fmt in ("json", "jsonl") and options.encoding:
            parts.append(_encoding_name(options.encoding))
    if fmt in ("csv", "excel"):
        row = (options.header_row or 0) + 1
        if options.header is False:
            skipped = f" after skipping {row - 1} rows" if row > 1 else ""
            parts.append(f"no header row{skipped} (columns named column_0, column_1, …)")
        else:
            parts.append(f"header on row {row}")
    if fmt == "csv":
        if options.decimal not in (None, "."):
            parts.append(f"decimal '{options.decimal}'")
        if options.thousands:
            name = "space" if options.thousands == " " else f"'{options.thousands}'"
            parts.append(f"thousands separator {name}")
    return ", ".join(parts)


def describe_redetected(
    before: ReadOptions, after: ReadOptions, detected: Iterable[str], edited: str
) -> str:
    """What detection changed on its own after the user edited `edited` ('' when nothing):
    'Detected again after the delimiter changed: decimal mark comma → point'. `detected`:
    the options the user left to detection."""
    declared = declared_options(type(after))
    changes = [
        f"{_caption(declared[name])} {_value_words(declared[name], getattr(before, name))} → "
        f"{_value_words(declared[name], getattr(after, name))}"
        for name in detected
        if name in declared and getattr(before, name) != getattr(after, name)
    ]
    if not changes:
        return ""
    return f"Detected again after the {_caption(declared[edited])} changed: {'; '.join(changes)}"


def _caption(option: ReadOption) -> str:
    """'Deci&mal mark:' -> 'decimal mark'."""
    return option.label.replace("&", "").rstrip(":").strip().lower()


def _value_words(option: ReadOption, value: object) -> str:
    if option.name == "delimiter" and isinstance(value, str):
        return DELIMITER_NAMES.get(value, f"'{value}'")
    for choice, label in option.choices:
        if choice == value or (not choice and not value):  # "" and None: no thousands mark
            return label.split("  ")[0]
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "none" if value is None else str(value)


def _encoding_name(encoding: str | None) -> str:
    if encoding is None:
        return "unknown encoding"
    names = {
        "utf-8": "UTF-8",
        "utf_8": "UTF-8",
        "utf8": "UTF-8",
        "utf-8-sig": "UTF-8 with BOM",
        "utf_8_sig": "UTF-8 with BOM",
        "cp1252": "Windows-1252",
        "latin-1": "Latin-1",
        "latin1": "Latin-1",
        "iso-8859-1": "Latin-1",
        "ascii": "ASCII",
        MIXED_ENCODING: "UTF-8, Windows-1252 where a line is not UTF-8",
    }
    return names.get(encoding.lower(), encoding)


def file_filter() -> str:
    """The Browse filter, built from what the readers accept."""
    patterns = " ".join(f"*{suffix}" for suffix in supported_suffixes())
    return f"Tables ({patterns});;All files (*)"


def escape_html(text: str) -> str:
    """Messages quote file content and paths, which rich-text labels would read as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
