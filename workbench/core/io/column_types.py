"""Column types the user chose (`ReadOptions.dtype`) and the codes detection keeps as text.

A zip code `02134`, an account `000981` or a product code `0042` is a label written in digits:
read as a number it loses its zeros (2134) and, worse, two different codes can become the same
number. So a column whose values are all digit strings, some with a leading zero, is read as
text, and the user can still name any column's type (text, number or date), which then wins
over detection. This module holds the rule and the option's syntax; the readers apply it
(the CSV reader before parsing, `tidy` after).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from workbench.core.errors import WorkbenchError

COLUMN_TYPES: tuple[str, ...] = ("text", "number", "date")
MAX_EXAMPLES = 3

_DIGITS = re.compile(r"\d+")
# One "COLUMN: TYPE" entry of a list: the name runs to the last colon before a type word that
# ends the entry, so names holding commas or colons still read ("a,b: text", "ratio: 1:2").
_ENTRY = re.compile(r"\s*(?P<name>.+?)\s*:\s*(?P<kind>[A-Za-z]+)\s*(?:,|$)")


def column_type_pairs(value: Any) -> tuple[tuple[str, str], ...]:
    """(column, type) pairs from a mapping (a project file), pairs, or text as the command line
    and the Import dialog write it ('zip: text'); WorkbenchError if a type is not one of
    COLUMN_TYPES."""
    if isinstance(value, str):
        return parse_column_types(value)
    items = value.items() if isinstance(value, Mapping) else value
    pairs: dict[str, str] = {}
    for item in items:
        try:
            column, kind = item
        except (TypeError, ValueError):
            raise WorkbenchError(f"dtype expects (column, type) pairs, not {item!r}") from None
        kind = str(kind).strip().lower()
        if kind not in COLUMN_TYPES:
            raise WorkbenchError(
                f"column '{column}': unknown type '{kind}'; known: {', '.join(COLUMN_TYPES)}"
            )
        pairs[str(column)] = kind
    return tuple(pairs.items())


def parse_column_types(text: str) -> tuple[tuple[str, str], ...]:
    """'zip: text, amount: number' (or 'zip:text') as pairs; WorkbenchError naming the part
    that is not COLUMN:TYPE."""
    pairs: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        found = _ENTRY.match(text, position)
        if found is None or not found.group("name"):
            rest = text[position:].strip()
            raise WorkbenchError(
                f"column types are written COLUMN:TYPE ({'/'.join(COLUMN_TYPES)}), "
                f"comma-separated, not '{rest}'"
            )
        pairs.append((found.group("name"), found.group("kind")))
        position = found.end()
    return column_type_pairs(pairs)


def format_column_types(pairs: Iterable[tuple[str, str]]) -> str:
    """The pairs as the Import dialog's field shows them: 'zip: text, amount: number'."""
    return ", ".join(f"{column}: {kind}" for column, kind in pairs)


def code_examples(values: Iterable[Any]) -> list[str]:
    """Up to MAX_EXAMPLES values with a leading zero when every value is a digit string and
    some have one (a column of codes); [] otherwise. Missing values are skipped."""
    examples: list[str] = []
    for value in values:
        if value is None or (isinstance(value, float) and value != value):
            continue
        if not isinstance(value, str):
            return []
        text = value.strip()
        if not _DIGITS.fullmatch(text):
            return []
        if len(text) > 1 and text[0] == "0" and len(examples) < MAX_EXAMPLES:
            examples.append(text)
    return examples


def code_columns(
    names: Sequence[str], rows: Iterable[Sequence[str]], na_values: Iterable[str]
) -> list[str]:
    """The columns of raw text rows (a CSV reader's sample) that hold codes with leading zeros:
    the ones to read as text before a parser turns 02134 into 2134."""
    na = frozenset(na_values) | {""}
    cells: list[list[str]] = [[] for _ in names]
    for row in rows:
        for j, cell in enumerate(row[: len(names)]):
            if cell.strip() not in na:
                cells[j].append(cell)
    return [name for name, values in zip(names, cells, strict=True) if code_examples(values)]


def column_codes(column: pd.Series) -> list[str]:
    """`code_examples` of a text column, cheaply: most columns fail on their first value."""
    first = column.first_valid_index()
    value = column.loc[first] if first is not None else None
    if not (isinstance(value, str) and _DIGITS.fullmatch(value.strip())):
        return []
    return code_examples(pd.unique(column.dropna()))


__all__ = [
    "COLUMN_TYPES",
    "code_columns",
    "code_examples",
    "column_codes",
    "column_type_pairs",
    "format_column_types",
    "parse_column_types",
]
