"""`workbench train PROJECT --auto BUDGET`: the auto search's summary, its JSON, and bad
budgets refused with exit code 2 and one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_calls import one_error_line, run

from workbench.core.runs.log import LOG_FILE, ExperimentLog


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--auto", "soon"],
            "the time budget 'soon' is not a duration; write seconds or minutes, such as 300s "
            "or 5m",
        ),
        (
            ["--auto", "5 weeks"],
            "the time budget '5 weeks' is not a duration; write seconds or minutes, such as "
            "300s or 5m",
        ),
        (["--auto", "1s"], "the time budget '1s' is too short; give at least 5s"),
        (["--auto", "60s", "--model", "xgboost"], "--auto chooses the models itself; drop --model"),
        (["--auto", "60s", "--tune", "random:5"], "--auto tunes the models itself; drop --tune"),
    ],
)
def test_bad_auto_arguments_exit_2_with_one_line(
    project: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert run(["train", str(project), *extra]) == 2
    assert one_error_line(capsys) == f"workbench: error: {message}"
    assert not (project / LOG_FILE).exists()  # nothing ran


def test_auto_prints_the_search_as_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["train", str(project), "--auto", "8s", "--split", "kfold:3", "--jobs", "1", "--json"]
    assert run(argv) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["budget_seconds"] == 8.0 and summary["metric"] == "f1_macro"
    assert summary["winner"]["status"] == "finished"
    assert {"stacking", "stacking_gain", "stacking_test_gain", "stacking_note"} <= set(summary)
    with ExperimentLog(project / LOG_FILE) as log:
        runs = log.runs()
    parent = next(r for r in runs if r.run_id == summary["parent_run_id"])
    children = [r.run_id for r in runs if r.parent_run_id == parent.run_id]
    assert children == [trial["run_id"] for trial in summary["trials"]]
    # Every run said on stderr as it ended.
    assert all(f"run {run_id} " in captured.err for run_id in children)


def test_ensembles_rerun_from_their_members_and_stacking_refuses_a_script(
    repo_root: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from _projects import make_project, train_models

    from workbench.core.automl.ensemble import ensemble_runs
    from workbench.core.automl.stacking import stack_runs
    from workbench.core.runs.loaded import LoadedRun
    from workbench.core.specs import SplitSpec
    from workbench.core.trust import TRUST_DIR_VARIABLE

    root = make_project(tmp_path / "birds", repo_root / "resources/data/penguins.csv", "species")
    ids = train_models(root, {"logistic_regression": {}, "naive_bayes": {}}, SplitSpec(n_splits=3))
    members = list(ids.values())
    stacking = stack_runs(root, members)
    averaging = ensemble_runs(root, members, [0.75, 0.25])
    assert stacking.status == averaging.status == "finished"
    capsys.readouterr()
    # Received by another installation: no member's pickle is trusted, so the re-fit fits
    # every member again from its recorded settings, and the metrics come out the same.
    monkeypatch.setenv(TRUST_DIR_VARIABLE, str(tmp_path / "receiver-trust"))
    for original in (stacking.run_id, averaging.run_id):
        assert run(["rerun", str(root), original]) == 0
        said = capsys.readouterr().out.strip()
        new = said.split()[1]
        assert said == (
            f"run {new} re-fits run {original}: same seed, same metrics; it can predict and export"
        )
        with ExperimentLog(root / LOG_FILE) as log:
            before, after = log.run(original), log.run(new)
        assert after.spec.model.name == before.spec.model.name
        assert after.params["ensemble.members"] == members
        assert after.params.get("ensemble.weights") == before.params.get("ensemble.weights")
        assert after.note == f"re-fit of run {original}"
        with LoadedRun.open(root, new) as refitted:
            assert refitted.pipeline_trusted
    script = tmp_path / "stacking.py"
    assert run(["export", str(root), stacking.run_id, "--script", str(script)]) == 2
    assert one_error_line(capsys) == (
        f"workbench: error: run {stacking.run_id} is a stacking ensemble, which cannot be "
        "written as a script: its validation comes from a meta-learner cross-fitted on every "
        "fold's predictions. Export it as ONNX or joblib, or write the soft-voting (averaging) "
        "ensemble of the same search as a script"
    )
    assert not script.exists()
