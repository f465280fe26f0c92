"""What a run report says, read from the project and the run as plain values (no Qt).

Nothing in a report is typed by hand, so it cannot drift from the run: the data's fingerprint
comes from the run's log record and the project's dataset reference, the chain is the one the
pipeline was compiled from (the model's own default steps included, named as the Prepare panel
names them), the parameters are the ones the model was fitted with (set, tuned or default), and
every score is the experiment log's number. The class balance and the target's range are
counted on the run's own labelled rows (its out-of-fold and test predictions), so they hold
even when the project's data was re-imported since.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
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
from workbench.core.runs.results import TIMINGS, RunResults

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
    model_settings: list[Setting]
    tuning: str
    validation: str
    rows: dict[str, int]
    folds: list[FoldRow]
    metrics: list[MetricRow]
    per_class: dict[str, list[dict[str, Any]]]  # "oof" / "test" -> metrics.per_class_report
    timings: dict[str, float]  # mean seconds per fold: fit_seconds, predict_seconds
    note: str
    tags: tuple[str, ...]
    training_notes: list[str]
    environment: dict[str, Any]
    host: str
    written_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())


def gather_facts(project_root: str | Path, results: RunResults) -> RunFacts:
    """The report's facts of a finished run whose results are loaded (load_run_results)."""
    from workbench.core.export.run_context import run_context
    from workbench.core.profile.store import load_stored_profile

    record = results.record
    if record is None:
        raise WorkbenchError(f"run '{results.run_id}' was loaded without its log record")
    ctx = run_context(project_root, results.run_id)
    spec = record.spec
    dataset = ctx.project.dataset
    data = None
    profile_lines = ["The project's data has no dataset reference."]
    if dataset is not None:
        data = DatasetFacts(
            source_name=dataset.source_name,
            source_sha256=dataset.source_sha256,
            source_size=dataset.source_size,
            data_sha256=dataset.data_sha256,
            run_sha256=record.dataset_sha256,
            rows=dataset.rows,
            columns=dataset.columns,
            imported_at=dataset.imported_at,
        )
        profile = None
        if not data.changed:
            profile = load_stored_profile(ctx.project.root, dataset, spec.get("target"))
        profile_lines = _profile_lines(profile, data.changed)
    truth = _labelled_truth(results)
    return RunFacts(
        run_id=record.run_id,
        name=record.name or ctx.model.label,
        model=ctx.model.name,
        model_label=ctx.model.label,
        project=ctx.project.name,
        task=results.task,
        target=results.target,
        metric=results.metric,
        positive=results.positive,
        classes=results.classes,
        started_at=record.started_at,
        finished_at=record.finished_at,
        duration=record.duration,
        seed=record.seed,
        dataset=data,
        features=[(name, kind.value) for name, kind in ctx.features.items()],
        class_balance=_class_balance(truth, results.classes) if results.classes else None,
        target_summary=None if results.is_classification else _target_summary(truth),
        profile_lines=profile_lines,
        chain=_chain(ctx.full_chain.steps),
        model_settings=model_settings(
            ctx.model, chosen_params(spec), best_params(record), final_params(record)
        ),
        tuning=tuning_sentence(spec.get("tune") or {}, best_params(record)),
        validation=split_sentence(spec.get("split") or {}, record.rows, record.seed),
        rows=dict(record.rows),
        folds=_folds(results),
        metrics=metric_rows(results),
        per_class={which: results.per_class(which) for which in results.splits}
        if results.is_classification
        else {},
        timings=_timings(results),
        note=record.note or "",
        tags=tuple(record.tags),
        training_notes=[str(note) for note in record.params.get("notes") or []],
        environment=dict(record.env),
        host=record.host,
    )


# ---- the data -------------------------------------------------------------------------------


def _labelled_truth(results: RunResults) -> pd.Series:
    """The target of every row the run scored: its out-of-fold rows and its test rows."""
    frames = [results.oof] if results.test is None else [results.oof, results.test]
    return pd.concat([frame["y_true"] for frame in frames], ignore_index=True)


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


def _chain(steps: Sequence[ResolvedStep]) -> list[ChainStepFacts]:
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


def chosen_params(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The model parameters the user set for the run (the rest are defaults or tuned)."""
    return dict((spec.get("model") or {}).get("params") or {})


def best_params(record: Any) -> dict[str, Any]:
    """The tuned parameters, logged as best.<name>."""
    return {
        key[len("best.") :]: value
        for key, value in record.params.items()
        if key.startswith("best.")
    }


def final_params(record: Any) -> dict[str, Any]:
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


def tuning_sentence(tune: Mapping[str, Any], best: Mapping[str, Any]) -> str:
    method = str(tune.get("method") or "none")
    if method == "none":
        return "No tuning: the model was trained with its parameters as set."
    budget = f"{tune.get('n_trials')} candidates"
    if tune.get("time_budget_seconds"):
        budget += f" within {float(tune['time_budget_seconds']):g} s"
    metric = tune.get("metric")
    scored = f", scored by {METRIC_LABELS.get(metric, metric)}" if metric else ""
    found = "; the parameters marked 'tuned' won" if best else "; it kept the parameters as set"
    return f"{TUNE_SENTENCES.get(method, method)} over {budget}{scored}{found}."


# ---- validation and scores ------------------------------------------------------------------


def split_sentence(split: Mapping[str, Any], rows: Mapping[str, int], seed: int) -> str:
    """The validation scheme in words, with its row counts."""
    scheme = str(split.get("scheme") or "?")
    k = int(split.get("n_splits") or 0)
    repeats = int(split.get("n_repeats") or 1)
    shuffle = bool(split.get("shuffle", True))
    template = SCHEME_SENTENCES.get(scheme, f"Validation scheme '{scheme}'")
    head = template.format(
        k=k,
        repeats=repeats,
        folds=k * repeats,
        validation=float(split.get("validation_fraction") or 0.0),
        group=split.get("group_column"),
        time=split.get("time_column"),
        id=split.get("id_column"),
        shuffled=f" (rows shuffled with seed {seed})" if shuffle else " (rows in data order)",
        stratified=" (stratified by class for classification)",
    )
    development = rows.get("development", 0)
    sentence = f"{head}, on {development:,} development rows."
    test = rows.get("test", 0)
    fraction = float(split.get("test_fraction") or 0.0)
    if test:
        sentence += (
            f" Before that, {test:,} rows ({fraction:.0%}) were held out as a test set, scored "
            "once by the final model fitted on all development rows."
        )
    else:
        sentence += " There is no test set: the scores below are the validation folds' only."
    unlabelled = rows.get("unlabelled", 0)
    if unlabelled:
        sentence += f" {unlabelled:,} rows without a target were left out."
    return sentence


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def metric_rows(results: RunResults) -> list[MetricRow]:
    """Every scored metric: the run's own first, then in the workbench's order."""
    validation = results.fold_summary("validation")
    train = results.scores("train")
    test = results.scores("test")
    names = dict.fromkeys([*validation, *train, *test])
    order = CLASSIFICATION_METRICS if results.is_classification else REGRESSION_METRICS
    ranked = sorted(
        (name for name in names if name not in TIMINGS),
        key=lambda name: (
            name != results.metric,
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
                is_run_metric=name == results.metric,
                higher_is_better=_higher(name),
            )
        )
    return rows


def _higher(name: str) -> bool:
    try:
        return greater_is_better(name)
    except WorkbenchError:
        return True


def _folds(results: RunResults) -> list[FoldRow]:
    scores = results.fold_scores(results.metric)
    counts = results.oof["fold"].value_counts() if "fold" in results.oof else pd.Series()
    return [
        FoldRow(
            fold=int(row.fold),
            rows=int(counts.get(row.fold, 0)),
            train=_finite(row.train),
            validation=_finite(row.validation),
        )
        for row in scores.itertuples(index=False)
    ]


def _timings(results: RunResults) -> dict[str, float]:
    folds = results.fold_metrics.get("validation", {})
    timings = {}
    for name in sorted(TIMINGS):
        values = [float(scores[name]) for scores in folds.values() if name in scores]
        if values:
            timings[name] = float(np.mean(values))
    return timings
