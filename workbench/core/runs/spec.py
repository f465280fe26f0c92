"""What a run was asked to do, as the experiment log records it: a frozen, typed RunSpec.

The runner writes one RunSpec per model it trains; everything that later reads a run (results,
export, the model card, the report, predict, the learning curve) reads these typed fields, never
the stored JSON by key.

Why it is built this way:
- The chain is recorded as the pipeline was compiled from it: the user's chain, and the full
  chain with the model's own default steps (scaling for a linear model, one-hot for XGBoost),
  each marked. A card written a year later describes the pickle it ships with, even when the
  model's defaults have changed since.
- The feature columns keep their kinds, and the data its sha256 and row counts, so the run is
  described without the project's current state.
- The JSON is versioned. Logs written before version 2 stored a plainer dict (feature names
  without kinds, the user's chain only, the seed, data sha256 and row counts in columns of the
  log, the training notes as a parameter); `logged_spec` reads both, so the projects users have
  today keep opening. What such a run did not record stays None (a feature's kind, the compiled
  chain): LoadedRun completes it from the project and says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnKind, TaskType
from workbench.core.metrics.names import default_metric
from workbench.core.specs import ChainSpec, ModelSpec, SplitSpec, StepSpec, TrainSpec, TuneSpec

SPEC_VERSION = 2
# A class label as JSON holds it: the positive class of a binary run.
Label = str | int | float | bool | None


@dataclass(frozen=True)
class FeatureColumn:
    """A column the model reads, with its kind when the run recorded it (None: a run logged
    before kinds were recorded; LoadedRun then takes the project's)."""

    name: str
    kind: ColumnKind | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": None if self.kind is None else self.kind.value}

    @classmethod
    def from_dict(cls, data: Any) -> FeatureColumn:
        if isinstance(data, str):  # version 1: the name only
            return cls(data)
        if not isinstance(data, Mapping) or "name" not in data:
            raise WorkbenchError(f"a feature column must be an object with a 'name', got {data!r}")
        kind = data.get("kind")
        return cls(str(data["name"]), None if kind is None else ColumnKind(kind))


@dataclass(frozen=True)
class RowCounts:
    """How the run's rows were divided: all the data's rows, the development rows the folds
    split, the held-out test rows, the rows left out for a missing target, and the folds."""

    total: int = 0
    development: int = 0
    test: int = 0
    unlabelled: int = 0
    folds: int = 0

    def to_dict(self) -> dict[str, int]:
        return {
            "total": self.total,
            "development": self.development,
            "test": self.test,
            "unlabelled": self.unlabelled,
            "folds": self.folds,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> RowCounts:
        data = data or {}
        return cls(**{name: int(data.get(name) or 0) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class RecordedChain:
    """The preprocessing as the run recorded it.

    `user`: the Prepare panel's chain when the run trained. `compiled`: the chain the pipeline
    was compiled from (the user's steps and the model's default steps), `added_for_model`
    marking the defaults by position; None for a run logged before it was recorded.
    """

    user: ChainSpec = field(default_factory=ChainSpec)
    compiled: ChainSpec | None = None
    added_for_model: tuple[bool, ...] = ()

    def __post_init__(self) -> None:
        if self.compiled is not None and len(self.compiled.steps) != len(self.added_for_model):
            raise WorkbenchError(
                f"a recorded chain marks {len(self.added_for_model)} steps for "
                f"{len(self.compiled.steps)} compiled ones"
            )

    @classmethod
    def from_compiled(cls, user: ChainSpec, compiled: ChainSpec) -> RecordedChain:
        """The record of `compiled` (the user's steps with the model's defaults inserted):
        a step is the model's when it is not the user's next one in order."""
        remaining = list(user.steps)
        added = []
        for step in compiled.steps:
            if step in remaining:
                remaining.remove(step)
                added.append(False)
            else:
                added.append(True)
        return cls(user, compiled, tuple(added))

    def pipeline_chain(self) -> ChainSpec:
        """The compiled chain (a WorkbenchError for a run that did not record it)."""
        if self.compiled is None:
            raise WorkbenchError("this run did not record the chain its pipeline was compiled from")
        return self.compiled

    def steps(self) -> list[tuple[StepSpec, bool]]:
        """(step, added for the model) of the compiled chain, in order."""
        return list(zip(self.pipeline_chain().steps, self.added_for_model, strict=True))

    def to_dict(self) -> dict[str, Any]:
        compiled = None
        if self.compiled is not None:
            compiled = {**self.compiled.to_dict(), "added_for_model": list(self.added_for_model)}
        return {"user": self.user.to_dict(), "compiled": compiled}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> RecordedChain:
        data = data or {}
        compiled = data.get("compiled")
        if compiled is None:
            return cls(ChainSpec.from_dict(data.get("user")))
        added = tuple(bool(flag) for flag in compiled.get("added_for_model") or ())
        return cls(ChainSpec.from_dict(data.get("user")), ChainSpec.from_dict(compiled), added)


@dataclass(frozen=True)
class RunSpec:
    """One model's run: the data it used, the chain and model, how it was validated and tuned.

    `metric` is the metric the run was scored and tuned by (the task's default resolved);
    `positive` the binary task's positive class (None otherwise); `notes` what training said
    about the run (an option the model ignored, a chain step a tree gains nothing from).
    """

    task: TaskType
    target: str
    features: tuple[FeatureColumn, ...]
    chain: RecordedChain
    model: ModelSpec
    split: SplitSpec
    tune: TuneSpec
    metric: str
    seed: int
    dataset_sha256: str
    rows: RowCounts
    n_jobs: int | None = None
    early_stopping: bool = True
    positive: Label = None
    notes: tuple[str, ...] = ()

    @property
    def feature_names(self) -> list[str]:
        return [feature.name for feature in self.features]

    def train_spec(self) -> TrainSpec:
        """The training job that trains this run's model again with its settings (no extra
        baseline: the run itself may be the baseline)."""
        return TrainSpec(
            models=(self.model,),
            split=self.split,
            tune=self.tune,
            seed=self.seed,
            n_jobs=self.n_jobs,
            include_baseline=False,
            early_stopping=self.early_stopping,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": SPEC_VERSION,
            "task": self.task.value,
            "target": self.target,
            "features": [feature.to_dict() for feature in self.features],
            "chain": self.chain.to_dict(),
            "model": self.model.to_dict(),
            "split": self.split.to_dict(),
            "tune": self.tune.to_dict(),
            "metric": self.metric,
            "seed": self.seed,
            "n_jobs": self.n_jobs,
            "early_stopping": self.early_stopping,
            "positive": self.positive,
            "dataset": {"sha256": self.dataset_sha256, "rows": self.rows.to_dict()},
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunSpec:
        """A spec in the current format; a WorkbenchError naming what is missing or wrong."""
        if not isinstance(data, Mapping):
            raise WorkbenchError(f"a run spec must be a JSON object, got {type(data).__name__}")
        version = data.get("version")
        if version != SPEC_VERSION:
            raise WorkbenchError(
                f"run spec version {version!r} is not {SPEC_VERSION}; read it with logged_spec"
            )
        try:
            n_jobs = data.get("n_jobs")
            dataset = data["dataset"]
            return cls(
                task=TaskType(data["task"]),
                target=str(data["target"]),
                features=tuple(FeatureColumn.from_dict(item) for item in data["features"]),
                chain=RecordedChain.from_dict(data["chain"]),
                model=ModelSpec.from_dict(data["model"]),
                split=SplitSpec.from_dict(data.get("split")),
                tune=TuneSpec.from_dict(data.get("tune")),
                metric=str(data["metric"]),
                seed=int(data["seed"]),
                dataset_sha256=str(dataset["sha256"]),
                rows=RowCounts.from_dict(dataset.get("rows")),
                n_jobs=None if n_jobs is None else int(n_jobs),
                early_stopping=bool(data.get("early_stopping", True)),
                positive=data.get("positive"),
                notes=tuple(str(note) for note in data.get("notes") or ()),
            )
        except KeyError as error:
            raise WorkbenchError(f"the run spec has no '{error.args[0]}'") from error
        except (TypeError, ValueError) as error:
            raise WorkbenchError(f"the run spec is damaged: {error}") from error


def logged_spec(
    data: Mapping[str, Any],
    *,
    seed: int,
    dataset_sha256: str,
    rows: Mapping[str, Any] | None,
    notes: Sequence[Any] | None = None,
) -> RunSpec:
    """The RunSpec of a log row: the current format as it is; a version 1 dict (what the
    runner wrote until RunSpec, without "version") migrated with what the row kept beside it:
    its seed, data sha256 and row counts columns and its "notes" parameter. Such a run recorded
    the user's chain only and its features without kinds: those stay None."""
    if not isinstance(data, Mapping) or "version" in data:
        return RunSpec.from_dict(data)
    missing = [key for key in ("task", "target", "model") if key not in data]
    if missing:
        raise WorkbenchError(f"the run spec has no '{missing[0]}'")
    task = TaskType(data["task"])
    return RunSpec.from_dict(
        {
            "version": SPEC_VERSION,
            "task": task.value,
            "target": data["target"],
            "features": list(data.get("features") or ()),
            "chain": {"user": data.get("chain"), "compiled": None},
            "model": data["model"],
            "split": data.get("split"),
            "tune": data.get("tune"),
            "metric": data.get("metric") or default_metric(task),
            "seed": data.get("seed", seed),
            "n_jobs": data.get("n_jobs"),
            "early_stopping": data.get("early_stopping", True),
            "positive": data.get("positive"),
            "dataset": {"sha256": dataset_sha256, "rows": dict(rows or {})},
            "notes": list(notes or ()),
        }
    )
