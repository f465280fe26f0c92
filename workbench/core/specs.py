"""Specs: what the user asked for, as frozen values that round-trip through project.json.

The GUI edits specs, the project file stores them, and core turns them into estimators. A spec
never holds a fitted object, so the same spec gives the same result on any machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from workbench.core import json_fields
from workbench.core.errors import WorkbenchError
from workbench.core.schemes import split_schemes, tune_methods


@dataclass(frozen=True)
class StepSpec:
    """One preprocessing step: which registered step, on which columns, with which parameters."""

    step: str
    columns: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    enabled: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "columns": list(self.columns),
            "params": {k: list(v) if isinstance(v, tuple) else v for k, v in self.params.items()},
            "enabled": self.enabled,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "step") -> StepSpec:
        """A step from JSON; `path` names it in an error ("chain.steps[2]")."""
        if not isinstance(data, Mapping):
            raise WorkbenchError(f"'{path}' should be an object, not {json_fields.describe(data)}")
        params = json_fields.field(data, "params", (dict, type(None)), path, None) or {}
        return cls(
            step=json_fields.field(data, "step", str, path),
            columns=tuple(json_fields.text_list(data, "columns", path, None) or ()),
            params={k: tuple(v) if isinstance(v, list) else v for k, v in params.items()},
            enabled=json_fields.field(data, "enabled", bool, path, True),
        )


@dataclass(frozen=True)
class ChainSpec:
    """The ordered preprocessing steps of a project."""

    steps: tuple[StepSpec, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"steps": [step.to_dict() for step in self.steps]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None, path: str = "chain") -> ChainSpec:
        """A chain from JSON; a wrong entry is a WorkbenchError naming it under `path`."""
        if not data:
            return cls()
        if not isinstance(data, Mapping):
            raise WorkbenchError(f"'{path}' should be an object, not {json_fields.describe(data)}")
        steps = json_fields.field(data, "steps", list, path, [])
        return cls(
            tuple(StepSpec.from_dict(item, f"{path}.steps[{i}]") for i, item in enumerate(steps))
        )

    # Edits return new chains, so an undo stack can keep the old ones as they were.

    def inserted(self, index: int, step: StepSpec) -> ChainSpec:
        steps = list(self.steps)
        steps.insert(index, step)
        return ChainSpec(tuple(steps))

    def removed(self, index: int) -> ChainSpec:
        return ChainSpec(self.steps[:index] + self.steps[index + 1 :])

    def moved(self, source: int, destination: int) -> ChainSpec:
        steps = list(self.steps)
        steps.insert(destination, steps.pop(source))
        return ChainSpec(tuple(steps))

    def replaced(self, index: int, step: StepSpec) -> ChainSpec:
        steps = list(self.steps)
        steps[index] = step
        return ChainSpec(tuple(steps))

    def toggled(self, index: int) -> ChainSpec:
        step = self.steps[index]
        return self.replaced(index, replace(step, enabled=not step.enabled))

    @property
    def enabled_steps(self) -> tuple[StepSpec, ...]:
        return tuple(step for step in self.steps if step.enabled)


def _plain(value: Any) -> Any:
    """JSON-ready copy: tuples become lists, mappings plain dicts."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


@dataclass(frozen=True)
class ModelSpec:
    """One model to train: a registered model name and the parameters set away from defaults."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "params": _plain(self.params)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ModelSpec:
        if not isinstance(data, Mapping) or "name" not in data:
            raise WorkbenchError(f"a model must be an object with a 'name', got {data!r}")
        return cls(name=str(data["name"]), params=dict(data.get("params") or {}))


@dataclass(frozen=True)
class SplitSpec:
    """How rows are divided: an untouched test set first, then validation folds for the rest.

    `test_fraction` of the rows is set aside before any tuning and scored once at the end
    (0 = no test set). `scheme` then splits the remaining rows: `validation_fraction` is the
    hold-out's share; `n_splits`/`n_repeats` the folds; `group_column`, `time_column` and
    `id_column` are required by the schemes that need them (train.schemes declares which).
    """

    scheme: str = "stratified_kfold"
    n_splits: int = 5
    n_repeats: int = 1
    validation_fraction: float = 0.2
    test_fraction: float = 0.2
    group_column: str | None = None
    time_column: str | None = None
    id_column: str | None = None
    shuffle: bool = True

    def __post_init__(self) -> None:
        schemes = split_schemes()
        if self.scheme not in schemes:
            raise WorkbenchError(
                f"unknown validation scheme '{self.scheme}'; known: {', '.join(schemes)}"
            )

    def to_dict(self) -> dict[str, Any]:
        return _plain(self.__dict__)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> SplitSpec:
        if not data:
            return cls()
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise WorkbenchError(f"unknown split setting '{unknown[0]}'; known: {sorted(known)}")
        return cls(**dict(data))


@dataclass(frozen=True)
class TuneSpec:
    """Hyperparameter search: method, budget (trials and/or seconds), metric, edited space.

    `metric` None means the task's default (ROC AUC binary, macro F1 multiclass, RMSE
    regression). `space` maps model name -> parameter -> values (a list for grid/random
    choices, or {"low", "high", "log"} for a range) and overrides the registry's space.
    """

    method: str = "none"
    n_trials: int = 20
    time_budget_seconds: float | None = None
    metric: str | None = None
    space: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        methods = tune_methods()
        if self.method not in methods:
            raise WorkbenchError(
                f"unknown tuning method '{self.method}'; known: {', '.join(methods)}"
            )

    def to_dict(self) -> dict[str, Any]:
        return _plain(self.__dict__)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> TuneSpec:
        if not data:
            return cls()
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise WorkbenchError(f"unknown tuning setting '{unknown[0]}'; known: {sorted(known)}")
        return cls(**dict(data))


@dataclass(frozen=True)
class TrainSpec:
    """One training job: the models, how rows are split, the search, the seed, the cores.

    `n_jobs` None uses every core; `include_baseline` trains the task's dummy model first, the
    floor every other model must beat. `early_stopping` lets XGBoost stop adding trees when a
    validation slice of each fit's training rows stops improving (`n_estimators` is then the
    ceiling).
    """

    models: tuple[ModelSpec, ...] = ()
    split: SplitSpec = field(default_factory=SplitSpec)
    tune: TuneSpec = field(default_factory=TuneSpec)
    seed: int = 0
    n_jobs: int | None = None
    include_baseline: bool = True
    early_stopping: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "models": [model.to_dict() for model in self.models],
            "split": self.split.to_dict(),
            "tune": self.tune.to_dict(),
            "seed": self.seed,
            "n_jobs": self.n_jobs,
            "include_baseline": self.include_baseline,
            "early_stopping": self.early_stopping,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> TrainSpec:
        if not data:
            return cls()
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise WorkbenchError(f"unknown training setting '{unknown[0]}'; known: {sorted(known)}")
        n_jobs = data.get("n_jobs")
        return cls(
            models=tuple(ModelSpec.from_dict(item) for item in data.get("models") or ()),
            split=SplitSpec.from_dict(data.get("split")),
            tune=TuneSpec.from_dict(data.get("tune")),
            seed=int(data.get("seed", 0)),
            n_jobs=None if n_jobs is None else int(n_jobs),
            include_baseline=bool(data.get("include_baseline", True)),
            early_stopping=bool(data.get("early_stopping", True)),
        )
