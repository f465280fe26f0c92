"""Typed parameter declarations, shared by preprocessing steps and models.

A step or a model declares its parameters once; the GUI builds its form from the declarations,
the CLI and project files give values as JSON, and `resolve_params` turns what was given into
checked, typed values with defaults filled in, or a message naming the owner and the parameter.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from workbench.core.errors import WorkbenchError


class ParamType(StrEnum):
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    CHOICE = "choice"  # one of `choices`
    MULTI_CHOICE = "multi_choice"  # a subset of `choices`, as a list
    TEXT = "text"
    TEXT_LIST = "text_list"  # an ordered list of strings (an ordinal order, sentinel tokens)


@dataclass(frozen=True)
class Param:
    """One parameter: what it is called, its type, default, allowed values and what it means."""

    name: str
    label: str
    type: ParamType
    default: Any
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    optional: bool = False  # None is allowed (shown as "auto" / "none" in forms)

    def coerce(self, value: Any, owner: str) -> Any:
        """The value as this parameter's type, or a WorkbenchError naming owner and parameter."""
        if value is None:
            if self.optional:
                return None
            raise self._error(owner, "needs a value")
        try:
            coerced = _COERCE[self.type](value, self)
        except (TypeError, ValueError) as error:
            raise self._error(owner, f"got {value!r}: {error}") from None
        self._check_range(coerced, owner)
        return coerced

    def _check_range(self, value: Any, owner: str) -> None:
        if self.type in (ParamType.INT, ParamType.FLOAT):
            if self.minimum is not None and value < self.minimum:
                raise self._error(owner, f"must be at least {self.minimum:g}, got {value:g}")
            if self.maximum is not None and value > self.maximum:
                raise self._error(owner, f"must be at most {self.maximum:g}, got {value:g}")
        elif self.type == ParamType.CHOICE and value not in self.choices:
            raise self._error(owner, f"must be one of {', '.join(self.choices)}; got {value!r}")
        elif self.type == ParamType.MULTI_CHOICE:
            unknown = [item for item in value if item not in self.choices]
            if unknown:
                raise self._error(owner, f"has unknown choices {unknown}; known: {self.choices}")

    def _error(self, owner: str, problem: str) -> WorkbenchError:
        return WorkbenchError(f"{owner}: parameter '{self.name}' {problem}")

    def to_dict(self) -> dict[str, Any]:
        """For documentation and the CLI's listings."""
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type.value,
            "default": list(self.default) if isinstance(self.default, tuple) else self.default,
            "help": self.help,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "choices": list(self.choices),
            "optional": self.optional,
        }


def _to_int(value: Any, param: Param) -> int:
    if isinstance(value, bool):
        raise ValueError("expected a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("expected a whole number")
        return int(value)
    return int(str(value).strip())


def _to_float(value: Any, param: Param) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number")
    number = float(str(value).strip()) if isinstance(value, str) else float(value)
    if not math.isfinite(number):
        raise ValueError("expected a finite number")
    return number


def _to_bool(value: Any, param: Param) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1", "on"):
        return True
    if text in ("false", "no", "0", "off"):
        return False
    raise ValueError("expected true or false")


def _to_text(value: Any, param: Param) -> str:
    return str(value)


def _to_list(value: Any, param: Param) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(item.strip() for item in value.split(",") if item.strip())
    if isinstance(value, Sequence):
        return tuple(str(item) for item in value)
    raise ValueError("expected a list")


_COERCE = {
    ParamType.INT: _to_int,
    ParamType.FLOAT: _to_float,
    ParamType.BOOL: _to_bool,
    ParamType.CHOICE: _to_text,
    ParamType.MULTI_CHOICE: _to_list,
    ParamType.TEXT: _to_text,
    ParamType.TEXT_LIST: _to_list,
}


def resolve_params(
    declared: Sequence[Param], given: Mapping[str, Any], owner: str
) -> dict[str, Any]:
    """Every declared parameter with a checked value: given ones coerced, the rest defaulted."""
    known = {param.name: param for param in declared}
    unknown = sorted(set(given) - set(known))
    if unknown:
        names = ", ".join(known) or "none"
        raise WorkbenchError(f"{owner} has no parameter '{unknown[0]}'; its parameters: {names}")
    return {
        name: param.coerce(given[name], owner) if name in given else param.default
        for name, param in known.items()
    }
