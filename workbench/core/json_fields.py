"""Typed reading of JSON that may have been edited by hand: project.json, a run's logged spec.

`json.loads` says only that a document is well-formed; code that then does `data["chain"].get`
on a string fails with an AttributeError far from the cause. Every entry read through `field`
is checked for its JSON type first, and a wrong one is a WorkbenchError naming the entry by its
dotted path ('dataset.source.sha256') and what it holds instead, which the CLI prints as one line
and the GUI shows in a dialog.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from workbench.core.errors import WorkbenchError

__all__ = [
    "REQUIRED",
    "check_format",
    "describe",
    "field",
    "mapping",
    "member",
    "number_list",
    "optional_number",
    "text_list",
    "whole_number_list",
]


class _Required:
    """The default of `field` for an entry that must be present."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()

# JSON types as the message names them, in the order a message lists them.
_NAMES: tuple[tuple[type, str], ...] = (
    (str, "text"),
    (bool, "true or false"),
    (int, "a whole number"),
    (float, "a number"),
    (list, "a list"),
    (dict, "an object"),
    (type(None), "null"),
)


def describe(value: Any) -> str:
    """What a JSON value is, for a message: "a list", "text ('x')", "a whole number (5)"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"text ({shown!r})"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _matches(value: Any, kinds: tuple[type, ...]) -> bool:
    if isinstance(value, bool):  # JSON true is not a number, though Python's bool is an int
        return bool in kinds
    if isinstance(value, int) and float in kinds:
        return True
    return isinstance(value, kinds)


def field(
    data: Mapping[str, Any], key: str, kinds: type | tuple[type, ...], path: str = "",
    default: Any = REQUIRED,
) -> Any:  # fmt: skip
    """`data[key]`, checked to be one of `kinds` (`float` accepts whole numbers too).

    `path` is where `data` sits in the document ("dataset.source"), so the message names the
    entry in full. A missing entry is `default`, or an error when there is none.
    """
    where = f"{path}.{key}" if path else key
    if key not in data:
        if default is REQUIRED:
            raise WorkbenchError(f"'{where}' is missing")
        return default
    value = data[key]
    wanted = kinds if isinstance(kinds, tuple) else (kinds,)
    if not _matches(value, wanted):
        expected = " or ".join(name for kind, name in _NAMES if kind in wanted)
        raise WorkbenchError(f"'{where}' should be {expected}, not {describe(value)}")
    return value


def text_list(
    data: Mapping[str, Any], key: str, path: str = "", default: Any = REQUIRED
) -> list[str]:
    """A list whose every item is text (column names, categories); null too when the default
    is None (an optional list)."""
    items = field(data, key, list if default is not None else (list, type(None)), path, default)
    if not isinstance(items, list):
        return items
    where = f"{path}.{key}" if path else key
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise WorkbenchError(f"'{where}[{index}]' should be text, not {describe(item)}")
    return list(items)


def number_list(
    data: Mapping[str, Any], key: str, path: str = "", default: Any = REQUIRED
) -> list[float]:
    """A list whose every item is a number (whole numbers read as floats)."""
    return [float(item) for item in _typed_list(data, key, path, default, float, "a number")]


def whole_number_list(
    data: Mapping[str, Any], key: str, path: str = "", default: Any = REQUIRED
) -> list[int]:
    """A list whose every item is a whole number (counts, row numbers)."""
    return [int(item) for item in _typed_list(data, key, path, default, int, "a whole number")]


def _typed_list(
    data: Mapping[str, Any], key: str, path: str, default: Any, kind: type, name: str
) -> list[Any]:
    items = field(data, key, list, path, default)
    where = f"{path}.{key}" if path else key
    for index, item in enumerate(items):
        if not _matches(item, (kind,)):
            raise WorkbenchError(f"'{where}[{index}]' should be {name}, not {describe(item)}")
    return items


def mapping(data: Any, path: str) -> Mapping[str, Any]:
    """`data` itself when it is an object; an error naming `path` otherwise."""
    if not isinstance(data, Mapping):
        raise WorkbenchError(f"'{path}' should be an object, not {describe(data)}")
    return data


def member(
    data: Mapping[str, Any], key: str, choices: type[StrEnum], path: str = "",
    default: Any = REQUIRED,
) -> Any:  # fmt: skip
    """The entry as a member of the string enum `choices` ('numeric' -> ColumnKind.NUMERIC)."""
    value = field(data, key, str if default is REQUIRED else (str, type(None)), path, default)
    if value is None or value is default:
        return value
    known = [item.value for item in choices]
    if value not in known:
        where = f"{path}.{key}" if path else key
        raise WorkbenchError(f"'{where}' should be one of {', '.join(known)}, not {value!r}")
    return choices(value)


def optional_number(data: Mapping[str, Any], key: str, path: str = "") -> float | None:
    """A number or null (whole numbers read as floats)."""
    value = field(data, key, (float, type(None)), path)
    return float(value) if value is not None else None


def check_format(data: Mapping[str, Any], name: str, version: int, path: str, what: str) -> None:
    """An error unless the document says it is `name`, version `version` (`what` names it)."""
    if data.get("format") != name or data.get("version") != version:
        raise WorkbenchError(
            f"'{path}' is not a version {version} {what} "
            f"(format {data.get('format')!r}, version {data.get('version')!r})"
        )
