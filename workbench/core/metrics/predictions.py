"""A finished run's predictions, and the numbers behind every results plot computed from them.

Why it is built this way:
- "oof" (out-of-fold predictions on the development rows) and "test" (the held-out rows) are
  the two prediction sets; every plot method takes `which` to choose one. The numbers come from
  workbench.core.metrics (one definition of each plot's data); this module only picks the rows
  and columns, and imports no scikit-learn.
- Probability columns are named `proba_<label>` on disk, which loses the label's type (the
  label 1 and the text "1" both read "proba_1"): labels are recovered by matching those names
  against the true and predicted values, which keep their type in Parquet (`class_labels`).
- Runs logged before the positive class was recorded get it as training found it
  (metrics.positive_label), checked against the recall the run logged per fold
  (`infer_positive`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.errors import ProjectError, WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.metrics.curves import calibration_bins, pr_points, residuals, roc_points
from workbench.core.metrics.positive import plain, positive_label
from workbench.core.metrics.sampling import DEFAULT_MAX_POINTS, sample_rows
from workbench.core.metrics.tables import confusion, per_class_report
from workbench.core.metrics.thresholds import threshold_table

OOF = "oof"
TEST = "test"
PROBA_PREFIX = "proba_"


@dataclass(frozen=True)
class RunPredictions:
    """One run's prediction sets: `oof` (row, fold, y_true, y_pred, proba_<class>...) and
    `test` (the held-out rows, None without a test set). `classes` follow the probability
    columns' order; `positive` is the binary positive class."""

    run_id: str
    task: TaskType
    classes: list | None
    positive: Any
    oof: pd.DataFrame
    test: pd.DataFrame | None
    proba_columns: tuple[str, ...] = ()

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

    def labelled_truth(self) -> pd.Series:
        """The target of every row the run scored: its out-of-fold rows and its test rows."""
        frames = [self.oof] if self.test is None else [self.oof, self.test]
        return pd.concat([frame["y_true"] for frame in frames], ignore_index=True)

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


def run_predictions(
    run_id: str,
    task: TaskType,
    oof: pd.DataFrame,
    test: pd.DataFrame | None,
    positive: Any,
    fold_metrics: Mapping[str, Mapping[int, Mapping[str, float]]],
) -> RunPredictions:
    """RunPredictions from the run's prediction frames; `positive` as the run recorded it
    (None: inferred for a binary run, see infer_positive)."""
    columns = tuple(c for c in oof.columns if str(c).startswith(PROBA_PREFIX))
    classes = None
    if task != TaskType.REGRESSION:
        if not columns:
            raise ProjectError(f"run '{run_id}': its out-of-fold file has no probabilities")
        classes = class_labels(columns, [oof] if test is None else [oof, test])
        if task == TaskType.BINARY and positive is None:
            positive = infer_positive(classes, oof, fold_metrics)
    else:
        positive = None
    return RunPredictions(run_id, task, classes, positive, oof, test, columns)


def class_labels(columns: Sequence[str], frames: Sequence[pd.DataFrame]) -> list[Any]:
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


def infer_positive(
    classes: list[Any],
    oof: pd.DataFrame,
    fold_metrics: Mapping[str, Mapping[int, Mapping[str, float]]],
) -> Any:
    """The binary positive class as training chose it, confirmed by the logged recall."""
    if len(classes) != 2:
        return None
    truth = oof["y_true"].to_numpy()
    guess = positive_label(classes, truth)
    logged = fold_metrics.get("validation", {})
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
