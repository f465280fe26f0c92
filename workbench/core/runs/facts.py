"""What a run report says, read from a LoadedRun as plain values (no Qt).

Nothing in a report is typed by hand, so it cannot drift from the run: the data's fingerprint
comes from the run's spec and the project's dataset reference, the chain is the one the run
recorded its pipeline was compiled from (the model's own default steps included, named as the
Prepare panel names them), the parameters are the ones the model was fitted with (set, tuned or
default), and every score is the experiment log's number. The class balance and the target's
range are counted on the run's own labelled rows (its out-of-fold and test predictions), so
they hold even when the project's data was re-imported since.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.chain.resolve import ResolvedStep
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.metrics.names import (
    CLASSIFICATION_METRICS,
    METRIC_LABELS,
    REGRESSION_METRICS,
    greater_is_better,
)
from workbench.core.params import Param
from workbench.core.profile.store import load_stored_profile
from workbench.core.runs.environment import Environment
from workbench.core.runs.loaded import LoadedRun
from workbench.core.runs.log import TIMINGS, RunRecord
from workbench.core.runs.spec import RowCounts
from workbench.core.specs import SplitSpec, TuneSpec

SEVERE_ALERTS = ("critical", "warning")
SCHEME_SENTENCES = {
    "holdout": "Hold-out validation: one validation set of {validation:.0%} of the development "
    "rows{stratified}",
    "kfold": "{k}-fold cross-validation{shuffled}",
    "stratified_kfold": "Stratified {k}-fold cross-validation{shuffled}: every fold keeps each "
    "class's share",
    "repeated_kfold": "{k}-fold cross-validation repeated {repeats} times with different "
    "shuffles ({folds} fits)",
    "group_kfold": "Group {k}-fold cross-validation on '{group}': rows sharing a value of "
    "'{group}' stay in one fold, so no fold is validated on a group it was fitted on",
    "timeseries": "Time-series split on '{time}' in {k} folds: each fold is validated on rows "
    "later than every row it was fitted on",
    "hash": "Hash split on the id column '{id}': {validation:.0%} of the development rows "
    "validate, chosen by a hash of the id, so a row always lands in the same split",
}
TUNE_SENTENCES = {
    "grid": "Grid search",
    "random": "Random search",
    "halving": "Successive halving",
}


@dataclass(frozen=True)
class Setting:
    """One parameter as a form shows it: its label, name, value as text, and where the value
    came from ("set" by the user, "tuned" by the search, "default")."""

    label: str
    name: str
    value: str
    source: str = "set"


@dataclass(frozen=True)
class ChainStepFacts:
    number: int
    label: str
    name: str
    columns: str
    settings: tuple[Setting, ...]
    added_for_model: bool  # a default step the model needs (scaling, imputing), not the user's


@dataclass(frozen=True)
class MetricRow:
    """One metric: validation mean and std over the folds, train mean, test score (None when
    the run has none)."""

    name: str
    label: str
    validation_mean: float | None
    validation_std: float | None
    train: float | None
    test: float | None
    is_run_metric: bool
    higher_is_better: bool


@dataclass(frozen=True)
class FoldRow:
    fold: int
    rows: int  # the fold's validation rows
    train: float | None
    validation: float | None


@dataclass(frozen=True)
class DatasetFacts:
    source_name: str
    source_sha256: str
    source_size: int
    data_sha256: str  # the stored data's sha256 now
    run_sha256: str  # the stored data's sha256 when the run trained
    rows: int
    columns: int
    imported_at: str

    @property
    def changed(self) -> bool:
        """The project's data was re-imported since the run."""
        return self.data_sha256 != self.run_sha256


@dataclass(frozen=True)
class RunFacts:
    """Everything a report of one run says, except its plots."""

    run_id: str
    name: str
    model: str
    model_label: str
    project: str
    task: TaskType
    target: str
    metric: str
    positive: Any
    classes: list | None
    started_at: str
    finished_at: str | None
    duration: float | None
    seed: int
    dataset: DatasetFacts | None
    features: list[tuple[str, str]]  # (column, kind)
    class_balance: list[tuple[Any, int]] | None  # classification: (label, rows)
    target_summary: dict[str, float] | None  # regression: count, mean, std, min, median, max
    profile_lines: list[str]
    chain: list[ChainStepFacts]
    chain_rebuilt: bool  # the run predates recording its chain: rebuilt with today's defaults
    model_settings: list[Setting]
    tuning: str
    validation: str
    rows: RowCounts
    folds: list[FoldRow]
    metrics: list[MetricRow]
    per_class: dict[str, list[dict[str, Any]]]  # "oof" / "test" -> metrics.per_class_report
    timings: dict[str, float]  # mean seconds per fold: fit_seconds, predict_seconds
    note: str
    tags: tuple[str, ...]
    training_notes: list[str]
    environment: Environment
    host: str
    written_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())


def gather_facts(run: LoadedRun) -> RunFacts:
    """The report's facts of a finished run."""
    record, spec, predictions = run.record, run.spec, run.predictions
    dataset = run.project.dataset
    data = None
    profile_lines = ["The project's data has no dataset reference."]
    if dataset is not None:
        data = DatasetFacts(
            source_name=dataset.source_name,
            source_sha256=dataset.source_sha256,
            source_size=dataset.source_size,
            data_sha256=dataset.data_sha256,
            run_sha256=spec.dataset_sha256,
            rows=dataset.rows,
            columns=dataset.columns,
            imported_at=dataset.imported_at,
        )
        profile = None
        if not data.changed:
            profile = load_stored_profile(run.root, dataset, spec.target)
        profile_lines = _profile_lines(profile, data.changed)
    truth = predictions.labelled_truth()
    classes = predictions.classes
    return RunFacts(
        run_id=record.run_id,
        name=record.name or run.model.label,
        model=run.model.name,
        model_label=run.model.label,
        project=run.project.name,
        task=run.task,
        target=spec.target,
        metric=spec.metric,
        positive=predictions.positive,
        classes=classes,
        started_at=record.started_at,
        finished_at=record.finished_at,
        duration=record.duration,
        seed=spec.seed,
        dataset=data,
        features=[(name, kind.value) for name, kind in run.features.items()],
        class_balance=_class_balance(truth, classes) if classes else None,
        target_summary=None if predictions.is_classification else _target_summary(truth),
        profile_lines=profile_lines,
        chain=chain_facts(run.resolved_chain.steps),
        chain_rebuilt=run.chain_rebuilt,
        model_settings=fitted_settings(run),
        tuning=tuning_sentence(spec.tune, best_params(record)),
        validation=split_sentence(spec.split, spec.rows, spec.seed),
        rows=spec.rows,
        folds=_folds(record, spec.metric, run.oof),
        metrics=metric_rows(record, spec.metric, predictions.is_classification),
        per_class={which: predictions.per_class(which) for which in predictions.splits}
        if predictions.is_classification
        else {},
        timings=_timings(record),
        note=record.note or "",
        tags=tuple(record.tags),
        training_notes=list(spec.notes),
        environment=record.env,
        host=record.host,
    )


# ---- the data -------------------------------------------------------------------------------


def _class_balance(truth: pd.Series, classes: Sequence[Any]) -> list[tuple[Any, int]]:
    values = truth.to_numpy()
    return [(label, int((values == label).sum())) for label in classes]


def _target_summary(truth: pd.Series) -> dict[str, float]:
    values = truth.to_numpy(dtype="float64")
    return {
        "count": float(values.size),
        "mean": float(np.mean(values)),
        "std": float(np.std(values)),
        "min": float(np.min(values)),
        "median": float(np.median(values)),
        "max": float(np.max(values)),
    }


def _profile_lines(profile: Any, changed: bool) -> list[str]:
    if changed:
        return [
            "The project's data was re-imported since this run, so its stored profile describes "
            "other data and is left out."
        ]
    if profile is None:
        return ["The data was not profiled: open the Profile panel to see its alerts."]
    lines = [f"{profile.missing_cells:,} missing cells, {profile.duplicate_rows:,} duplicate rows."]
    alerts = [alert for alert in profile.alerts if alert.severity in SEVERE_ALERTS]
    alerts.sort(key=lambda alert: SEVERE_ALERTS.index(alert.severity))
    lines += [f"{alert.severity.capitalize()}: {alert.message}" for alert in alerts]
    if not alerts:
        lines.append("The profile raised no warning or critical alert.")
    return lines


# ---- the chain and the model ----------------------------------------------------------------


def value_text(value: Any) -> str:
    """A parameter value as a form shows it."""
    if value is None:
        return "none"
    if value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(value_text(item) for item in value) or "(empty)"
    return str(value)


def _settings(params: Sequence[Param], resolved: Mapping[str, Any]) -> list[Setting]:
    """Every parameter in `params` with its resolved value (defaults filled in), labelled as
    its form labels it; values nothing declares (a newer version's) at the end."""
    declared = {param.name for param in params}
    settings = [
        Setting(param.label, param.name, value_text(resolved.get(param.name, param.default)))
        for param in params
    ]
    settings += [
        Setting(name, name, value_text(value))
        for name, value in resolved.items()
        if name not in declared
    ]
    return settings


def chain_facts(steps: Sequence[ResolvedStep]) -> list[ChainStepFacts]:
    """The steps of a compiled chain (resolved, the model's marked as added) as the Prepare
    panel names them, with every parameter's value."""
    chain = []
    for step in steps:
        if step.definition is None:
            label, settings = (
                f"unknown step '{step.name}'",
                [Setting(str(k), str(k), value_text(v)) for k, v in step.spec.params.items()],
            )
            min_columns = 1
        else:
            label = step.label
            # Refused values (this version's rules) are still what the run used.
            used = step.params if step.params is not None else step.spec.params
            settings = _settings(step.definition.params, used)
            min_columns = step.definition.min_columns
        # The Prepare panel's wording for a step without columns (chain_list.columns_text).
        columns = ", ".join(step.spec.columns) or ("all features" if min_columns == 0 else "none")
        chain.append(
            ChainStepFacts(len(chain) + 1, label, step.name, columns, tuple(settings), step.added)
        )
    return chain


def fitted_settings(run: LoadedRun) -> list[Setting]:
    """Every parameter of the run's fitted model, and where its value came from."""
    record = run.record
    chosen = dict(run.spec.model.params)
    return model_settings(run.model, chosen, best_params(record), final_params(record))


def best_params(record: RunRecord) -> dict[str, Any]:
    """The tuned parameters, logged as best.<name>."""
    return {
        key[len("best.") :]: value
        for key, value in record.params.items()
        if key.startswith("best.")
    }


def final_params(record: RunRecord) -> dict[str, Any]:
    """Parameters the final fit chose itself (XGBoost's rounds under early stopping)."""
    return {
        key[len("final.") :]: value
        for key, value in record.params.items()
        if key.startswith("final.")
    }


def model_settings(
    model: Any,
    chosen: Mapping[str, Any],
    best: Mapping[str, Any],
    final: Mapping[str, Any] | None = None,
) -> list[Setting]:
    """The model's parameters as fitted: early-stopped over tuned over the user's over the
    defaults."""
    final = final or {}

    def source(name: str) -> str:
        if name in final:
            return "early stopping"
        return "tuned" if name in best else "set" if name in chosen else "default"

    values = {**chosen, **best, **final}
    try:
        resolved = model.resolve(values)
    except WorkbenchError:
        resolved = values  # a value this version refuses is still what the run used
    return [replace(s, source=source(s.name)) for s in _settings(model.params, resolved)]


def tuning_sentence(tune: TuneSpec, best: Mapping[str, Any]) -> str:
    if tune.method == "none":
        return "No tuning: the model was trained with its parameters as set."
    budget = f"{tune.n_trials} candidates"
    if tune.time_budget_seconds:
        budget += f" within {float(tune.time_budget_seconds):g} s"
    metric = tune.metric
    scored = f", scored by {METRIC_LABELS.get(metric, metric)}" if metric else ""
    found = "; the parameters marked 'tuned' won" if best else "; it kept the parameters as set"
    return f"{TUNE_SENTENCES.get(tune.method, tune.method)} over {budget}{scored}{found}."


# ---- validation and scores ------------------------------------------------------------------


def split_sentence(split: SplitSpec, rows: RowCounts, seed: int) -> str:
    """The validation scheme in words, with its row counts."""
    k = split.n_splits
    template = SCHEME_SENTENCES.get(split.scheme, f"Validation scheme '{split.scheme}'")
    head = template.format(
        k=k,
        repeats=split.n_repeats,
        folds=k * split.n_repeats,
        validation=split.validation_fraction,
        group=split.group_column,
        time=split.time_column,
        id=split.id_column,
        shuffled=f" (rows shuffled with seed {seed})" if split.shuffle else " (rows in data order)",
        stratified=" (stratified by class for classification)",
    )
    sentence = f"{head}, on {rows.development:,} development rows."
    if rows.test:
        sentence += (
            f" Before that, {rows.test:,} rows ({split.test_fraction:.0%}) were held out as a "
            "test set, scored once by the final model fitted on all development rows."
        )
    else:
        sentence += " There is no test set: the scores below are the validation folds' only."
    if rows.unlabelled:
        sentence += f" {rows.unlabelled:,} rows without a target were left out."
    return sentence


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def metric_rows(record: RunRecord, metric: str, is_classification: bool) -> list[MetricRow]:
    """Every scored metric: the run's own first, then in the workbench's order."""
    validation = record.fold_summary("validation")
    train = record.scores("train")
    test = record.scores("test")
    names = dict.fromkeys([*validation, *train, *test])
    order = CLASSIFICATION_METRICS if is_classification else REGRESSION_METRICS
    ranked = sorted(
        names,
        key=lambda name: (
            name != metric,
            order.index(name) if name in order else len(order),
            name,
        ),
    )
    rows = []
    for name in ranked:
        summary = validation.get(name, {})
        rows.append(
            MetricRow(
                name=name,
                label=METRIC_LABELS.get(name, name),
                validation_mean=_finite(summary.get("mean")),
                validation_std=_finite(summary.get("std")),
                train=_finite(train.get(name)),
                test=_finite(test.get(name)),
                is_run_metric=name == metric,
                higher_is_better=_higher(name),
            )
        )
    return rows


def _higher(name: str) -> bool:
    try:
        return greater_is_better(name)
    except WorkbenchError:
        return True


def _folds(record: RunRecord, metric: str, oof: pd.DataFrame) -> list[FoldRow]:
    scores = record.fold_scores(metric)
    counts = oof["fold"].value_counts() if "fold" in oof else pd.Series()
    return [
        FoldRow(
            fold=int(row.fold),
            rows=int(counts.get(row.fold, 0)),
            train=_finite(row.train),
            validation=_finite(row.validation),
        )
        for row in scores.itertuples(index=False)
    ]


def _timings(record: RunRecord) -> dict[str, float]:
    folds = record.fold_metrics.get("validation", {})
    timings = {}
    for name in sorted(TIMINGS):
        values = [float(scores[name]) for scores in folds.values() if name in scores]
        if values:
            timings[name] = float(np.mean(values))
    return timings
