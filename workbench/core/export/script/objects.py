"""An unfitted estimator (the run's pipeline, cloned) written as the Python expression that
builds it: `Pipeline([("prepare", PrepareColumns()), ...])`.

Only parameters that differ from the class's defaults are written, as a person would; nested
estimators, lists, dicts, functions and `functools.partial` are written recursively. Classes
and functions of the workbench are copied into the script by a SourceBundle; everything else
is imported from its public module (`sklearn.preprocessing`, not `sklearn.preprocessing._data`).
A value that cannot be written as code is refused with its type named, never pickled in.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from workbench.core.errors import WorkbenchError
from workbench.core.export.script.bundle import NUMPY, ImportLine, SourceBundle, is_workbench


@dataclass
class CodeWriter:
    """Writes objects as code, collecting the imports and the workbench source they need."""

    bundle: SourceBundle = field(default_factory=SourceBundle)
    imports: set[ImportLine] = field(default_factory=set)

    def expression(self, value: Any, pandas_output: bool = False) -> str:
        """`value` as a Python expression. `pandas_output`: an enclosing estimator already
        asked for pandas output, which reaches this one too."""
        if isinstance(value, np.generic):  # np.float64 is a float whose repr names numpy
            return self.expression(value.item())
        if value is None or isinstance(value, bool | str | int):
            return repr(value)
        if isinstance(value, float):
            return self._float(value)
        if isinstance(value, BaseEstimator):
            return self._estimator(value, pandas_output)
        if isinstance(value, list | tuple):
            items = [self.expression(item, pandas_output) for item in value]
            if isinstance(value, tuple):
                return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
            return f"[{', '.join(items)}]"
        if isinstance(value, dict):
            pairs = [f"{self.expression(k)}: {self.expression(v)}" for k, v in value.items()]
            return "{" + ", ".join(pairs) + "}"
        if isinstance(value, functools.partial):
            self.imports.add(ImportLine("functools", "partial"))
            args = [self.expression(value.func)]
            args += [self.expression(a) for a in value.args]
            args += [f"{k}={self.expression(v)}" for k, v in value.keywords.items()]
            return f"partial({', '.join(args)})"
        if isinstance(value, np.dtype):
            return self.expression(value.type)
        if isinstance(value, type) or (callable(value) and hasattr(value, "__qualname__")):
            return self._named(value)  # classes, functions, numpy's ufuncs and dispatchers
        arguments = _constructor_arguments(value)
        if arguments is not None:  # an object that keeps its arguments, as estimators do
            return self._call(type(value), arguments, pandas_output)
        raise WorkbenchError(f"cannot write a {type(value).__name__} value ({value!r}) as code")

    def _float(self, value: float) -> str:
        if math.isnan(value):
            self.imports.add(NUMPY)
            return "np.nan"
        if math.isinf(value):
            self.imports.add(NUMPY)
            return "np.inf" if value > 0 else "-np.inf"
        return repr(value)

    def _named(self, obj: Any) -> str:
        """A class or function: copied when it is the workbench's, imported otherwise."""
        module = getattr(obj, "__module__", None) or ""
        name = getattr(obj, "__name__", "")
        numpy_owned = isinstance(obj, np.ufunc) or module.split(".")[0] == "numpy"
        if numpy_owned and getattr(np, name, None) is obj:
            self.imports.add(NUMPY)
            return f"np.{name}"
        if is_workbench(module):
            return self.bundle.add(obj)
        if module == "builtins":
            return name
        self.imports.add(ImportLine(public_module(obj), name))
        return name

    def _estimator(self, estimator: BaseEstimator, pandas_output: bool) -> str:
        wants_pandas = output_container(estimator) == "pandas" and not pandas_output
        inner = pandas_output or wants_pandas
        call = self._call(type(estimator), estimator.get_params(deep=False), inner)
        return f"{call}.set_output(transform='pandas')" if wants_pandas else call

    def _call(self, cls: type, params: dict[str, Any], pandas_output: bool) -> str:
        """`cls(...)` with the parameters that differ from the defaults."""
        name = self._named(cls)
        defaults = _defaults(cls)
        arguments: list[str] = []
        positional = _positional(cls)
        for key, value in params.items():
            if key in defaults and _same(defaults[key], value):
                continue
            text = self.expression(value, pandas_output)
            arguments.append(text if key in positional else f"{key}={text}")
        return f"{name}({', '.join(arguments)})"


# Parameters written without their keyword: the list of steps is what a reader expects first.
_POSITIONAL = {"Pipeline": ("steps",), "ColumnTransformer": ("transformers",)}


def _positional(cls: type) -> tuple[str, ...]:
    return _POSITIONAL.get(cls.__name__, ()) if not is_workbench(cls.__module__) else ()


def output_container(estimator: BaseEstimator) -> str | None:
    """What `set_output(transform=...)` asked of this estimator ("pandas"), or None."""
    config = getattr(estimator, "_sklearn_output_config", {})
    return config.get("transform")


def _constructor_arguments(value: Any) -> dict[str, Any] | None:
    """The arguments `value` was made with, when it keeps each under its parameter's name (as
    scikit-learn's estimators and splitters do); None otherwise."""
    init = type(value).__init__
    if not inspect.isfunction(init):  # object's or a C type's: nothing says what it was made of
        return None
    signature = inspect.signature(init)
    names = [
        name
        for name, parameter in signature.parameters.items()
        if name != "self"
        and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
    ]
    if any(not hasattr(value, name) for name in names):
        return None
    return {name: getattr(value, name) for name in names}


def _defaults(cls: type) -> dict[str, Any]:
    signature = inspect.signature(cls.__init__)
    return {
        name: parameter.default
        for name, parameter in signature.parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }


def _same(default: Any, value: Any) -> bool:
    if isinstance(default, float) and isinstance(value, float):
        return default == value or (math.isnan(default) and math.isnan(value))
    if type(default) is not type(value) and not (default is None or value is None):
        return False
    try:
        return bool(default == value)
    except (TypeError, ValueError):
        return default is value


def public_module(obj: Any) -> str:
    """The shortest module path without private parts that exports `obj` (XGBClassifier from
    `xgboost`, OneHotEncoder from `sklearn.preprocessing`)."""
    module = obj.__module__
    name = obj.__name__
    parts = module.split(".")
    for length in range(1, len(parts) + 1):
        candidate = ".".join(parts[:length])
        if any(part.startswith("_") for part in parts[:length]):
            break
        try:
            if getattr(importlib.import_module(candidate), name, None) is obj:
                return candidate
        except ImportError:
            continue
    return module
