"""The Train panel on penguins: settings -> TrainSpec, a live leaderboard fed by a real
training child process, and Cancel killing that process.

Real project, real registry, real runner in a child process (as the app runs it).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from _declared import declared_site_scheme_and_quick_method
from PySide6.QtCore import Qt

from workbench.core.dataset import import_table
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnKind, ColumnRole, TaskType
from workbench.core.processes import pid_alive
from workbench.core.project import PROJECT_FILE, Project, create_project
from workbench.core.runs.log import LOG_FILE, ExperimentLog
from workbench.core.specs import ChainSpec, ModelSpec, SplitSpec, StepSpec, TrainSpec, TuneSpec
from workbench.gui.panels.train_panel import NO_CONTEXT_TEXT, TrainPanel
from workbench.gui.panels.train_settings import TrainSettings
from workbench.gui.widgets.leaderboard import BEST_MARK, MODEL, PROGRESS, STATUS, VALIDATION

TRAIN_TIMEOUT_MS = 60_000  # a cold child process imports pandas and scikit-learn


@pytest.fixture(scope="module")
def project(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("train") / "penguins"
    created = create_project(root)
    created.attach_dataset(
        import_table(root, shared_data / "clean" / "penguins.csv", target="species")
    )
    created.save()
    return created


@pytest.fixture()
def panel(open_train_panel, project: Project) -> TrainPanel:
    assert project.dataset is not None
    return open_train_panel(project)


def _cell(panel: TrainPanel, row: int, column: int) -> str:
    return panel.leaderboard.index(row, column).data()


def test_empty_state_until_a_target(qtbot, project: Project) -> None:
    panel = TrainPanel()
    qtbot.addWidget(panel)
    assert panel.stack.currentWidget() is panel.no_context
    assert NO_CONTEXT_TEXT.startswith("Import a dataset and choose a target first")
    panel.set_context(dataclasses.replace(project, target=None, task=None))
    assert panel.stack.currentWidget() is panel.no_context
    assert panel.train() is False
    panel.set_context(project)
    assert panel.stack.currentWidget() is panel.splitter


def _choose(combo, value: str) -> None:
    combo.setCurrentIndex(combo.findData(value))


def test_settings_make_the_spec(panel: TrainPanel) -> None:
    picker, settings = panel.model_picker, panel.train_settings
    # Multiclass: no baseline in the list (a checkbox), the task's default metric.
    assert "dummy_classifier" not in picker.items
    assert "xgboost_classifier" in picker.items and "svr" not in picker.items
    assert settings.chosen_metric() == "f1_macro"
    with pytest.raises(Exception, match="tick at least one model"):
        picker.baseline_box.setChecked(False)
        panel.spec()
    picker.baseline_box.setChecked(True)

    picker.check_model("random_forest_classifier")
    picker.select_model("random_forest_classifier")
    form = picker.param_form
    assert form is not None
    form.editor("n_estimators").setValue(50)  # a user edit: only changed values are kept
    assert "(1 changed)" in picker.items["random_forest_classifier"].text(0)

    _choose(settings.scheme_combo, "repeated_kfold")
    assert settings.repeats_spin.isVisibleTo(panel) and settings.folds_spin.isVisibleTo(panel)
    assert not settings.validation_spin.isVisibleTo(panel)
    settings.folds_spin.setValue(4)
    settings.repeats_spin.setValue(2)
    _choose(settings.tune_combo, "random")
    settings.trials_spin.setValue(7)
    settings.budget_box.setChecked(True)
    settings.budget_spin.setValue(60)
    _choose(settings.metric_combo, "balanced_accuracy")
    settings.seed_spin.setValue(11)
    settings.cores_spin.setValue(1)
    spec = panel.spec()
    assert spec.models == (ModelSpec("random_forest_classifier", {"n_estimators": 50}),)
    assert spec.split == SplitSpec(scheme="repeated_kfold", n_splits=4, n_repeats=2)
    assert spec.tune == TuneSpec(
        method="random", n_trials=7, time_budget_seconds=60.0, metric="balanced_accuracy"
    )
    assert (spec.seed, spec.n_jobs, spec.include_baseline) == (11, 1, True)
    assert panel.leaderboard.headerData(VALIDATION, Qt.Orientation.Horizontal) == (
        "Validation Balanced accuracy"
    )

    # Group k-fold offers the categorical columns (never the target); the hash split needs
    # an ID-like column, which penguins lacks: Train explains instead of starting.
    _choose(settings.scheme_combo, "group_kfold")
    group = settings.picker_combos["group_column"]
    assert [group.itemData(i) for i in range(group.count())] == ["island", "sex"]
    assert panel.spec().split.group_column == "island"
    _choose(settings.scheme_combo, "hash")
    assert settings.validation_spin.isVisibleTo(panel)
    assert not settings.folds_spin.isVisibleTo(panel)
    assert panel.train() is False
    assert panel.error_label.isVisibleTo(panel)
    assert "needs an id column" in panel.error_label.text()
    assert not panel.task_running("train")


def test_a_rescaling_chain_warns_when_a_tree_model_is_ticked(panel: TrainPanel) -> None:
    scale = ChainSpec((StepSpec("scale", ("bill_length_mm", "body_mass_g")),))
    picker = panel.model_picker
    panel.set_chain(scale)
    picker.check_model("logistic_regression")
    assert picker.chain_advice.isHidden()  # a linear model wants the scaling
    picker.check_model("random_forest_classifier")
    picker.check_model("xgboost_classifier")
    assert picker.chain_advice.isVisible()
    assert picker.chain_advice.text().startswith(
        "The chain's 'Scale' step recomputes numbers before Random forest and XGBoost: trees "
        "need no scaling, and an ONNX export computes it in float32"
    )
    # The Prepare panel switches the step off: the warning goes.
    panel.set_chain(ChainSpec((StepSpec("scale", ("bill_length_mm",), enabled=False),)))
    assert picker.chain_advice.isHidden()
    panel.set_chain(scale)
    assert picker.chain_advice.isVisible()
    picker.check_model("random_forest_classifier", False)
    assert "before XGBoost:" in picker.chain_advice.text()
    picker.check_model("xgboost_classifier", False)
    assert picker.chain_advice.isHidden()


def test_load_spec_from_a_logged_run(panel: TrainPanel) -> None:
    stored = {
        "target": "species",
        "task": "multiclass",
        "split": SplitSpec(scheme="kfold", n_splits=3, test_fraction=0.1).to_dict(),
        "tune": TuneSpec(metric="accuracy").to_dict(),
        "seed": 5,
        "n_jobs": None,
        "early_stopping": True,
        "metric": "accuracy",
        "model": {"name": "knn_classifier", "params": {"n_neighbors": 9}},
    }
    panel.load_spec(stored)
    spec = panel.spec()
    assert spec == TrainSpec(
        models=(ModelSpec("knn_classifier", {"n_neighbors": 9}),),
        split=SplitSpec(scheme="kfold", n_splits=3, test_fraction=0.1),
        tune=TuneSpec(metric="accuracy"),
        seed=5,
        include_baseline=False,
    )
    form = panel.model_picker.param_form
    assert form is not None and form.values()["n_neighbors"] == 9


def test_train_fills_the_leaderboard_live(qtbot, panel: TrainPanel, project: Project) -> None:
    picker, settings = panel.model_picker, panel.train_settings
    picker.check_model("decision_tree_classifier")
    picker.check_model("logistic_regression")
    settings.folds_spin.setValue(3)
    seen: list[tuple[str, int]] = []  # (event type, leaderboard rows when it arrived)

    def record(event: object) -> None:
        seen.append((type(event).__name__, panel.leaderboard.rowCount()))

    panel.task("train").partial.connect(record)
    with qtbot.waitSignal(panel.runs_changed, timeout=TRAIN_TIMEOUT_MS):
        qtbot.mouseClick(settings.train_button, Qt.MouseButton.LeftButton)
        assert panel.task("train").running and not settings.train_button.isEnabled()

    kinds = [name for name, _rows in seen]
    assert kinds.count("RunStarted") == 3 and kinds.count("CandidateResult") == 3
    assert kinds.count("FoldDone") == 9
    # Live: the first fold of the first model arrived while its row was the only one.
    assert seen[1] == ("FoldDone", 1)
    rows = panel.leaderboard.rows()
    assert [row.label for row in rows] == ["Baseline (no model)", "Logistic regression",
                                           "Decision tree"]  # fmt: skip
    assert [row.status for row in rows] == ["finished"] * 3
    for position in range(3):
        assert _cell(panel, position, STATUS) == "finished"
        assert _cell(panel, position, PROGRESS) == "3/3 folds"
        assert " ± " in _cell(panel, position, VALIDATION)
    # The best validation F1 is marked; the baseline is far below it.
    best = panel.leaderboard.best_row()
    assert best is not None and best != 0
    means = [row.validation_mean_std("f1_macro")[0] for row in rows]
    assert means[best] == max(means) and means[0] < 0.4 < 0.9 < means[best]
    assert _cell(panel, best, MODEL).startswith(BEST_MARK)
    assert settings.train_button.isEnabled() and not settings.cancel_button.isEnabled()
    assert "Trained 3 of 3 models" in panel.status_label.text()

    with ExperimentLog(project.root / LOG_FILE) as log:
        logged = {record.run_id: record for record in log.runs()}
    for row in rows:
        assert logged[row.run_id].status == "finished"
        f1 = logged[row.run_id].metrics["validation"]["f1_macro"]
        assert f1 == pytest.approx(row.validation_mean_std("f1_macro")[0])


def test_trains_the_chain_on_screen_without_saving_the_project(
    qtbot, panel: TrainPanel, project: Project
) -> None:
    # The chain and roles as edited in the window, not saved: project.json still has neither.
    saved = (project.root / PROJECT_FILE).read_bytes()
    edited = dataclasses.replace(project, roles=dict(project.roles))
    edited.set_role("sex", ColumnRole.IGNORE)
    chain = ChainSpec(
        (
            StepSpec("impute", ("bill_length_mm",), {"strategy": "median"}),
            StepSpec("drop_columns", ("island",)),
        )
    )
    edited.set_chain(chain)
    assert edited.dirty and project.chain != chain
    panel.set_context(edited)
    panel.model_picker.baseline_box.setChecked(False)
    panel.model_picker.check_model("decision_tree_classifier")
    panel.train_settings.folds_spin.setValue(3)
    with qtbot.waitSignal(panel.runs_changed, timeout=TRAIN_TIMEOUT_MS):
        assert panel.train()
    [row] = panel.leaderboard.rows()
    assert row.status == "finished", row.message
    assert (project.root / PROJECT_FILE).read_bytes() == saved
    with ExperimentLog(project.root / LOG_FILE) as log:
        record = log.run(row.run_id)
    assert record.spec.chain.user == chain
    assert [feature.name for feature in record.spec.features] == [
        "island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g",
    ]  # fmt: skip


def test_cancel_kills_the_process_and_marks_the_run_cancelled(
    qtbot, panel: TrainPanel, project: Project
) -> None:
    picker, settings = panel.model_picker, panel.train_settings
    picker.baseline_box.setChecked(False)
    picker.check_model("random_forest_classifier")
    picker.set_model_params("random_forest_classifier", {"n_estimators": 5000})
    settings.folds_spin.setValue(5)
    assert panel.train()
    qtbot.waitUntil(lambda: panel.leaderboard.rowCount() == 1, timeout=TRAIN_TIMEOUT_MS)
    pid = panel.task("train").worker_pid
    assert pid is not None and pid_alive(pid)
    run_id = panel.leaderboard.rows()[0].run_id

    # 5,000 trees x 5 folds would run for minutes: the run ends because the process is killed
    # (how fast: benchmarks/jobs_bench.py).
    with qtbot.waitSignal(panel.runs_changed, timeout=TRAIN_TIMEOUT_MS):
        qtbot.mouseClick(settings.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not pid_alive(pid), timeout=TRAIN_TIMEOUT_MS)
    assert not panel.task("train").running and settings.train_button.isEnabled()
    assert panel.leaderboard.rows()[0].status == "cancelled"
    assert panel.leaderboard.index(0, STATUS).data() == "cancelled"
    with ExperimentLog(project.root / LOG_FILE) as log:
        record = log.run(run_id)
    assert record.status == "cancelled" and "cancelled" in (record.message or "")


def test_a_slow_fold_ticks_and_says_what_it_is_doing(qtbot, panel: TrainPanel) -> None:
    """Between the runner's events the elapsed time still moves (a timer), and a model silent
    for `quiet_seconds` says which fold of how big a table it is fitting."""
    picker, settings = panel.model_picker, panel.train_settings
    picker.baseline_box.setChecked(False)
    picker.check_model("random_forest_classifier")
    picker.set_model_params("random_forest_classifier", {"n_estimators": 5000})
    settings.folds_spin.setValue(5)
    panel.quiet_seconds = 0.0  # say it at the first tick after a report
    assert panel.train()
    ticks: list[str] = []
    # Connected after the panel's own slot: each entry is the text a tick left.
    panel.ticker.timeout.connect(lambda: ticks.append(panel.count_label.text()))
    # 5,000 trees x 5 folds run for minutes: the first fold is still fitting at these ticks.
    qtbot.waitUntil(lambda: len(ticks) >= 3 and "fitting" in ticks[-1], timeout=TRAIN_TIMEOUT_MS)
    assert panel.ticker.interval() == 1000
    assert all("elapsed" in text for text in ticks)
    assert len(set(ticks)) == len(ticks)  # every tick moved the clock
    # 344 penguins less the 20% test set (275 rows), less one fold of 5; 6 feature columns.
    assert "Random forest: fitting fold 1 of 5, 220 rows × 6 columns (for " in ticks[-1]
    panel.cancel()
    assert not panel.ticker.isActive()
    assert "fitting" not in panel.count_label.text()


def test_columns_for_pickers_skip_the_target(qtbot) -> None:
    settings = TrainSettings()
    qtbot.addWidget(settings)
    kinds = {
        "species": ColumnKind.CATEGORICAL,
        "when": ColumnKind.DATETIME,
        "mass": ColumnKind.NUMERIC,
        "tag": ColumnKind.IDENTIFIER,
    }
    settings.populate_schemes(TaskType.REGRESSION)
    settings.populate_metrics(TaskType.REGRESSION)
    settings.populate_pickers(kinds, "mass")
    # Regression: no stratified scheme; RMSE by default.
    combo = settings.scheme_combo
    schemes = [combo.itemData(i) for i in range(combo.count())]
    assert "stratified_kfold" not in schemes and schemes[0] == "holdout"
    assert combo.currentData() == "kfold"
    assert settings.chosen_metric() == "rmse"
    time_combo = settings.picker_combos["time_column"]
    assert [time_combo.itemData(i) for i in range(time_combo.count())] == ["when"]
    ids = settings.picker_combos["id_column"]
    assert [ids.itemData(i) for i in range(ids.count())] == ["tag"]


def test_a_declared_scheme_and_method_are_in_the_settings(qtbot) -> None:
    with declared_site_scheme_and_quick_method():
        settings = TrainSettings()
        qtbot.addWidget(settings)
        settings.show()
        settings.populate_schemes(TaskType.MULTICLASS)
        kinds = {"species": ColumnKind.CATEGORICAL, "island": ColumnKind.CATEGORICAL}
        settings.populate_pickers(kinds, "species")
        combo = settings.scheme_combo
        combo.setCurrentIndex(combo.findData("kfold_by_site"))
        assert combo.currentText() == "K-fold by site"
        assert settings.scheme_help.text().startswith("Whole sites in each fold")
        assert settings.folds_spin.isVisibleTo(settings)
        assert not settings.repeats_spin.isVisibleTo(settings)
        assert not settings.validation_spin.isVisibleTo(settings)
        assert settings.picker_combos["group_column"].isVisibleTo(settings)
        assert not settings.picker_combos["id_column"].isVisibleTo(settings)
        settings.folds_spin.setValue(3)
        assert settings.split_spec() == SplitSpec(
            "kfold_by_site", n_splits=3, n_repeats=3, group_column="island"
        )
        methods = settings.tune_combo
        methods.setCurrentIndex(methods.findData("quick_random"))
        assert methods.currentText() == "Quick random search"
        assert settings.trials_spin.isVisibleTo(settings)
        assert settings.tune_spec().method == "quick_random"
        settings.populate_pickers({"species": ColumnKind.CATEGORICAL}, "species")
        with pytest.raises(WorkbenchError, match="K-fold by site needs a group column; this"):
            settings.split_spec()


def test_grouped_rows_are_said_beside_a_random_split_with_the_group_split_a_click_away(
    qtbot, shared_data: Path, tmp_path: Path
) -> None:
    import pandas as pd

    from workbench.core.profile.compute import profile_frame

    root = tmp_path / "life"
    created = create_project(root)
    source = shared_data / "messy" / "Life_Expectancy_Data.csv"
    created.attach_dataset(import_table(root, source, target="Life expectancy"))
    created.save()
    panel = TrainPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_context(created)
    settings = panel.train_settings
    row_shown = lambda: settings.validation_form.isRowVisible(settings.grouping_row)  # noqa: E731
    assert not row_shown()  # no profile yet
    profile = profile_frame(pd.read_csv(source).rename(columns=str.strip))
    (alert,) = [a for a in profile.alerts if a.kind == "grouped_rows"]
    panel.set_profile(profile)
    assert settings.split_spec().scheme == "kfold" and row_shown()
    assert settings.grouping_label.text() == f"{alert.message} See Profile ▸ Alerts."
    assert settings.grouping_button.text() == "Use group k-fold on 'Country'"
    qtbot.mouseClick(settings.grouping_button, Qt.MouseButton.LeftButton)
    split = settings.split_spec()
    assert (split.scheme, split.group_column) == ("group_kfold", "Country")
    assert not row_shown()  # the split now keeps a country's rows together
    settings.scheme_combo.setCurrentIndex(settings.scheme_combo.findData("holdout"))
    assert row_shown()
    panel.set_profile(profile_frame(pd.read_csv(shared_data / "clean" / "insurance.csv")))
    assert not row_shown()
