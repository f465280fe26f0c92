"""The run report: real runs (titanic binary, insurance regression) written to HTML and read
back: the log's numbers, the data's fingerprint, the chain and the parameters, every plot as a
real PNG, nothing outside the file; failed runs refused in one sentence; the Results panel's
button writing a report through its job.

Reports are written from copies of the session's projects, without any cached importance or
learning curve, so what a report holds does not depend on which other tests ran first.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from report_html import Parsed, parse_report, png_size
from results_scenario import result_runs  # noqa: F401 - the fixture (tests/gui is on the path)
from sklearn.metrics import precision_recall_fscore_support

from workbench.core.errors import WorkbenchError
from workbench.core.explain.importance import compute_importance
from workbench.core.explain.learning_curve import compute_learning_curve
from workbench.core.explain.limitations import limitation_sentences
from workbench.core.explain.run_explanations import (
    EXPLANATIONS_FILE,
    explained_positions,
    read_explanations,
    slice_candidates,
    with_explanations,
)
from workbench.core.html_parts import number_text
from workbench.core.metrics.names import METRIC_LABELS, greater_is_better
from workbench.core.models.catalog import get_model
from workbench.core.parquet_frames import read_frame_parquet
from workbench.core.runs.environment import capture_environment
from workbench.core.runs.loaded import LoadedRun
from workbench.core.runs.log import LOG_FILE, TIMINGS, ExperimentLog
from workbench.gui.panels.results_panel import ResultsPanel
from workbench.gui.plots.catalog import EXPLANATIONS, explanation_report_entries, plots_for
from workbench.gui.report.images import TEST_PLOT_KEYS
from workbench.gui.report.writer import write_run_report

pytestmark = pytest.mark.shared_data
# The report renders each plot at 900 x 560 CSS pixels; the PNG holds twice as many.
PNG_SIZE = (1800, 1120)
CACHES = ("importance.parquet", "learning_curve.parquet", EXPLANATIONS_FILE)


@dataclass(frozen=True)
class Report:
    root: Path
    run_id: str
    path: Path
    text: str
    parsed: Parsed
    progress: list[tuple[float, str]]


def fresh_copy(source: Path, target: Path) -> Path:
    """The project without computed-on-request caches or reports."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*CACHES, "reports"))
    return target


def write(root: Path, run_id: str, out: Path) -> Report:
    seen: list[tuple[float, str]] = []
    path = write_run_report(root, run_id, out, progress=lambda f, m: seen.append((f, m)))
    text = path.read_text(encoding="utf-8")
    return Report(root, run_id, path, text, parse_report(text), seen)


@pytest.fixture(scope="module")
def reports(qapp, result_runs, tmp_path_factory) -> dict[str, Report]:  # noqa: F811
    folder = tmp_path_factory.mktemp("reports")
    written = {}
    for case, model in (
        ("titanic", "logistic_regression"),
        ("insurance", "decision_tree_regressor"),
    ):
        root = fresh_copy(result_runs[case].root, folder / case)
        written[case] = write(root, result_runs[case].runs[model], folder / f"{case}.html")
    return written


def record_of(report: Report):
    with ExperimentLog(report.root / LOG_FILE) as log:
        return log.run(report.run_id)


def metric_cell(name: str) -> str:
    return f"{METRIC_LABELS[name]} ({'higher' if greater_is_better(name) else 'lower'} is better)"


def as_float(cell: str) -> float:
    return float(cell.replace(",", ""))


def expected_figures(report: Report) -> list[str]:
    with LoadedRun.open(report.root, report.run_id) as run:
        data = with_explanations(report.root, run.plot_numbers)
    oof = [
        f"plot-oof-{e.key}"
        for e in plots_for(data, "oof")
        if e.factory is not None and e.key not in EXPLANATIONS
    ]
    test = [f"plot-test-{e.key}" for e in plots_for(data, "test") if e.key in TEST_PLOT_KEYS]
    explain = [f"plot-explain-{e.key}" for e in explanation_report_entries(data)]
    return oof + test + explain


def check_self_contained(report: Report) -> None:
    parsed = report.parsed
    assert parsed.unclosed == [] and parsed.mismatched == []
    names = {tag for tag, _ in parsed.tags}
    assert "script" not in names and "link" not in names and "iframe" not in names
    for tag, attributes in parsed.tags:
        if tag == "img":
            assert attributes["src"].startswith("data:image/png;base64,")
        if tag == "a":
            assert attributes["href"].startswith("#")  # the contents' anchors only
        assert not any("http://" in v or "https://" in v for v in attributes.values()), tag
    assert "url(" not in report.text and "@import" not in report.text


def check_metrics(report: Report) -> None:
    """Every metric of the log in the scores table: validation mean ± std, train, test."""
    record = record_of(report)
    summary = record.fold_summary("validation")
    names = [name for name in summary if name not in TIMINGS]
    assert len(report.parsed.table("scores")) == 1 + len(names)
    for name in names:
        row = report.parsed.row("scores", metric_cell(name))
        mean, std = summary[name]["mean"], summary[name]["std"]
        assert row[1] == f"{number_text(mean)} ± {number_text(std, mean)}"
        assert as_float(row[1].split(" ± ")[0]) == pytest.approx(mean, abs=0.051)
        assert row[2] == number_text(record.metrics["train"][name])
        assert row[3] == number_text(record.metrics["test"][name])
    # The run's own metric leads the table.
    assert report.parsed.table("scores")[1][0] == metric_cell(record.spec.metric)


def check_plots(report: Report) -> None:
    expected = expected_figures(report)
    assert list(report.parsed.figures) == expected
    for figure, src in report.parsed.figures.items():
        assert png_size(src) == PNG_SIZE, figure


def check_explanations(report: Report) -> None:
    """The report explained the run (and saved it beside the run): the SHAP summary and mean
    |SHAP| of the test rows, the curves of the three most important columns, every default
    slice in the overview with the largest gaps in words and in tables."""
    saved = read_explanations(report.root / "runs" / report.run_id)
    with LoadedRun.open(report.root, report.run_id) as run:
        positions = explained_positions(run)
        candidates = slice_candidates(run)
    rows = saved.rows
    assert rows is not None and list(rows.shap.rows) == positions.tolist()
    top = list(rows.shap.importance())[:3]
    assert list(saved.pdp) == top
    assert set(saved.slices) == set(candidates)
    figures = [f for f in report.parsed.figures if f.startswith("plot-explain-")]
    label = rows.shap.labels[0]
    assert figures[:2] == [f"plot-explain-shap_summary:{label}", "plot-explain-shap_importance"]
    assert [f"plot-explain-partial_dependence:{c}:{label}" for c in top] == figures[2:5]
    text = report.parsed.text["explanations"]
    assert f"SHAP values of {len(positions)} test rows" in text
    for sentence in limitation_sentences(list(saved.slices.values())):
        assert sentence in text
    overview = report.parsed.table("explanations", 0)
    assert overview[0][:4] == ["Column", "Groups", "Metric", "Largest gap"]
    assert sorted(row[0] for row in overview[1:]) == sorted(candidates)
    for row in overview[1:]:
        assert int(row[1]) == len(saved.slices[row[0]].groups)
    # The first slice table: the column with the largest gap, one row per group.
    widest = overview[1][0]
    groups = report.parsed.table("explanations", 1)[1:]
    assert [(g[0], as_float(g[1])) for g in groups] == [
        (g.value, g.count) for g in saved.slices[widest].groups
    ]


def test_binary_report_holds_the_runs_numbers(reports, shared_data: Path) -> None:
    report = reports["titanic"]
    parsed = report.parsed
    record = record_of(report)
    assert report.run_id in parsed.title and "Logistic regression" in parsed.title
    assert "titanic" in parsed.title
    # The data: the file's own sha256, the stored data's fingerprint, its shape and balance.
    source = shared_data / "clean" / "titanic.csv"
    frame = pd.read_csv(source)
    assert parsed.row("data", "File")[1] == f"titanic.csv ({source.stat().st_size:,} bytes)"
    assert parsed.row("data", "File sha256")[1] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert parsed.row("data", "Fingerprint (data sha256)")[1] == record.spec.dataset_sha256
    assert parsed.row("data", "Rows × columns")[1] == f"{len(frame):,} × {frame.shape[1]}"
    counts = frame["survived"].value_counts()
    assert parsed.table("data", 1)[1:] == [
        [str(label), f"{counts[label]:,}", f"{counts[label] / len(frame):.1%}"] for label in (0, 1)
    ]
    assert "The positive class is 1." in parsed.text["data"]
    check_metrics(report)
    # Per fold: validation rows and scores of the run's metric (ROC AUC), numbered from 1.
    oof = read_frame_parquet(report.root / "runs" / report.run_id / "oof.parquet")
    folds = parsed.table("scores", 1)[1:]
    assert [row[0] for row in folds] == ["1", "2", "3"]
    for fold, row in enumerate(folds):
        assert as_float(row[1]) == int((oof["fold"] == fold).sum())
        assert row[3] == number_text(record.fold_metrics["validation"][fold]["roc_auc"])
    # Per class, out of fold: scikit-learn's own numbers.
    precision, recall, f1, support = precision_recall_fscore_support(
        oof["y_true"], oof["y_pred"], labels=[0, 1]
    )
    for index, row in enumerate(parsed.table("per-class", 0)[1:]):
        assert row[0] == str(index)
        assert [as_float(cell) for cell in row[1:4]] == pytest.approx(
            [precision[index], recall[index], f1[index]], abs=5e-5
        )
        assert as_float(row[4]) == support[index]
    # The chain as the run recorded it compiled, named as the Prepare panel names its steps.
    with LoadedRun.open(report.root, report.run_id) as run:
        chain = run.resolved_chain.steps
    labels = [step.label for step in chain]
    assert "One-hot encode" in labels and "Fill missing values" in labels
    text = parsed.text["chain"]
    positions = [text.index(label) for label in dict.fromkeys(labels)]
    assert positions == sorted(positions)
    # The model's parameters, defaults included.
    model = get_model("logistic_regression")
    assert parsed.row("model", model.param("C").label) == ["Regularisation C", "C", "1", "default"]
    assert parsed.row("model", model.param("max_iter").label)[2] == "1000"
    assert "Stratified 3-fold cross-validation" in parsed.text["validation"]
    assert "179 rows (20%) were held out" in parsed.text["validation"]
    check_plots(report)
    assert "plot-oof-threshold" in parsed.figures and "plot-test-roc" in parsed.figures
    # Importance and the learning curve were never computed: the report says how.
    assert parsed.text["plots"].count("press Compute, then save the report again") == 2
    check_explanations(report)
    check_self_contained(report)
    assert report.progress[-1] == (1.0, "done")
    fractions = [fraction for fraction, _ in report.progress]
    assert fractions == sorted(fractions)


def test_regression_report_holds_the_runs_numbers(reports, shared_data: Path) -> None:
    report = reports["insurance"]
    parsed = report.parsed
    record = record_of(report)
    assert "Decision tree" in parsed.title and report.run_id in parsed.title
    source = shared_data / "clean" / "insurance.csv"
    frame = pd.read_csv(source)
    assert parsed.row("data", "File sha256")[1] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert parsed.row("data", "Fingerprint (data sha256)")[1] == record.spec.dataset_sha256
    assert parsed.row("data", "Rows × columns")[1] == f"{len(frame):,} × {frame.shape[1]}"
    charges = frame["charges"].to_numpy()
    header, values = parsed.table("data", 1)
    assert header == ["Mean", "Std", "Min", "Median", "Max"]
    assert [as_float(cell) for cell in values] == pytest.approx(
        [charges.mean(), np.std(charges), charges.min(), np.median(charges), charges.max()],
        abs=0.051,
    )
    check_metrics(report)
    assert parsed.row("scores", metric_cell("rmse"))[1].count(".") == 2  # "4,835.7 ± 185.4"
    assert "per-class" not in parsed.tables
    model = get_model("decision_tree_regressor")
    assert parsed.row("model", model.param("max_depth").label)[2:] == ["4", "set"]
    assert "3-fold cross-validation (rows shuffled with seed 0)" in parsed.text["validation"]
    check_plots(report)
    assert {"plot-oof-predicted_actual", "plot-oof-residuals", "plot-oof-residual_histogram",
            "plot-test-predicted_actual"} <= set(parsed.figures)  # fmt: skip
    check_explanations(report)
    check_self_contained(report)


def test_report_holds_computed_plots_and_escapes_notes(
    qapp,
    result_runs,  # noqa: F811
    tmp_path: Path,
) -> None:
    trained = result_runs["insurance"]
    root = fresh_copy(trained.root, tmp_path / "insurance")
    run_id = trained.runs["decision_tree_regressor"]
    with LoadedRun.open(root, run_id) as run:
        compute_importance(run, repeats=2)
        compute_learning_curve(run, sizes=(0.5, 1.0))
    with ExperimentLog(root / LOG_FILE) as log:
        log.set_note(run_id, "<script>alert('x')</script> & <b>bold</b>\nsecond line")
        log.set_tags(run_id, ["a&b", "<i>"])
    report = write(root, run_id, tmp_path / "out" / "report.html")
    for key in ("learning_curve", "permutation_importance", "builtin_importance"):
        assert png_size(report.parsed.figures[f"plot-oof-{key}"]) == PNG_SIZE
    assert "press Compute" not in report.parsed.text["plots"]
    notes = report.parsed.text["notes"]
    assert "<script>alert('x')</script> & <b>bold</b>" in notes and "second line" in notes
    assert "a&b" in notes and "<i>" in notes
    assert "<script>" not in report.text and "&lt;script&gt;" in report.text
    check_self_contained(report)


def test_runs_without_results_are_refused_in_one_sentence(
    qapp,
    result_runs,  # noqa: F811
    tmp_path: Path,
) -> None:
    trained = result_runs["titanic"]
    root = fresh_copy(trained.root, tmp_path / "titanic")
    with ExperimentLog(root / LOG_FILE) as log:
        spec = log.run(trained.runs["logistic_regression"]).spec
        environment = capture_environment(root)
        failed = log.start_run(spec, environment, name="Broken")
        log.finish_run(failed, "failed", message="the model ran out of memory")
        running = log.start_run(spec, environment)
    out = tmp_path / "report.html"
    cases = {
        failed: f"run '{failed}' (Broken) has no results: it failed: the model ran out of memory",
        running: f"run '{running}' is still running; its results come when it finishes",
        "20990101-000000-000-dead": "no run '20990101-000000-000-dead' in",
    }
    for run_id, message in cases.items():
        with pytest.raises(WorkbenchError) as caught:
            write_run_report(root, run_id, out)
        assert str(caught.value).startswith(message) and "\n" not in str(caught.value)
    gone = trained.runs["decision_tree_classifier"]
    (root / "runs" / gone / "oof.parquet").unlink()
    with pytest.raises(WorkbenchError, match=r"oof.parquet is missing; the run's 'oof' file"):
        write_run_report(root, gone, out)
    with pytest.raises(WorkbenchError, match=r"a report is an \.html file, not 'report\.pdf'"):
        write_run_report(root, trained.runs["logistic_regression"], tmp_path / "report.pdf")
    with pytest.raises(WorkbenchError, match="is not a workbench project"):
        write_run_report(tmp_path, trained.runs["logistic_regression"], out)
    assert not out.exists()


def test_a_worker_thread_of_the_window_is_refused(qapp, reports) -> None:
    # Qt widgets may only live on the application's thread; the panel uses a child process.
    report = reports["titanic"]
    errors: list[Exception] = []

    def work() -> None:
        try:
            write_run_report(report.root, report.run_id, report.path.with_name("thread.html"))
        except Exception as error:  # any error: the test inspects it
            errors.append(error)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(60)
    assert len(errors) == 1 and isinstance(errors[0], WorkbenchError)
    assert "must run on the window's thread or in its own process" in str(errors[0])


@pytest.mark.slow
def test_the_panel_button_writes_a_report_through_its_job(
    qtbot,
    result_runs,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    panel = ResultsPanel(in_process=False)
    qtbot.addWidget(panel)
    panel.resize(1150, 700)
    panel.show()
    trained = result_runs["titanic"]
    assert not panel.report_button.isEnabled()
    panel.set_project(trained.root)
    panel.show_runs(list(trained.runs.values()))
    qtbot.waitUntil(lambda: not panel.loading, timeout=30_000)
    assert not panel.report_button.isEnabled()  # two runs: compared, no single report
    run_id = trained.runs["logistic_regression"]
    panel.show_runs([run_id])
    qtbot.waitUntil(lambda: not panel.loading, timeout=30_000)
    assert panel.report_button.isEnabled()
    target = tmp_path / "sent" / "titanic.html"
    # The user's answer to the file dialog.
    monkeypatch.setattr(panel, "ask_report_path", lambda run: target if run == run_id else None)
    progress: list[float] = []
    bar = panel.report_bar

    def shown(fraction: float, message: str) -> None:
        """After the bar's own slot: the message reads whole in the label, the bar its share."""
        progress.append(fraction)
        text = bar.label.text()
        assert text.startswith("Writing the report of run ") and text.endswith(f": {message}…")
        assert bar.progress.value() == round(fraction * 1000)
        assert bar.progress.text() == f"{bar.progress.value() // 10}%"
        room = bar.progress.contentsRect().width()
        assert bar.progress.fontMetrics().horizontalAdvance(bar.progress.text()) < room

    bar.task("report").progress.connect(shown)
    qtbot.mouseClick(panel.report_button, Qt.MouseButton.LeftButton)
    assert panel.report_bar.running and panel.report_bar.progress.isVisibleTo(panel)
    assert not panel.save_report(tmp_path / "second.html")  # one report at a time
    with qtbot.waitSignal(panel.report_bar.written, timeout=120_000) as written:
        pass
    assert written.args == [target]
    assert progress and max(progress) <= 1.0
    assert panel.report_bar.label.text() == f"Report written: {target}"
    assert panel.report_bar.open_button.isVisibleTo(panel)
    assert not panel.report_bar.progress.isVisibleTo(panel)
    parsed = parse_report(target.read_text(encoding="utf-8"))
    assert run_id in parsed.title and png_size(parsed.figures["plot-oof-roc"]) == PNG_SIZE
    # A run without results: the job's error is shown, with nothing to open.
    panel.report_bar.start(trained.root, "20990101-000000-000-dead", tmp_path / "dead.html")
    with qtbot.waitSignal(panel.report_bar.failed, timeout=120_000):
        pass
    assert "no run '20990101-000000-000-dead'" in panel.report_bar.label.text()
    assert not panel.report_bar.open_button.isVisibleTo(panel)
    # Cancelled: the child process is stopped and no file is left.
    cancelled = tmp_path / "cancelled.html"
    assert panel.report_bar.start(trained.root, run_id, cancelled)
    panel.report_bar.cancel_button.click()
    assert not panel.report_bar.running
    assert panel.report_bar.label.text() == "Report cancelled."
    assert panel.report_bar.path is None and not cancelled.exists()
