"""Which plots a run (or a set of compared runs) has, as (title, factory) entries.

The Results panel lists these; a report renders each factory's widget to an image without the
panel. An entry whose factory is None does not apply or is not computed yet, and `reason`
says so in words (the panel shows the sentence, the report may skip the entry).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import pandas as pd
from PySide6.QtWidgets import QWidget

from workbench.core.explain.slices import by_largest_gap
from workbench.core.kinds import TaskType
from workbench.core.metrics.names import greater_is_better
from workbench.core.metrics.plot_data import OOF, TEST, RunPlotData
from workbench.core.report.document import CURVE_KEY, SHAP_KEYS, SLICE_KEY
from workbench.gui.plots.classification import (
    CalibrationPlot,
    ConfusionMatrixPlot,
    PrPlot,
    RocPlot,
    ScoreDistributionPlot,
    class_text,
)
from workbench.gui.plots.compare import MetricsCompareTable
from workbench.gui.plots.dependence import PartialDependencePlot
from workbench.gui.plots.explain_views import (
    DependenceView,
    RowExplanationView,
    ShapSummaryView,
    SliceView,
)
from workbench.gui.plots.importance import ImportancePlot
from workbench.gui.plots.regression import (
    PredictedActualPlot,
    ResidualHistogramPlot,
    ResidualsPlot,
)
from workbench.gui.plots.scores import (
    FoldDistributionPlot,
    FoldScoresPlot,
    LearningCurvePlot,
    metric_label,
)
from workbench.gui.plots.shap import ShapSummaryPlot, output_words
from workbench.gui.plots.slices import SliceMetricPlot
from workbench.gui.plots.threshold import ThresholdView

# Keys of the entries computed on request (the panel offers a Compute button for them).
LEARNING_CURVE = "learning_curve"
PERMUTATION = "permutation_importance"
BUILTIN = "builtin_importance"
# The report finds the explanations' images by these keys' beginnings.
SHAP_SUMMARY, SHAP_IMPORTANCE = SHAP_KEYS
SHAP_ROW = "shap_row"
PARTIAL_DEPENDENCE = CURVE_KEY
SLICES = SLICE_KEY
# One job (the run's default explanations) computes all of these.
EXPLANATIONS = (SHAP_SUMMARY, SHAP_IMPORTANCE, SHAP_ROW, PARTIAL_DEPENDENCE, SLICES)
COMPUTED_ON_REQUEST = (LEARNING_CURVE, PERMUTATION, BUILTIN, *EXPLANATIONS)
# How many slice reports a run's report draws: the largest gaps.
REPORT_SLICES = 3
EXPLAIN_REASON = (
    "Explaining a run computes the SHAP values of a sample of its validation rows, its "
    "metrics per slice of each column and the partial dependence on its most important "
    "column, so it is computed on request."
)

Factory = Callable[[], QWidget]


class PlotEntry(NamedTuple):
    """One plot: `title`, `factory` (None when it does not apply; `reason` says why) and a
    stable `key` (e.g. "roc", "confusion")."""

    title: str
    factory: Factory | None
    key: str
    reason: str = ""


def _which(data: RunPlotData, which: str) -> str:
    return which if which in data.splits else OOF


def _suffix(which: str) -> str:
    return " (test set)" if which == TEST else ""


def _build(widget_type: type, method: str, *args: Any, **kwargs: Any) -> Factory:
    def factory() -> QWidget:
        widget = widget_type()
        getattr(widget, method)(*args, **kwargs)
        return widget

    return factory


def plots_for(data: RunPlotData, which: str = OOF, metric: str | None = None) -> list[PlotEntry]:
    """The plots of one run from its plot numbers. `which`: "oof" or "test" (falls back to
    "oof" when the run has no test set); `metric` for the fold plots (the run's metric by
    default)."""
    which = _which(data, which)
    split = data.splits[which]
    suffix = _suffix(which)
    entries: list[PlotEntry] = []
    if data.task == TaskType.REGRESSION:
        target = data.target or "target"
        entries += [
            PlotEntry(
                "Predicted vs actual" + suffix,
                _build(PredictedActualPlot, "set_points", split.predicted_actual, target,
                       f"Predicted vs actual{suffix}"),
                "predicted_actual",
            ),
            PlotEntry(
                "Residuals vs predicted" + suffix,
                _build(ResidualsPlot, "set_residuals", split.residuals, target,
                       f"Residuals vs predicted{suffix}"),
                "residuals",
            ),
            PlotEntry(
                "Residual histogram" + suffix,
                _build(ResidualHistogramPlot, "set_residuals", split.residuals),
                "residual_histogram",
            ),
        ]  # fmt: skip
    else:
        entries += [
            PlotEntry(
                "Confusion matrix" + suffix,
                _build(ConfusionMatrixPlot, "set_confusion", split.confusion,
                       f"Confusion matrix{suffix}"),
                "confusion",
            ),
            PlotEntry(
                "ROC curve" + suffix,
                _build(RocPlot, "set_curves", split.roc, f"ROC curve{suffix}"),
                "roc",
            ),
            PlotEntry(
                "Precision-recall curve" + suffix,
                _build(PrPlot, "set_curves", split.pr, f"Precision-recall curve{suffix}"),
                "pr",
            ),
            PlotEntry(
                "Calibration" + suffix,
                _build(CalibrationPlot, "set_bins", split.calibration, f"Calibration{suffix}"),
                "calibration",
            ),
        ]  # fmt: skip
        for label, distribution in split.scores.items():
            title = f"Score distribution: P({class_text(label)}){suffix}"
            entries.append(
                PlotEntry(
                    title,
                    _build(ScoreDistributionPlot, "set_distribution", distribution, title),
                    f"scores:{label}",
                )
            )
        if data.task == TaskType.BINARY and split.threshold_scores is not None:
            entries.append(
                PlotEntry(
                    "Threshold" + suffix,
                    _build(ThresholdView, "set_data", split.threshold_truth,
                           split.threshold_scores, data.positive, data.classes or [],
                           f"Precision, recall and F1 by threshold{suffix}"),
                    "threshold",
                )
            )  # fmt: skip
        else:
            entries.append(
                PlotEntry("Threshold", None, "threshold",
                          "The threshold view is for binary classification: a run with three "
                          "or more classes predicts the most probable class, with no threshold.")
            )  # fmt: skip
    entries.append(_fold_entry(data, metric or data.metric))
    entries += _computed_entries(data)
    entries += _explanation_entries(data)
    return entries


def _fold_entry(data: RunPlotData, metric: str) -> PlotEntry:
    folds = data.fold_scores.get(metric)
    if folds is None or folds.empty:
        return PlotEntry(
            "Scores per fold", None, "folds",
            f"This run has no per-fold {metric_label(metric)} scores.",
        )  # fmt: skip
    return PlotEntry("Scores per fold", _build(FoldScoresPlot, "set_scores", folds, metric),
                     "folds")  # fmt: skip


def _computed_entries(data: RunPlotData) -> list[PlotEntry]:
    entries = []
    if data.learning_curve is not None and not data.learning_curve.empty:
        entries.append(
            PlotEntry("Learning curve", _build(LearningCurvePlot, "set_curve",
                      data.learning_curve, data.metric), LEARNING_CURVE)
        )  # fmt: skip
    else:
        entries.append(
            PlotEntry("Learning curve", None, LEARNING_CURVE,
                      "The learning curve trains the model again on growing shares of the "
                      "rows, so it is computed on request.")
        )  # fmt: skip
    frame = data.importance
    permutation = _rows(frame, "permutation")
    builtin = _rows(frame, "builtin")
    if permutation is not None:
        used = str(permutation["data"].iloc[0])
        where = "test rows" if used == "test" else "out-of-fold rows"
        # Shuffling a useful column lowers a score and raises an error: say which, in words.
        change = "drop" if greater_is_better(data.metric) else "rise"
        measure = f"{metric_label(data.metric)}: {change} when shuffled"
        title = f"Permutation importance ({where})"
        entries.append(
            PlotEntry("Permutation importance", _build(ImportancePlot, "set_importance",
                      permutation, title, measure), PERMUTATION)
        )  # fmt: skip
    else:
        entries.append(
            PlotEntry("Permutation importance", None, PERMUTATION,
                      "Permutation importance shuffles each column and scores the model "
                      "again, so it is computed on request.")
        )  # fmt: skip
    if builtin is not None:
        what = str(builtin["metric"].iloc[0]).replace("_", " ")
        entries.append(
            PlotEntry("Built-in importance", _build(ImportancePlot, "set_importance", builtin,
                      f"Built-in importance ({what})", what.capitalize()), BUILTIN)
        )  # fmt: skip
    elif frame is not None:
        entries.append(
            PlotEntry("Built-in importance", None, BUILTIN,
                      f"{data.name} has no built-in importance (only tree models and "
                      "XGBoost do); see the permutation importance.")
        )  # fmt: skip
    else:
        entries.append(
            PlotEntry("Built-in importance", None, BUILTIN,
                      "Built-in importance is read from the fitted model with the permutation "
                      "importance: compute it to see it.")
        )  # fmt: skip
    return entries


def _explanation_entries(data: RunPlotData) -> list[PlotEntry]:
    """The Explain views: each a view with its own choices (class, row, column)."""
    titles = {
        SHAP_SUMMARY: "SHAP summary",
        SHAP_IMPORTANCE: "Mean |SHAP|",
        SHAP_ROW: "Row explanation",
        PARTIAL_DEPENDENCE: "Partial dependence",
        SLICES: "Slices and fairness",
    }
    explanations = data.explanations
    if explanations is None or explanations.rows is None:
        return [PlotEntry(title, None, key, EXPLAIN_REASON) for key, title in titles.items()]
    target = data.target
    run_id = data.run_id
    return [
        PlotEntry(titles[SHAP_SUMMARY],
                  _view(ShapSummaryView, explanations, run_id, target), SHAP_SUMMARY),
        PlotEntry(titles[SHAP_IMPORTANCE], shap_importance_factory(data), SHAP_IMPORTANCE),
        PlotEntry(titles[SHAP_ROW],
                  _view(RowExplanationView, explanations, run_id, target), SHAP_ROW),
        PlotEntry(titles[PARTIAL_DEPENDENCE],
                  _view(DependenceView, explanations, run_id, target), PARTIAL_DEPENDENCE),
        PlotEntry(titles[SLICES], _view(SliceView, explanations, run_id, target), SLICES),
    ]  # fmt: skip


def _view(view_type: type, *args: Any) -> Factory:
    return lambda: view_type(*args)


def shap_importance_factory(data: RunPlotData) -> Factory | None:
    """Bars of mean |SHAP| per original column (summed over the classes of a multiclass
    task), None when the run is not explained yet."""
    explanations = data.explanations
    if explanations is None or explanations.rows is None:
        return None
    shap = explanations.rows.shap
    importance = shap.importance()
    frame = pd.DataFrame({"feature": list(importance), "importance": list(importance.values())})
    label = shap.outputs[0].label if len(shap.outputs) == 1 else "every class"
    words = output_words(shap.output, label, data.target)
    if len(shap.outputs) > 1:
        words = f"{shap.output} of every class, added up"
    title = f"Mean |SHAP| over {len(shap.rows)} rows"
    return _build(ImportancePlot, "set_importance", frame, title, f"Mean |SHAP value| ({words})")


def explanation_report_entries(data: RunPlotData) -> list[PlotEntry]:
    """The explanations a run's report draws: the SHAP summary (of each class for multiclass)
    and mean |SHAP|, every computed curve, and the slices with the largest gaps."""
    explanations = data.explanations
    if explanations is None or explanations.rows is None:
        return []
    rows = explanations.rows
    target = data.target
    entries = []
    for output, label in enumerate(rows.shap.labels):
        suffix = f": {target} = {label}" if len(rows.shap.labels) > 1 else ""
        entries.append(
            PlotEntry(f"SHAP summary{suffix}",
                      _build(ShapSummaryPlot, "set_rows", rows, output, target),
                      f"{SHAP_SUMMARY}:{label}")
        )  # fmt: skip
    entries.append(PlotEntry("Mean |SHAP|", shap_importance_factory(data), SHAP_IMPORTANCE))
    for column, curve in explanations.pdp.items():
        for output, label in enumerate(curve.labels):
            suffix = f" ({target} = {label})" if len(curve.labels) > 1 else ""
            entries.append(
                PlotEntry(f"Partial dependence on {column}{suffix}",
                          _build(PartialDependencePlot, "set_curve", curve, output, target),
                          f"{PARTIAL_DEPENDENCE}:{column}:{label}")
            )  # fmt: skip
    for report in by_largest_gap(list(explanations.slices.values()), REPORT_SLICES):
        entries.append(
            PlotEntry(f"{metric_label(report.metric)} per slice of {report.column}",
                      _build(SliceMetricPlot, "set_report", report),
                      f"{SLICES}:{report.column}")
        )  # fmt: skip
    return entries


def _rows(frame: pd.DataFrame | None, kind: str) -> pd.DataFrame | None:
    if frame is None or frame.empty:
        return None
    rows = frame[frame["kind"] == kind]
    return rows if not rows.empty else None


# ----------------------------------------------------------------- comparing runs


def compare_plots_for(
    runs: Sequence[RunPlotData], which: str = OOF, metric: str | None = None
) -> list[PlotEntry]:
    """The plots comparing two or more runs: overlaid ROC / PR curves (classification, one
    entry per class for multiclass, the positive class for binary), fold scores side by side
    and the metrics table."""
    if not runs:
        return []
    which = which if all(which in run.splits for run in runs) else OOF
    suffix = _suffix(which)
    metric = metric or runs[0].metric
    names = [run.label for run in runs]
    entries: list[PlotEntry] = []
    tasks = {run.task for run in runs}
    if len(tasks) > 1:
        entries.append(
            PlotEntry("Curves", None, "compare_curves",
                      "These runs solve different tasks, so their curves cannot be overlaid.")
        )  # fmt: skip
    elif runs[0].is_classification:
        labels = [c["class"] for c in runs[0].splits[which].roc]
        for label in labels:
            per_class = "" if runs[0].task == TaskType.BINARY else f": {class_text(label)}"
            for key, kind, widget_type in (
                ("roc", "ROC curves", RocPlot),
                ("pr", "Precision-recall curves", PrPlot),
            ):
                curves, shown = [], []
                for run, name in zip(runs, names, strict=True):
                    for curve in getattr(run.splits[which], key):
                        if curve["class"] == label:
                            curves.append(curve)
                            shown.append(name)
                title = f"{kind}{per_class}{suffix}"
                entries.append(
                    PlotEntry(title, _build(widget_type, "set_curves", curves, title, shown),
                              f"compare_{key}:{label}")
                )  # fmt: skip
    values = []
    for run in runs:
        folds = run.fold_scores.get(metric)
        values.append([] if folds is None else folds["validation"].tolist())
    entries.append(
        PlotEntry("Fold scores", _build(FoldDistributionPlot, "set_runs", names, values, metric),
                  "compare_folds")
    )  # fmt: skip
    entries.append(
        PlotEntry("Metrics table", _build(MetricsCompareTable, "set_runs", runs),
                  "compare_metrics")
    )  # fmt: skip
    return entries
