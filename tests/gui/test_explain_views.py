"""The Results panel's Explain views driven like a user, with real jobs: Compute explains the
run, the views draw what core computed and saved (the SHAP summary, mean |SHAP|, a row's
waterfall, partial dependence, slices), and choosing what is not computed yet runs its job.

The session's runs (tests/gui/results_scenario.py) are copied first: what a test saves beside
a run stays in its own copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from results_scenario import result_runs  # noqa: F401 - the fixture (tests/gui is on the path)
from sklearn.metrics import mean_absolute_error

from workbench.core.explain.run_explanations import read_explanations
from workbench.core.parquet_frames import read_frame_parquet
from workbench.gui.panels.results_panel import ResultsPanel
from workbench.gui.plots.catalog import EXPLANATIONS
from workbench.gui.plots.explain_views import (
    DependenceView,
    RowExplanationView,
    ShapSummaryView,
    SliceView,
)
from workbench.gui.plots.importance import ImportancePlot
from workbench.gui.widgets.compute_page import ComputePage

pytestmark = pytest.mark.shared_data


@pytest.fixture()
def panel(qtbot) -> ResultsPanel:
    widget = ResultsPanel(in_process=False)
    qtbot.addWidget(widget)
    widget.resize(1150, 720)
    widget.show()
    return widget


def _explained(qtbot, panel: ResultsPanel, trained, model: str, tmp_path: Path):
    """The run copied, shown, explained with the Compute button's job; (root, run id, saved)."""
    root = Path(shutil.copytree(trained.root, tmp_path / trained.root.name))
    run_id = trained.runs[model]
    panel.set_project(root)
    panel.show_runs([run_id])
    qtbot.waitUntil(lambda: not panel.loading, timeout=30_000)
    for key in EXPLANATIONS:
        panel.select_plot(key)
        assert isinstance(panel.current_widget(), ComputePage)
        assert "computed on request" in panel.message_text()
    assert panel.compute()
    qtbot.waitUntil(lambda: not panel.task_running("analysis"), timeout=120_000)
    saved = read_explanations(root / "runs" / run_id)
    assert saved.rows is not None
    return root, run_id, saved


def _wait(qtbot, view) -> None:
    qtbot.waitUntil(lambda: not view.running, timeout=120_000)
    assert not view.status.text().startswith("Could not"), view.status.text()


def test_binary_run_summary_importance_a_rows_waterfall_and_fairness(
    qtbot,
    panel: ResultsPanel,
    result_runs,  # noqa: F811
    tmp_path: Path,
) -> None:
    _root, _run_id, saved = _explained(
        qtbot, panel, result_runs["titanic"], "decision_tree_classifier", tmp_path
    )
    shap = saved.rows.shap
    # The run has a 20% test set: 100 of its 179 rows are explained.
    assert saved.rows.data == "test" and len(shap.rows) == 100
    summary = panel.select_plot("shap_summary")
    assert isinstance(summary, ShapSummaryView)
    columns = list(shap.importance())
    assert summary.plot.columns() == columns[:15]
    assert summary.plot.point_count() == 100 * min(len(columns), 15)
    assert "probability of survived = 1" in summary.plot.plot.getAxis("bottom").labelText
    top = columns[0]
    value = shap.matrix(0)[0, shap.columns.index(top)]
    text = summary.plot.hover_at(summary.plot.plot, value, 0.0)
    assert text.startswith(f"row {shap.rows[0]}: {top} = ") and f"{value:+.4g}" in text

    bars = panel.select_plot("shap_importance")
    assert isinstance(bars, ImportancePlot)
    assert bars.bars() == pytest.approx(dict(list(shap.importance().items())[:25]))

    row_view = panel.select_plot("shap_row")
    assert isinstance(row_view, RowExplanationView)
    assert row_view.row_combo.count() == 100
    plot = row_view.plot
    assert plot.base_value == shap.outputs[0].base_value
    assert plot.prediction == shap.outputs[0].raw_prediction[0]
    assert plot.base_value + sum(v for _, v in plot.steps()) == pytest.approx(plot.prediction)
    # Any row of the data (picked in the Data panel, say): the first row not in the sample,
    # explained by a job of its own.
    row = next(r for r in range(1000) if r not in shap.rows)
    assert panel.explain_row(row) and panel.current_widget() is row_view
    _wait(qtbot, row_view)
    assert row_view.row_combo.count() == 101
    assert row_view.row_combo.currentText().startswith(f"row {row}: actual ")
    assert plot.title_text().startswith(f"Row {row}: from the base value")
    assert plot.base_value + sum(v for _, v in plot.steps()) == pytest.approx(plot.prediction)

    # The slices of a binary task show fairlearn's rates beside the run's metric.
    view = panel.select_plot("slices")
    view.choose("sex")
    report = saved.slices["sex"]
    headers = [view.table.horizontalHeaderItem(c).text() for c in range(view.table.columnCount())]
    assert headers[:7] == [
        "Group", "Rows", "Folds", "ROC AUC ± folds",
        "Selection rate", "True positive rate", "False positive rate",
    ]  # fmt: skip
    rows = {row[0]: row for row in view.table_rows()}
    assert set(rows) == {"male", "female"}
    for group in report.groups:
        assert rows[group.value][1] == f"{group.count:,}"
        assert rows[group.value][4] == f"{group.rates['selection_rate']:.3f}"
    assert "demographic parity difference" in view.summary.text()


def test_curves_and_slices_computed_from_their_views(
    qtbot,
    panel: ResultsPanel,
    result_runs,  # noqa: F811
    tmp_path: Path,
) -> None:
    trained = result_runs["insurance"]
    root, run_id, saved = _explained(qtbot, panel, trained, "decision_tree_regressor", tmp_path)
    # The default set: the curve of the most important column, and every column's slices.
    top = next(iter(saved.rows.shap.importance()))
    assert list(saved.pdp) == [top]
    assert set(saved.slices) == {"age", "sex", "bmi", "children", "smoker", "region"}
    view = panel.select_plot("partial_dependence")
    assert isinstance(view, DependenceView) and view.column == top
    assert view.plot.average() == list(saved.pdp[top].average[0])
    other = next(c for c in saved.rows.shap.columns if c != top and c != "region")
    view.choose(other)
    assert view.stack.currentWidget() is view.missing
    assert view.compute()
    _wait(qtbot, view)
    curve = read_explanations(root / "runs" / run_id).pdp[other]
    # The panel now knows the curve: its view shows it.
    view = panel.select_plot("partial_dependence")
    view.choose(other)
    assert view.stack.currentWidget() is view.plot
    assert view.plot.average() == list(curve.average[0])
    assert view.plot.plot.getAxis("left").labelText == "Predicted charges"

    slices = panel.select_plot("slices")
    assert isinstance(slices, SliceView)
    slices.choose("smoker", "sex")
    assert slices.stack.currentWidget() is slices.missing
    assert slices.compute()
    _wait(qtbot, slices)
    report = slices.report()
    assert report is not None and report.column == "smoker × sex"
    frame = read_frame_parquet(next((root / "data").glob("*.parquet")))
    oof = read_frame_parquet(root / "runs" / run_id / "oof.parquet")
    at = (frame["smoker"].to_numpy()[oof["row"]] == "no") & (
        frame["sex"].to_numpy()[oof["row"]] == "male"
    )
    table = {row[0]: row for row in slices.table_rows()}
    assert table["no × male"][1] == f"{at.sum():,}"
    expected = mean_absolute_error(oof["y_true"][at], oof["y_pred"][at])
    group = next(g for g in report.groups if g.value == "no × male")
    assert group.metrics["mae"] == pytest.approx(expected, rel=1e-12)
    # The largest gap is marked on the bars and said in words above them.
    gap = report.gap
    assert gap is not None and slices.summary.text().startswith("By smoker × sex: ")
    assert np.isclose(slices.plot.bars()[f"{gap.worst} ({group_count(report, gap.worst):,})"],
                      gap.worst_value)  # fmt: skip


def group_count(report, value: str) -> int:
    return next(g.count for g in report.groups if g.value == value)
