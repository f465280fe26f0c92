"""The Export panel on a real penguins run: the convert check, the export job, the parity line,
the files made, and the inline messages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from _serve_runs import trained_run

from workbench.core.runs.log import LOG_FILE, ExperimentLog
from workbench.core.specs import ModelSpec, SplitSpec, TrainSpec
from workbench.core.train.runner import run_training
from workbench.gui.panels.export_panel import ExportPanel, default_folder

pytestmark = pytest.mark.shared_data


@pytest.fixture()
def root(shared_data: Path, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    run = trained_run("penguins", shared_data, tmp_path_factory)
    copy = tmp_path / "penguins"
    shutil.copytree(run.project, copy)
    return copy


@pytest.fixture()
def panel(qtbot, root: Path) -> ExportPanel:
    # Thread jobs: the same code as the window's child process, without a spawn per test.
    widget = ExportPanel(in_process=False)
    qtbot.addWidget(widget)
    widget.resize(1100, 760)
    widget.show()
    return widget


def _open(qtbot, panel: ExportPanel, root: Path) -> None:
    """Open the project and wait for its runs: the log is read in a thread job."""
    panel.set_project(root)
    qtbot.waitUntil(lambda: not panel.loading, timeout=30_000)


def _run_id(root: Path) -> str:
    with ExperimentLog(root / LOG_FILE) as log:
        (record,) = log.runs(status="finished")
    return record.run_id


def test_empty_project_explains_what_to_do(qtbot, panel: ExportPanel, tmp_path: Path) -> None:
    _open(qtbot, panel, tmp_path)
    assert panel.run_combo.count() == 0
    assert panel.empty_label.isVisible()
    assert "train a model in the Train panel" in panel.empty_label.text()
    assert not panel.export_button.isEnabled()


def test_chosen_run_is_checked_then_exported_with_parity(
    qtbot, panel: ExportPanel, root: Path
) -> None:
    run_id = _run_id(root)
    _open(qtbot, panel, root)
    assert panel.current_run() == run_id
    assert run_id in panel.run_combo.currentText()
    assert "Logistic regression" in panel.run_combo.currentText()
    assert panel.folder() == default_folder(root, run_id)
    qtbot.waitUntil(lambda: run_id in panel._blockers, timeout=60_000)
    assert panel.check_label.text().startswith("Converts to ONNX")
    assert panel.onnx_box.isEnabled() and panel.docker_box.isEnabled()

    with qtbot.waitSignal(panel.exported, timeout=120_000) as signal:
        assert panel.export()
    result = signal.args[0]
    folder = default_folder(root, run_id)
    made = {str(path.relative_to(folder)) for path in result.files}
    assert {"model.onnx", "schema.json", "pipeline.joblib", "docker/Dockerfile"} <= made
    assert all(path.exists() for path in result.files)
    assert result.parity.passed and result.parity.max_difference < 1e-4
    assert panel.parity_label.text() == result.parity.summary()
    assert "parity passed" in panel.parity_label.text()
    shown = [panel.files_list.item(i).text() for i in range(panel.files_list.count())]
    assert "model.onnx" in shown and "docker/Dockerfile" in shown
    assert panel.open_button.isEnabled()
    schema = json.loads((folder / "schema.json").read_text())
    assert schema["run_id"] == run_id and schema["target"] == "species"


def test_nothing_ticked_or_no_folder_is_said_inline(qtbot, panel: ExportPanel, root: Path) -> None:
    _open(qtbot, panel, root)
    for box in (panel.onnx_box, panel.docker_box, panel.joblib_box):
        box.setChecked(False)
    assert not panel.export_button.isEnabled()
    assert not panel.export()
    assert panel.error_label.isVisible()
    assert panel.error_label.text() == (
        "tick at least one of ONNX, Docker bundle, joblib or Python script"
    )
    panel.joblib_box.setChecked(True)
    panel.folder_edit.setText("  ")
    assert not panel.export()
    assert panel.error_label.text() == "choose a folder to export into"


def test_the_python_script_choice_writes_the_script_notebook_and_requirements(
    qtbot, panel: ExportPanel, root: Path, tmp_path: Path
) -> None:
    run_id = _run_id(root)
    _open(qtbot, panel, root)
    assert not panel.script_box.isChecked()  # on request only
    for box in (panel.onnx_box, panel.docker_box, panel.joblib_box, panel.card_box):
        box.setChecked(False)
    assert not panel.export_button.isEnabled()
    panel.script_box.setChecked(True)
    assert panel.export_button.isEnabled()
    panel.set_folder(tmp_path / "script")
    with qtbot.waitSignal(panel.exported, timeout=120_000) as signal:
        assert panel.export()
    stem = "train_" + run_id.replace("-", "_")
    assert [path.name for path in signal.args[0].files] == [
        f"{stem}.py", f"{stem}.ipynb", "requirements.txt"
    ]  # fmt: skip
    shown = [panel.files_list.item(i).text() for i in range(panel.files_list.count())]
    assert shown == [f"{stem}.py", f"{stem}.ipynb", "requirements.txt"]
    text = (tmp_path / "script" / f"{stem}.py").read_text(encoding="utf-8")
    assert text.startswith(f'"""Reproduce ML Workbench run {run_id}:')


def test_a_refused_export_shows_why_and_writes_nothing(
    qtbot, panel: ExportPanel, root: Path, tmp_path: Path
) -> None:
    _open(qtbot, panel, root)
    panel.set_folder(tmp_path / "out")
    panel.docker_box.setChecked(False)
    panel.joblib_box.setChecked(False)
    panel.threshold_spin.setValue(0.0)  # no float32 model matches float64 exactly
    with qtbot.waitSignal(panel.task("export").failed, timeout=120_000):
        assert panel.export()
    assert panel.error_label.isVisible()
    assert panel.error_label.text().startswith("Export failed: ")
    assert "does not predict what the workbench predicted" in panel.error_label.text()
    assert not (tmp_path / "out" / "model.onnx").exists()


def test_a_run_that_may_miss_parity_is_flagged_before_the_click(
    qtbot, panel: ExportPanel, shared_data: Path, tmp_path: Path
) -> None:
    from workbench.core.dataset import import_table
    from workbench.core.project import create_project
    from workbench.core.specs import ChainSpec, ModelSpec, SplitSpec, StepSpec, TrainSpec
    from workbench.core.train.runner import run_training

    project = create_project(tmp_path / "scaled")
    project.attach_dataset(
        import_table(project.root, shared_data / "clean" / "penguins.csv", target="species")
    )
    project.set_chain(ChainSpec((StepSpec("scale", ("bill_length_mm", "body_mass_g")),)))
    project.save()
    spec = TrainSpec(
        models=(ModelSpec("random_forest_classifier", {"n_estimators": 10}),),
        split=SplitSpec("holdout"),
        include_baseline=False,
        n_jobs=1,
    )
    (run,) = run_training(project.root, spec)
    _open(qtbot, panel, project.root)
    qtbot.waitUntil(lambda: run.run_id in panel._blockers, timeout=60_000)
    text = panel.check_label.text()
    assert text.startswith("Converts to ONNX, but the parity check may refuse it:")
    assert "The chain's 'Scale' step recomputes numbers before a tree model" in text
    assert panel.onnx_box.isEnabled()  # a warning, not a blocker: the check decides


def test_exporting_over_another_runs_export_asks_first(
    qtbot, panel: ExportPanel, root: Path
) -> None:
    first = _run_id(root)
    (second,) = run_training(
        root,
        TrainSpec(
            models=(ModelSpec("decision_tree_classifier"),),
            split=SplitSpec("holdout", validation_fraction=0.25, test_fraction=0.2),
            include_baseline=False,
        ),
    )
    _open(qtbot, panel, root)
    assert panel.select_run(first)
    for box in (panel.onnx_box, panel.docker_box):
        box.setChecked(False)
    folder = default_folder(root, first)
    assert panel.folder() == folder
    with qtbot.waitSignal(panel.exported, timeout=60_000):
        assert panel.export(ask=lambda *_: pytest.fail("nothing to replace yet"))
    # The same run again into its own folder: replaced without a question.
    with qtbot.waitSignal(panel.exported, timeout=60_000):
        assert panel.export(ask=lambda *_: pytest.fail("a run replaces its own export"))

    assert panel.select_run(second.run_id)
    panel.set_folder(folder)
    questions: list[tuple[str, str]] = []
    assert not panel.export(ask=lambda title, text: questions.append((title, text)) or False)
    ((title, text),) = questions
    assert title == "Replace another export?"
    assert text == (
        f"{folder} already holds the export of run {first} (pipeline.joblib, "
        f"pipeline.joblib.json, model_card.md).\n\nExporting run {second.run_id} there "
        "replaces them. Export anyway?"
    )
    assert panel.error_label.text() == f"Not exported: {folder} keeps the files it had."
    assert json.loads((folder / "pipeline.joblib.json").read_text())["run_id"] == first

    with qtbot.waitSignal(panel.exported, timeout=60_000):
        assert panel.export(ask=lambda *_: True)
    assert json.loads((folder / "pipeline.joblib.json").read_text())["run_id"] == second.run_id


def test_a_stacking_run_cannot_tick_the_script_and_says_why(
    qtbot, panel: ExportPanel, root: Path
) -> None:
    from workbench.core.automl.ensemble import ensemble_runs
    from workbench.core.automl.stacking import stack_runs

    spec = TrainSpec(
        models=(ModelSpec("logistic_regression"), ModelSpec("decision_tree")),
        include_baseline=False,
        n_jobs=1,
    )
    members = [run.run_id for run in run_training(root, spec)]
    stacked = stack_runs(root, members).run_id
    averaged = ensemble_runs(root, members, [0.5, 0.5]).run_id
    _open(qtbot, panel, root)
    for box in (panel.onnx_box, panel.docker_box, panel.joblib_box, panel.card_box):
        box.setChecked(False)
    panel.script_box.setChecked(True)
    panel.run_combo.setCurrentIndex(panel.run_combo.findData(stacked))
    assert not panel.script_box.isEnabled()
    assert panel.script_box.toolTip().startswith(
        "This run is a stacking ensemble, which cannot be written as a script: "
    )
    assert panel.script_note.text() == panel.script_box.toolTip()
    assert not panel.script_note.isHidden()
    assert not panel.export_button.isEnabled()  # the only box ticked is refused
    panel.joblib_box.setChecked(True)
    assert panel.export_button.isEnabled()
    assert panel.request().script is None  # joblib only, no script
    for run_id in (averaged, members[0]):  # the averaging ensemble is written as a script
        panel.run_combo.setCurrentIndex(panel.run_combo.findData(run_id))
        assert panel.script_box.isEnabled() and panel.script_box.toolTip() == ""
        assert panel.script_note.isHidden()
