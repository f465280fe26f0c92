"""A finished run's results, read back from the experiment log and its prediction files, and
the numbers behind every results plot.

Why it is built this way:
- Reading a run costs one log query and one or two Parquet reads: no pipeline is unpickled and
  no scikit-learn model runs, so the Results panel can load a run in its own thread. The
  numbers come from workbench.core.metrics (one definition of each plot's data); this module
  only picks the rows and columns.
- "oof" (out-of-fold predictions on the development rows) and "test" (the held-out rows) are
  the two prediction sets; every plot method takes `which` to choose one.
- Probability columns are named `proba_<label>` on disk, which loses the label's type (the
  label 1 and the text "1" both read "proba_1"): labels are recovered by matching those names
  against the true and predicted values, which keep their type in Parquet.
- The positive class is not written in the run, so it is found as training found it
  (metrics.positive_label), then checked against the recall the run logged per fold.
- Scatter plots of a million rows would freeze a plot: `sample_rows` picks at most N rows
  (evenly spaced, or a seeded random draw), the same rows every time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.errors import ProjectError, WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.metrics.curves import calibration_bins, pr_points, residuals, roc_points
from workbench.core.metrics.names import best_positions, default_metric, greater_is_better
from workbench.core.metrics.positive import plain, positive_label
from workbench.core.metrics.tables import confusion, per_class_report, summarise_folds
from workbench.core.metrics.thresholds import threshold_table
from workbench.core.runs.log import ExperimentLog, RunRecord, finished_record, open_log

OOF = "oof"
TEST = "test"
PROBA_PREFIX = "proba_"
# Per-fold timings logged beside the validation scores; they are not scores.
TIMINGS = frozenset({"fit_seconds", "predict_seconds"})
DEFAULT_MAX_POINTS = 5000


@dataclass(frozen=True)
class RunResults:
    """One finished run's predictions and scores.

    `oof`: out-of-fold predictions (row, fold, y_true, y_pred, proba_<class>...); `test`: the
    held-out rows' predictions, None without a test set. `fold_metrics`: split ("train",
    "validation") -> fold -> metric -> value, as logged. `summary`: split -> metric -> value
    (the run's whole-split scores: validation and train are fold means, test is one score).
    `classes` follow the probability columns' order; `positive` is the binary positive class.
    """

    run_id: str
    name: str
    model: str
    task: TaskType
    classes: list | None
    positive: Any
    metric: str
    oof: pd.DataFrame
    test: pd.DataFrame | None
    fold_metrics: dict
    summary: dict
    target: str = ""
    proba_columns: tuple[str, ...] = ()
    record: RunRecord | None = field(default=None, repr=False, compare=False)

    # --- the prediction sets -------------------------------------------------------------------

    @property
    def splits(self) -> list[str]:
        """The prediction sets this run has: "oof", and "test" when it had a test set."""
        return [OOF] if self.test is None else [OOF, TEST]

    @property
    def is_classification(self) -> bool:
        return self.task != TaskType.REGRESSION

    def frame(self, which: str = OOF) -> pd.DataFrame:
        """The predictions of `which` ("oof" or "test")."""
        if which == OOF:
            return self.oof
        if which == TEST:
            if self.test is None:
                raise WorkbenchError(f"run '{self.run_id}' has no test set")
            return self.test
        raise WorkbenchError(f"unknown prediction set '{which}'; choose 'oof' or 'test'")

    def y_true(self, which: str = OOF) -> np.ndarray:
        return self.frame(which)["y_true"].to_numpy()

    def y_pred(self, which: str = OOF) -> np.ndarray:
        return self.frame(which)["y_pred"].to_numpy()

    def proba(self, which: str = OOF) -> np.ndarray:
        """Probabilities, one column per class in the order of `classes`."""
        self._require_classification("probabilities")
        return self.frame(which)[list(self.proba_columns)].to_numpy(dtype="float64")

    def proba_of(self, label: Any, which: str = OOF) -> np.ndarray:
        """The probability column of one class."""
        return self.proba(which)[:, self._class_index(label)]

    # --- classification plots -----------------------------------------------------------------

    def confusion(self, which: str = OOF) -> dict:
        """metrics.confusion: counts and row-normalised fractions, classes on both axes."""
        self._require_classification("a confusion matrix")
        return confusion(self.y_true(which), self.y_pred(which), self.classes or [])

    def per_class(self, which: str = OOF) -> list[dict[str, Any]]:
        """metrics.per_class_report: precision, recall, F1 and support per class."""
        self._require_classification("a per-class report")
        return per_class_report(self.y_true(which), self.y_pred(which), self.classes or [])

    def roc(self, which: str = OOF, max_points: int = 200) -> list[dict[str, Any]]:
        """metrics.roc_points; a binary run gives the positive class's curve only (the other
        class's curve is its mirror image)."""
        self._require_classification("a ROC curve")
        curves = roc_points(self.y_true(which), self.proba(which), self.classes, max_points)
        return self._positive_only(curves)

    def pr(self, which: str = OOF, max_points: int = 200) -> list[dict[str, Any]]:
        """metrics.pr_points; a binary run gives the positive class's curve only."""
        self._require_classification("a precision-recall curve")
        curves = pr_points(self.y_true(which), self.proba(which), self.classes, max_points)
        return self._positive_only(curves)

    def calibration(
        self, which: str = OOF, n_bins: int = 10, label: Any = None
    ) -> list[dict[str, float]]:
        """metrics.calibration_bins of one class's probability (the positive class of a
        binary run unless `label` names another)."""
        label = self._default_label(label)
        return calibration_bins(
            self.y_true(which), self.proba_of(label, which), n_bins, positive_label=label
        )

    def score_distribution(self, which: str = OOF, label: Any = None, bins: int = 20) -> dict:
        """Histograms of one class's predicted probability, one per true class: how well the
        scores separate the classes. {label, edges, by_class: [{class, counts, count}]}; the
        bins are equal-width over 0..1, the last one closed."""
        label = self._default_label(label)
        scores = self.proba_of(label, which)
        truth = self.y_true(which)
        edges = np.linspace(0.0, 1.0, int(bins) + 1)
        by_class = []
        for cls in self.classes or []:
            inside = scores[truth == cls]
            counts, _ = np.histogram(inside, bins=edges)
            by_class.append(
                {
                    "class": plain(cls),
                    "counts": counts.astype(int).tolist(),
                    "count": int(inside.shape[0]),
                }
            )
        return {"label": plain(label), "edges": edges.tolist(), "by_class": by_class}

    def thresholds(
        self,
        which: str = OOF,
        cost_fp: float = 1.0,
        cost_fn: float = 1.0,
        points: int | None = None,
    ) -> pd.DataFrame:
        """thresholds.threshold_table of the positive class (binary runs only)."""
        if self.task != TaskType.BINARY:
            raise WorkbenchError("the threshold view is for binary classification runs only")
        return threshold_table(
            self.y_true(which),
            self.proba_of(self.positive, which),
            self.positive,
            cost_fp,
            cost_fn,
            points,
        )

    # --- regression plots ---------------------------------------------------------------------

    def residuals(self, which: str = OOF, n_bins: int = 30, max_points: int = 500) -> dict:
        """metrics.residuals: statistics, histogram and thinned (predicted, residual) points."""
        self._require_regression("residuals")
        return residuals(self.y_true(which), self.y_pred(which), n_bins, max_points)

    def predicted_vs_actual(
        self, which: str = OOF, max_points: int = DEFAULT_MAX_POINTS, seed: int | None = 0
    ) -> dict[str, Any]:
        """At most `max_points` (actual, predicted) pairs (see sample_rows), with the range
        of all the rows (`low`, `high`) for the identity line and the axes."""
        self._require_regression("a predicted-vs-actual plot")
        actual = self.frame(which)["y_true"].to_numpy(dtype="float64")
        predicted = self.frame(which)["y_pred"].to_numpy(dtype="float64")
        keep = sample_rows(actual.shape[0], max_points, seed)
        both = np.concatenate([actual, predicted])
        return {
            "actual": actual[keep].tolist(),
            "predicted": predicted[keep].tolist(),
            "rows": self.frame(which)["row"].to_numpy()[keep].tolist(),
            "count": int(actual.shape[0]),
            "low": float(both.min()),
            "high": float(both.max()),
        }

    # --- scores ---------------------------------------------------------------------------------

    def fold_scores(self, metric: str | None = None) -> pd.DataFrame:
        """One row per fold: `fold`, `train` and `validation` scores of `metric` (the run's
        metric by default); NaN where a fold has no such score (e.g. training scores of a
        metric undefined on the training rows)."""
        metric = metric or self.metric
        folds = sorted(
            set(self.fold_metrics.get("validation", {})) | set(self.fold_metrics.get("train", {}))
        )
        # Typed arrays, not records then astype: the runner builds one per metric per run.
        return pd.DataFrame(
            {
                "fold": np.array(folds, dtype="int64"),
                "train": np.array(
                    [_value(self.fold_metrics, "train", f, metric) for f in folds], dtype="float64"
                ),
                "validation": np.array(
                    [_value(self.fold_metrics, "validation", f, metric) for f in folds],
                    dtype="float64",
                ),
            }
        )

    def fold_summary(self, split: str = "validation") -> dict[str, dict[str, Any]]:
        """metrics.summarise_folds over the folds of `split` (timings left out)."""
        folds = self.fold_metrics.get(split, {})
        return summarise_folds(
            [
                {name: value for name, value in folds[fold].items() if name not in TIMINGS}
                for fold in sorted(folds)
            ]
        )

    def scores(self, split: str = "validation") -> dict[str, float]:
        """The run's whole-split scores of `split` ("train", "validation" or "test")."""
        return {k: v for k, v in self.summary.get(split, {}).items() if k not in TIMINGS}

    # --- helpers ----------------------------------------------------------------------------

    def _require_classification(self, what: str) -> None:
        if not self.is_classification:
            raise WorkbenchError(
                f"{what} needs a classification run; '{self.run_id}' is regression"
            )

    def _require_regression(self, what: str) -> None:
        if self.is_classification:
            raise WorkbenchError(
                f"{what} needs a regression run; '{self.run_id}' is {self.task.value}"
            )

    def _class_index(self, label: Any) -> int:
        for index, cls in enumerate(self.classes or []):
            if cls == label:
                return index
        raise WorkbenchError(
            f"'{label}' is not a class of run '{self.run_id}'; classes: "
            f"{', '.join(str(c) for c in self.classes or [])}"
        )

    def _default_label(self, label: Any) -> Any:
        self._require_classification("class probabilities")
        if label is not None:
            return label
        return self.positive if self.task == TaskType.BINARY else (self.classes or [None])[0]

    def _positive_only(self, curves: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.task != TaskType.BINARY:
            return curves
        return [c for c in curves if c["class"] == plain(self.positive)]


def _value(fold_metrics: dict, split: str, fold: int, metric: str) -> float:
    return float(fold_metrics.get(split, {}).get(fold, {}).get(metric, math.nan))


def sample_rows(n_rows: int, max_points: int, seed: int | None = 0) -> np.ndarray:
    """Sorted positions of at most `max_points` of `n_rows` rows, for scatter plots.

    `seed` None: evenly spaced, always keeping the first and last row (good for rows in a
    meaningful order). An integer: a random draw with that seed (good for rows in data order,
    where even spacing could follow a pattern). All rows when there are few enough.
    """
    if max_points < 1:
        raise WorkbenchError(f"a plot needs at least one point, got max_points={max_points}")
    if n_rows <= max_points:
        return np.arange(n_rows, dtype=np.int64)
    if seed is None:
        return np.unique(np.linspace(0, n_rows - 1, max_points).round().astype(np.int64))
    chosen = np.random.default_rng(seed).choice(n_rows, size=max_points, replace=False)
    return np.sort(chosen).astype(np.int64)


def downsample(
    *arrays: Sequence[Any], max_points: int = DEFAULT_MAX_POINTS, seed: int | None = 0
) -> list[np.ndarray]:
    """The same `sample_rows` rows of each array (x, y, colours...), kept paired."""
    if not arrays:
        return []
    columns = [np.asarray(array) for array in arrays]
    lengths = {column.shape[0] for column in columns}
    if len(lengths) != 1:
        raise WorkbenchError(f"arrays to plot together differ in length: {sorted(lengths)}")
    keep = sample_rows(lengths.pop(), max_points, seed)
    return [column[keep] for column in columns]


# --- loading -------------------------------------------------------------------------------


def read_artifact_frame(log: ExperimentLog, record: RunRecord, kind: str) -> pd.DataFrame:
    """A Parquet artifact of the run, with a clear error when it is missing or unreadable."""
    artifact = record.artifacts.get(kind)
    if artifact is None:
        raise ProjectError(f"run '{record.run_id}' has no '{kind}' artifact")
    path = log.root / artifact.path
    if not path.is_file():
        raise ProjectError(f"{path} is missing; the run's '{kind}' file is gone")
    try:
        return pd.read_parquet(path)
    except Exception as error:  # pyarrow raises several unrelated types for a bad file
        raise ProjectError(f"cannot read {path}: {error}") from error


def load_run_results(project_root: str | Path, run_id: str) -> RunResults:
    """A finished run's results; a WorkbenchError when the run failed, was cancelled, is still
    running, or its prediction files are missing."""
    with open_log(project_root) as log:
        record = finished_record(log, run_id)
        oof = read_artifact_frame(log, record, "oof")
        test = None
        if "test_predictions" in record.artifacts:
            test = read_artifact_frame(log, record, "test_predictions")
    return results_from_record(record, oof, test)


def results_from_record(
    record: RunRecord, oof: pd.DataFrame, test: pd.DataFrame | None
) -> RunResults:
    """RunResults from a record and its prediction frames (already read)."""
    spec = record.spec
    task = TaskType(spec.get("task", "regression"))
    columns = tuple(c for c in oof.columns if str(c).startswith(PROBA_PREFIX))
    classes = positive = None
    if task != TaskType.REGRESSION:
        if not columns:
            raise ProjectError(f"run '{record.run_id}': its out-of-fold file has no probabilities")
        classes = _labels(columns, [oof] if test is None else [oof, test])
        if task == TaskType.BINARY:
            positive = _positive(record, classes, oof)
    model = (spec.get("model") or {}).get("name", "")
    return RunResults(
        run_id=record.run_id,
        name=record.name or model,
        model=model,
        task=task,
        classes=classes,
        positive=positive,
        metric=str(spec.get("metric") or default_metric(task)),
        oof=oof,
        test=test,
        fold_metrics=record.fold_metrics,
        summary=record.metrics,
        target=str(spec.get("target", "")),
        proba_columns=columns,
        record=record,
    )


def _labels(columns: Sequence[str], frames: Sequence[pd.DataFrame]) -> list[Any]:
    """The class label behind each `proba_<label>` column, with the label's own type."""
    seen: dict[str, Any] = {}
    for frame in frames:
        for name in ("y_true", "y_pred"):
            for value in pd.unique(frame[name].dropna()):
                seen.setdefault(str(value), plain(value))
    labels = []
    for column in columns:
        text = column[len(PROBA_PREFIX) :]
        # A class no row was or was predicted as keeps the text of its column name.
        labels.append(seen.get(text, text))
    return labels


def _positive(record: RunRecord, classes: list[Any], oof: pd.DataFrame) -> Any:
    """The binary positive class as training chose it, confirmed by the logged recall."""
    if "positive" in record.spec:
        return record.spec["positive"]
    if len(classes) != 2:
        return None
    truth = oof["y_true"].to_numpy()
    guess = positive_label(classes, truth)
    logged = record.fold_metrics.get("validation", {})
    fold_column = oof["fold"].to_numpy() if "fold" in oof.columns else None
    for fold, values in sorted(logged.items()):
        if "recall" not in values or fold_column is None:
            continue
        rows = fold_column == fold
        matches = [
            label
            for label in (guess, *(c for c in classes if c != guess))
            if math.isclose(
                _recall(truth[rows], oof["y_pred"].to_numpy()[rows], label),
                values["recall"],
                abs_tol=1e-12,
            )
        ]
        # Both classes can share a recall by chance; only a lone match settles it.
        if len(matches) == 1:
            return matches[0]
    return guess


def _recall(truth: np.ndarray, predicted: np.ndarray, label: Any) -> float:
    actual = truth == label
    return float((predicted[actual] == label).mean()) if actual.any() else 0.0


def compare_metrics(results: Sequence[RunResults], split: str = "validation") -> pd.DataFrame:
    """Runs side by side: one row per metric of `split`, one column per run id (NaN where a
    run lacks it), `best` the run id with the best value (higher or lower, as the metric
    says; the first on ties) and `greater_is_better`."""
    names: dict[str, None] = {}
    for result in results:
        names.update(dict.fromkeys(result.scores(split)))
    rows = []
    for name in names:
        values = [result.scores(split).get(name, math.nan) for result in results]
        positions = best_positions(name, values)
        best = results[positions[0]].run_id if positions else None
        rows.append([name, *values, best, greater_is_better(name)])
    ids = [result.run_id for result in results]
    return pd.DataFrame(rows, columns=["metric", *ids, "best", "greater_is_better"])
