"""The result plot widgets over real runs: the numbers they show are scikit-learn's.

Each widget is built the way the panel and a report build it (catalog.plots_for on the run's
plot data) and read back: cell texts, legend AUCs, curve points, bar heights, hover readouts.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pyqtgraph as pg
import pytest
from _python_calls import count_python_calls
from _runs import record_of
from PySide6.QtCore import QPoint, QPointF
from PySide6.QtGui import QColor, QFontInfo, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QToolTip
from results_scenario import result_runs  # noqa: F401 - the fixture (tests/gui is on the path)
from sklearn.calibration import calibration_curve
from sklearn.metrics import average_precision_score, confusion_matrix, roc_auc_score

from workbench.core.metrics.plot_data import MAX_SCATTER_POINTS, RunPlotData
from workbench.core.metrics.predictions import RunPredictions
from workbench.core.metrics.thresholds import best_threshold, threshold_table
from workbench.core.runs.loaded import LoadedRun
from workbench.core.runs.plot_numbers import plot_numbers
from workbench.gui.plots.catalog import EXPLANATIONS, compare_plots_for, plots_for
from workbench.gui.plots.classification import (
    MAX_MARKER,
    MIN_MARKER,
    PERCENT,
    CalibrationPlot,
    ConfusionMatrixPlot,
    PrPlot,
    RocPlot,
    ScoreDistributionPlot,
    marker_sizes,
)
from workbench.gui.plots.compare import MetricsCompareTable
from workbench.gui.plots.importance import ImportancePlot
from workbench.gui.plots.regression import (
    PredictedActualPlot,
    ResidualHistogramPlot,
    ResidualsPlot,
)
from workbench.gui.plots.scores import FoldDistributionPlot, FoldScoresPlot, LearningCurvePlot
from workbench.gui.plots.threshold import ThresholdView


@pytest.fixture(scope="module")
def loaded(result_runs) -> dict[str, tuple[RunPredictions, RunPlotData]]:  # noqa: F811
    """Predictions and plot data of one run per dataset (and the other run, for comparing)."""
    picks = {
        "penguins": "logistic_regression",
        "penguins_tree": "decision_tree_classifier",
        "titanic": "logistic_regression",
        "titanic_tree": "decision_tree_classifier",
        "insurance": "decision_tree_regressor",
    }
    out = {}
    for key, model in picks.items():
        trained = result_runs[key.split("_")[0]]
        with LoadedRun.open(trained.root, trained.runs[model]) as run:
            # Computed now, without what other tests computed on request for the session's runs.
            out[key] = (run.predictions, plot_numbers(run.record, run.predictions))
    return out


def _widget(qtbot, data: RunPlotData, key: str, which: str = "oof"):
    entry = next(e for e in plots_for(data, which) if e.key == key)
    assert entry.factory is not None, entry.reason
    widget = entry.factory()
    qtbot.addWidget(widget)
    widget.resize(720, 480)
    widget.show()
    return widget


def test_every_plot_of_each_task_builds(qtbot, loaded) -> None:
    expected = {
        "penguins": ["confusion", "roc", "pr", "calibration", "scores:Adelie",
                     "scores:Chinstrap", "scores:Gentoo", "threshold", "folds",
                     "learning_curve", "permutation_importance", "builtin_importance"],
        "titanic": ["confusion", "roc", "pr", "calibration", "scores:1", "threshold", "folds",
                    "learning_curve", "permutation_importance", "builtin_importance"],
        "insurance": ["predicted_actual", "residuals", "residual_histogram", "folds",
                      "learning_curve", "permutation_importance", "builtin_importance"],
    }  # fmt: skip
    for name, keys in expected.items():
        entries = plots_for(loaded[name][1], "test")
        # The Explain views follow, computed on request.
        assert [e.key for e in entries] == [*keys, *EXPLANATIONS]
        for entry in entries:
            if entry.factory is None:
                assert entry.reason  # every empty plot says why
                continue
            widget = entry.factory()
            qtbot.addWidget(widget)
            assert "(test set)" in entry.title or entry.key == "folds"
    penguins = {e.key: e for e in plots_for(loaded["penguins"][1])}
    assert penguins["threshold"].factory is None
    assert "binary" in penguins["threshold"].reason


def test_confusion_cells_are_the_counts(qtbot, loaded) -> None:
    results, data = loaded["penguins"]
    plot = _widget(qtbot, data, "confusion")
    assert isinstance(plot, ConfusionMatrixPlot)
    classes = ["Adelie", "Chinstrap", "Gentoo"]
    assert plot.classes == classes
    expected = confusion_matrix(results.oof["y_true"], results.oof["y_pred"], labels=classes)
    assert plot.cell_texts() == [[f"{n:,}" for n in row] for row in expected]
    assert plot.counts().sum() == len(results.oof) == 275
    plot.set_mode(PERCENT)
    shares = expected / expected.sum(axis=1, keepdims=True)
    assert plot.cell_texts() == [[f"{s:.1%}" for s in row] for row in shares]
    assert plot.hover_at(plot.plot, 1.5, 0.5) == (
        f"true Adelie, predicted Chinstrap: {expected[0, 1]} rows ({shares[0, 1]:.1%} of Adelie)"
    )
    # The test-set choice plots the held-out rows.
    test = _widget(qtbot, data, "confusion", "test")
    expected_test = confusion_matrix(results.test["y_true"], results.test["y_pred"], labels=classes)
    assert test.counts().tolist() == expected_test.tolist()


def test_roc_and_pr_legends_hold_sklearn_scores(qtbot, loaded) -> None:
    results, data = loaded["penguins"]
    roc = _widget(qtbot, data, "roc")
    assert isinstance(roc, RocPlot)
    proba = results.proba()
    aucs = [roc_auc_score(results.oof["y_true"] == c, proba[:, i])
            for i, c in enumerate(results.classes)]  # fmt: skip
    assert roc.legend_texts() == [
        f"{c} (AUC {auc:.3f})" for c, auc in zip(results.classes, aucs, strict=True)
    ]
    binary, binary_data = loaded["titanic"]
    pr = _widget(qtbot, binary_data, "pr")
    assert isinstance(pr, PrPlot)
    ap = average_precision_score(binary.oof["y_true"] == 1, binary.proba_of(1))
    assert pr.legend_texts() == [f"class 1 (AP {ap:.3f})"]
    hover = roc.hover_at(roc.plot, 0.0, 0.0)
    assert hover.startswith(f"Adelie (AUC {aucs[0]:.3f}): false positive rate 0.000, true ")


def test_calibration_points_match_sklearn(qtbot, loaded) -> None:
    results, data = loaded["titanic"]
    plot = _widget(qtbot, data, "calibration")
    assert isinstance(plot, CalibrationPlot)
    observed, predicted = calibration_curve(
        results.oof["y_true"] == 1, results.proba_of(1), n_bins=10, strategy="uniform"
    )
    (name, bins), = plot._bins  # fmt: skip
    assert name == "class 1"
    assert np.allclose([b["mean_predicted"] for b in bins], predicted)
    assert np.allclose([b["fraction_positive"] for b in bins], observed)
    # Marker areas follow the bins' rows: the fullest bin is largest, a thin one small.
    counts = [b["count"] for b in bins]
    (scatter,) = [i for i in plot.plot.items if isinstance(i, pg.ScatterPlotItem)]
    sizes = scatter.data["size"].tolist()
    assert sizes == pytest.approx(marker_sizes(counts))
    assert sizes[int(np.argmax(counts))] == MAX_MARKER
    assert min(sizes) < MAX_MARKER / 2 and min(sizes) >= MIN_MARKER


def test_score_distribution_shares(qtbot, loaded) -> None:
    results, data = loaded["titanic"]
    plot = _widget(qtbot, data, "scores:1")
    assert isinstance(plot, ScoreDistributionPlot)
    shares = plot.shares()
    assert set(shares) == {"class 0", "class 1"}
    for share in shares.values():
        assert share.sum() == pytest.approx(100.0)
    scores = results.proba_of(1)[results.oof["y_true"].to_numpy() == 1]
    counts, _ = np.histogram(scores, bins=np.linspace(0, 1, 21))
    assert np.allclose(shares["class 1"], 100 * counts / counts.sum())


def test_threshold_view_moves_the_matrix_and_finds_the_least_cost(qtbot, loaded) -> None:
    results, data = loaded["titanic"]
    view = _widget(qtbot, data, "threshold")
    assert isinstance(view, ThresholdView)
    truth = results.oof["y_true"].to_numpy()
    proba = results.proba_of(1)

    def expected(threshold: float) -> dict[str, int]:
        said, positive = proba >= threshold, truth == 1
        return {
            "tp": int((said & positive).sum()),
            "fp": int((said & ~positive).sum()),
            "tn": int((~said & ~positive).sum()),
            "fn": int((~said & positive).sum()),
        }

    assert view.threshold() == 0.5
    assert view.shown_counts() == expected(0.5)
    view.set_threshold(0.3)
    assert view.threshold_spin.value() == pytest.approx(0.3)
    assert view.shown_counts() == expected(0.3)
    view.threshold_spin.setValue(0.72)  # the spin box moves the line too
    assert view.threshold() == pytest.approx(0.72)
    assert view.shown_counts() == expected(0.72)
    assert view.plot.matrix.cell_texts()[1][1] == f"{expected(0.72)['tp']:,}"
    # A missed survivor costing 5 times a false alarm pulls the threshold down.
    view.set_costs(1.0, 5.0)
    best = best_threshold(threshold_table(truth, proba, 1, 1.0, 5.0))
    assert view.best_threshold() == best
    view.best_button.click()
    assert view.threshold() == pytest.approx(best)
    assert view.shown_counts() == expected(best)
    assert f"at {best:.3f}" in view.readout.text()
    assert best < best_threshold(threshold_table(truth, proba, 1, 1.0, 1.0))


def test_regression_plots_show_the_rows(qtbot, loaded) -> None:
    results, data = loaded["insurance"]
    scatter = _widget(qtbot, data, "predicted_actual")
    assert isinstance(scatter, PredictedActualPlot)
    assert scatter.shown_points() == len(results.oof) == 1070
    actual, predicted = results.oof["y_true"].to_numpy(), results.oof["y_pred"].to_numpy()
    text = scatter.hover_at(scatter.plot, actual[0], predicted[0])
    assert text.startswith("actual ") and ", predicted " in text
    residuals = _widget(qtbot, data, "residuals")
    assert isinstance(residuals, ResidualsPlot) and residuals.shown_points() == 1070
    histogram = _widget(qtbot, data, "residual_histogram")
    assert isinstance(histogram, ResidualHistogramPlot)
    counts, _ = np.histogram(actual - predicted, bins=30)
    assert histogram.bar_heights().tolist() == counts.tolist()


def test_fold_scores_are_the_logged_ones(qtbot, loaded, result_runs) -> None:  # noqa: F811
    _, data = loaded["titanic"]
    plot = _widget(qtbot, data, "folds")
    assert isinstance(plot, FoldScoresPlot)
    titanic = result_runs["titanic"]
    logged = record_of(titanic.root, titanic.runs["logistic_regression"]).fold_metrics
    series = plot.series()
    assert series["Validation"].tolist() == [logged["validation"][f]["roc_auc"] for f in range(3)]
    assert series["Training"].tolist() == [logged["train"][f]["roc_auc"] for f in range(3)]
    assert plot.hover_at(plot.plot, 2.0, 0.8).startswith("fold 2: Training ")


def test_compare_overlays_runs_and_highlights_the_best(qtbot, loaded) -> None:
    runs = [loaded["titanic"][1], loaded["titanic_tree"][1]]
    entries = {e.key: e for e in compare_plots_for(runs)}
    assert list(entries) == ["compare_roc:1", "compare_pr:1", "compare_folds", "compare_metrics"]
    roc = entries["compare_roc:1"].factory()
    qtbot.addWidget(roc)
    assert roc.legend_texts() == [
        f"{run.label} (AUC {run.splits['oof'].roc[0]['auc']:.3f})" for run in runs
    ]
    folds = entries["compare_folds"].factory()
    qtbot.addWidget(folds)
    assert isinstance(folds, FoldDistributionPlot)
    assert list(folds.values()) == [run.label for run in runs]
    table = entries["compare_metrics"].factory()
    qtbot.addWidget(table)
    assert isinstance(table, MetricsCompareTable)
    auc = [run.scores("validation")["roc_auc"] for run in runs]
    assert table.best["Validation · ROC AUC"] == runs[int(np.argmax(auc))].run_id
    loss = [run.scores("validation")["log_loss"] for run in runs]
    assert table.best["Validation · Log loss"] == runs[int(np.argmin(loss))].run_id
    assert table.cell("Validation · ROC AUC", runs[0].run_id) == f"{auc[0]:.4g}"
    # Multiclass: one overlay per class.
    multi = compare_plots_for([loaded["penguins"][1], loaded["penguins_tree"][1]], "test")
    assert [e.key for e in multi][:2] == ["compare_roc:Adelie", "compare_pr:Adelie"]
    assert all("(test set)" in e.title for e in multi[:6])


def test_importance_bars_with_error_bars(qtbot) -> None:
    frame = pd.DataFrame(
        {"feature": ["a", "b", "c"], "importance": [0.1, 0.3, -0.01], "std": [0.02, 0.05, 0.01]}
    )
    plot = ImportancePlot()
    qtbot.addWidget(plot)
    plot.set_importance(frame, "Permutation importance")
    assert list(plot.bars()) == ["b", "a", "c"]  # the largest first
    assert plot.errors() == {"b": 0.05, "a": 0.02, "c": 0.01}
    assert plot.hover_at(plot.plot, 0.0, 0.1) == "b: 0.3 ± 0.05"


def test_learning_curve_means_over_folds(qtbot) -> None:
    frame = pd.DataFrame(
        {
            "size": [0.5, 0.5, 1.0, 1.0],
            "rows": [50, 52, 100, 104],
            "fold": [0, 1, 0, 1],
            "train_score": [0.9, 1.0, 0.85, 0.87],
            "validation_score": [0.6, 0.7, float("nan"), 0.8],  # a failed fit is left out
        }
    )
    plot = LearningCurvePlot()
    qtbot.addWidget(plot)
    plot.set_curve(frame, "accuracy")
    means = plot.means()
    assert means["Training"] == pytest.approx([0.95, 0.86])
    assert means["Validation"] == pytest.approx([0.65, 0.8])
    assert plot.hover_at(plot.plot, 101.0, 0.8) == "102 rows: Training 0.8600, Validation 0.8000"


def test_save_png_and_svg(qtbot, loaded, tmp_path: Path) -> None:
    plot = _widget(qtbot, loaded["penguins"][1], "confusion")
    png = plot.save_image(tmp_path / "confusion.png")
    image = QImage(str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert image.width() >= 720 and image.height() >= 400
    svg = plot.save_image(tmp_path / "confusion.svg")
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    assert "Adelie" in svg.read_text(encoding="utf-8")  # the labels are text, not pixels
    # A plot never shown (as a report renders it) saves too.
    hidden = plots_for(loaded["titanic"][1])[1].factory()
    qtbot.addWidget(hidden)
    assert QImage(str(hidden.save_image(tmp_path / "roc.png"))).width() > 100
    view = _widget(qtbot, loaded["titanic"][1], "threshold")
    assert ET.parse(view.save_image(tmp_path / "threshold.svg")).getroot().tag.endswith("svg")
    with pytest.raises(Exception, match=r"\.png or \.svg"):
        plot.save_image(tmp_path / "confusion.jpg")


def _scatter_points(rows: int) -> dict[str, object]:
    rng = np.random.default_rng(0)
    actual = rng.normal(100.0, 20.0, rows)
    predicted = actual + rng.normal(0.0, 5.0, actual.size)
    return {"actual": actual, "predicted": predicted, "count": rows,
            "low": float(actual.min()), "high": float(actual.max())}  # fmt: skip


def test_a_million_points_stay_interactive(qtbot) -> None:
    """A million points become a seeded sample, so drawing them costs what drawing 20,000 does,
    and a threshold move does no per-row Python work. (How long either takes is a figure of
    benchmarks/window_bench.py: counting calls does not depend on the machine's speed.)"""
    rng = np.random.default_rng(1)
    plot = PredictedActualPlot()
    qtbot.addWidget(plot)
    plot.resize(720, 480)
    plot.show()
    calls = {}
    for rows in (100_000, 1_000_000):
        points = _scatter_points(rows)
        _, calls[rows] = count_python_calls(lambda points=points: plot.set_points(points))
        plot.repaint()
    assert calls[1_000_000] <= calls[100_000] * 1.05
    assert plot.shown_points() == MAX_SCATTER_POINTS
    assert "(20,000 of 1,000,000 rows shown)" in plot.plot.titleLabel.text
    truth = rng.random(1_000_000) < 0.3
    scores = np.clip(truth * 0.3 + rng.random(truth.size) * 0.7, 0, 1)
    view = ThresholdView()
    qtbot.addWidget(view)
    view.set_data(truth, scores, True, [False, True])
    _, calls = count_python_calls(
        lambda: [view.set_threshold(float(threshold)) for threshold in np.linspace(0.1, 0.9, 20)]
    )
    assert calls / 20 < 20_000
    assert view.shown_counts()["tp"] == int((truth & (scores >= 0.9)).sum())


# ----------------------------------------------------------------- defects found by hand (#16)


def _scene_pixel(plot, x: float, y: float) -> QPoint:
    """The widget pixel of data position (x, y) in `plot`'s view."""
    scene = plot.getViewBox().mapViewToScene(QPointF(x, y))
    return plot.getViewBox().getViewWidget().mapFromScene(scene)


def test_hovering_a_plot_shows_its_readout_as_a_tooltip(qtbot, loaded) -> None:
    results, data = loaded["penguins"]
    plot = _widget(qtbot, data, "confusion")
    qtbot.waitExposed(plot)
    expected = confusion_matrix(
        results.oof["y_true"], results.oof["y_pred"], labels=["Adelie", "Chinstrap", "Gentoo"]
    )
    where = _scene_pixel(plot.plot, 1.5, 0.5)  # true Adelie, predicted Chinstrap
    qtbot.mouseMove(plot.viewport(), where)  # a real mouse-move event through the scene
    qtbot.waitUntil(lambda: QToolTip.isVisible())
    assert plot.last_hover.startswith(f"true Adelie, predicted Chinstrap: {expected[0, 1]} rows")
    assert QToolTip.text() == plot.last_hover
    QToolTip.hideText()


def _bottom_labels(plot) -> dict[str, float]:
    """The labels the bottom axis draws now, each at the scene x of its centre."""
    axis = plot.getAxis("bottom")
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _axis, _ticks, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return {text: axis.mapToScene(rect.center()).x() for rect, _flags, text in texts}


def test_the_threshold_matrix_keeps_both_class_labels(qtbot, loaded, tmp_path: Path) -> None:
    view = _widget(qtbot, loaded["titanic"][1], "threshold")
    qtbot.waitExposed(view)
    matrix = view.plot.matrix_plot
    for threshold in (0.5, 0.25, 0.7):
        view.set_threshold(threshold)
        labels = _bottom_labels(matrix)
        assert list(labels) == ["class 0", "class 1"], threshold
        for column, label in enumerate(labels):
            centre = matrix.getViewBox().mapViewToScene(QPointF(column + 0.5, 0.0)).x()
            assert labels[label] == pytest.approx(centre, abs=1.5), (threshold, label)
    # The saved image holds the same axis.
    view.save_image(tmp_path / "threshold.png")
    assert list(_bottom_labels(matrix)) == ["class 0", "class 1"]


def _dark_columns(image: QImage, top: int, bottom: int) -> np.ndarray:
    """How many dark pixels each column of `image` has between rows top and bottom (a line
    antialiased over two columns is half-dark in each)."""
    image = image.convertToFormat(QImage.Format.Format_Grayscale8)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(
        image.height(), image.bytesPerLine()
    )[:, : image.width()]
    return (pixels[top:bottom] < 160).sum(axis=0)


def _blue_box(image: QImage) -> tuple[int, int, int, int]:
    """Left, top, right, bottom of the strongly blue pixels (the heat map's darkest cells)."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(
        image.height(), image.bytesPerLine() // 4, 4
    )[:, : image.width()]
    blue = pixels[..., 0].astype(int) - pixels[..., 2].astype(int) > 80  # BGRA: blue - red
    ys, xs = np.nonzero(blue)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def test_a_confusion_svg_is_drawn_like_the_screen(qtbot, loaded, tmp_path: Path) -> None:
    """The SVG's heat map sits on its axes and its labels have the screen's size: the left axis
    line and the darkest cells of the heat map are where the window draws them."""
    plot = _widget(qtbot, loaded["penguins"][1], "confusion")
    qtbot.waitExposed(plot)
    svg = plot.save_image(tmp_path / "confusion.svg")
    renderer = QSvgRenderer(str(svg))
    size = plot.ci.sceneBoundingRect().size().toSize()
    assert renderer.viewBox().size() == size
    drawn = QImage(size, QImage.Format.Format_ARGB32)
    drawn.fill(QColor("white"))
    painter = QPainter(drawn)
    try:
        renderer.render(painter)
    finally:
        painter.end()
    screen = plot.grab().toImage()
    view = plot.plot.getViewBox().sceneBoundingRect()
    rows = (int(view.top()) + 5, int(view.bottom()) - 5)
    axis_line = int(np.argmax(_dark_columns(screen, *rows)))  # the left axis, on screen
    assert _dark_columns(drawn, *rows)[axis_line] >= 0.8 * (rows[1] - rows[0])
    assert _blue_box(drawn) == pytest.approx(_blue_box(screen), abs=2)
    # The tick labels have the pixel size the window draws them at (9 pt at the screen's dpi).
    tick_px = QFontInfo(plot.plot.getAxis("left").font()).pixelSize()
    sizes = {
        float(text.get("font-size"))
        for text in ET.parse(svg).getroot().iter("{http://www.w3.org/2000/svg}text")
        if (text.text or "").strip() == "Adelie"
    }
    assert sizes and all(abs(size - tick_px) <= 0.5 for size in sizes), (sizes, tick_px)


def test_typing_a_threshold_at_typing_speed(qtbot, loaded) -> None:
    results, data = loaded["titanic"]
    view = _widget(qtbot, data, "threshold")
    spin = view.threshold_spin
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "0.25", delay=30)  # each key its own event, as a person types
    assert spin.value() == pytest.approx(0.25)
    assert view.threshold() == pytest.approx(0.25)
    proba, truth = results.proba_of(1), results.oof["y_true"].to_numpy() == 1
    assert view.shown_counts()["tp"] == int(((proba >= 0.25) & truth).sum())
