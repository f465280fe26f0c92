"""The types of the model registry and the registry itself.

Why a module of its own: the declarations (classifiers.py, regressors.py), the
shared parameters (shared_params.py) and the look-ups (catalog.py) all need ModelDef, Tunable and
`register`; holding them here lets each of those import the types without importing one
another. Like the rest of the registry it imports no scikit-learn: a `LazyFactory` (the one the
steps use) names a factory in factories.py and imports it on the first call.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from workbench.core.errors import WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.params import Param, resolve_params
from workbench.core.steps.lazy import LazyFactory

CLASSIFICATION = frozenset({TaskType.BINARY, TaskType.MULTICLASS})
REGRESSION = frozenset({TaskType.REGRESSION})
FAMILIES = (
    "Baseline", "Linear", "Kernel", "Neighbours", "Probabilistic", "Trees", "Boosting", "Ensemble",
)  # fmt: skip
# Models that split on thresholds: they need no scaling, and rescaled inputs move rows across
# their split points once ONNX computes the rescaling in float32.
TREE_FAMILIES = frozenset({"Trees", "Boosting"})

# factory(params, seed, n_jobs, task, model_options) -> an unfitted estimator
ModelFactory = Callable[[Mapping[str, Any], int, "int | None", TaskType, Mapping[str, Any]], Any]


def built_by(function: str) -> LazyFactory:
    """The factory `function` of models/factories.py (a ModelFactory), imported when a model
    is first built."""
    return LazyFactory("workbench.core.models.factories", function)


# --- tuning ranges -------------------------------------------------------------------------

TunableKind = Literal["int", "float", "choice"]


@dataclass(frozen=True)
class Tunable:
    """A tuning range for one hyperparameter: whole numbers or numbers between `low` and `high`
    (sampled evenly on a log scale when `log`), or a list of `choices` (which may hold None)."""

    name: str
    kind: TunableKind
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple = ()

    def __post_init__(self) -> None:
        if self.kind == "choice":
            if not self.choices:
                raise WorkbenchError(f"tuning '{self.name}': give at least one choice")
            return
        if self.kind not in ("int", "float"):
            raise WorkbenchError(f"tuning '{self.name}': unknown kind '{self.kind}'")
        if self.low is None or self.high is None or self.low > self.high:
            raise WorkbenchError(
                f"tuning '{self.name}': a range needs low <= high, got {self.low}..{self.high}"
            )
        if self.log and self.low <= 0:
            raise WorkbenchError(
                f"tuning '{self.name}': a log range must start above 0, got {self.low:g}"
            )

    def sample(self, rng: np.random.Generator) -> Any:
        """One value drawn at random (random search)."""
        if self.kind == "choice":
            return self.choices[int(rng.integers(len(self.choices)))]
        assert self.low is not None and self.high is not None
        if self.log:
            value = math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        else:
            value = rng.uniform(self.low, self.high)
        if self.kind == "int":
            return int(min(max(round(value), math.ceil(self.low)), math.floor(self.high)))
        return float(value)

    def contains(self, value: Any) -> bool:
        """Whether `value` is one this range can give (a choice; a whole number for "int")."""
        if self.kind == "choice":
            return value in self.choices
        assert self.low is not None and self.high is not None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if self.kind == "int" and not float(value).is_integer():
            return False
        return bool(self.low <= value <= self.high)

    def grid(self, points: int = 5) -> tuple:
        """At most `points` evenly spread values, ends included (grid search); all choices."""
        if self.kind == "choice":
            return tuple(self.choices)
        assert self.low is not None and self.high is not None
        if points <= 1 or self.low == self.high:
            return (round(float(self.low)) if self.kind == "int" else float(self.low),)
        if self.log:
            values = np.geomspace(self.low, self.high, points)
        else:
            values = np.linspace(self.low, self.high, points)
        if self.kind == "int":
            return tuple(dict.fromkeys(round(float(v)) for v in values))
        return tuple(float(v) for v in values)

    def to_dict(self) -> dict[str, Any]:
        """The TuneSpec.space form: a list of choices, or {"low", "high", "log"}."""
        if self.kind == "choice":
            return {"choices": list(self.choices)}
        return {"low": self.low, "high": self.high, "log": self.log}


# --- declarations --------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelDef:
    name: str  # stable snake_case, used in project files and on the CLI
    label: str
    family: str  # one of FAMILIES, for grouping in the GUI
    help: str
    tasks: frozenset[TaskType]
    factory: LazyFactory
    params: tuple[Param, ...] = ()
    tuning: tuple[Tunable, ...] = ()
    # Parameter sets the auto search tries before drawing from `tuning` (shared_params'
    # HGB_STARTS, XGB_STARTS): settings that do well on many tables and a few draws rarely
    # reach. Left out of comparison and hashing: they are dicts.
    tuning_starts: tuple[Mapping[str, Any], ...] = field(default=(), compare=False)
    needs_scaling: bool = False  # default_model_chain scales numeric columns
    handles_missing: bool = False  # takes NaN; otherwise default_model_chain imputes
    needs_dense: bool = True  # every model here takes dense input (one-hot is dense)
    supports_class_weight: bool = False
    onnx: bool = True
    onnx_note: str = ""
    baseline: bool = False  # the dummies: a floor every real model must beat
    # Built from other runs' fitted models (the auto search's ensembles), never picked from
    # the model list: `models_for` leaves it out, `get_model` still finds its runs' model.
    from_runs: bool = False
    tags: tuple[str, ...] = field(default_factory=tuple)

    def resolve(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Every parameter with a checked value, or a WorkbenchError naming model and parameter."""
        return resolve_params(self.params, params, f"model '{self.name}'")

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        names = ", ".join(p.name for p in self.params) or "none"
        raise WorkbenchError(
            f"model '{self.name}' has no parameter '{name}'; its parameters: {names}"
        )

    def to_dict(self) -> dict[str, Any]:
        """For documentation and the CLI's listings."""
        return {
            "name": self.name,
            "label": self.label,
            "family": self.family,
            "help": self.help,
            "tasks": sorted(task.value for task in self.tasks),
            "params": [param.to_dict() for param in self.params],
            "tuning": {t.name: t.to_dict() for t in self.tuning},
            "tuning_starts": [dict(start) for start in self.tuning_starts],
            "needs_scaling": self.needs_scaling,
            "handles_missing": self.handles_missing,
            "supports_class_weight": self.supports_class_weight,
            "onnx": self.onnx,
            "onnx_note": self.onnx_note,
            "baseline": self.baseline,
        }


_REGISTRY: dict[str, ModelDef] = {}


def registered_models() -> Mapping[str, ModelDef]:
    """Every model registered so far, in registration order (read-only). The catalog imports
    the classifiers, then the regressors, so through it this is the whole registry."""
    return MappingProxyType(_REGISTRY)


def register(model: ModelDef) -> ModelDef:
    if model.name in _REGISTRY:
        raise ValueError(f"model '{model.name}' is registered twice")
    if model.family not in FAMILIES:
        raise ValueError(f"model '{model.name}' has unknown family '{model.family}'")
    declared = {param.name for param in model.params}
    for tunable in model.tuning:
        if tunable.name not in declared:
            raise ValueError(f"model '{model.name}' tunes undeclared parameter '{tunable.name}'")
    for start in model.tuning_starts:
        for name in start:
            if name not in declared:
                raise ValueError(f"model '{model.name}' starts undeclared parameter '{name}'")
    _REGISTRY[model.name] = model
    return model


def unregister(name: str) -> None:
    """Take a model out of the registry: for models registered for a while (a test's recording
    model), so the catalog does not keep offering them."""
    del _REGISTRY[name]
