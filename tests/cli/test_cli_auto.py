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
    with ExperimentLog(project / LOG_FILE) as log:
        runs = log.runs()
    parent = next(r for r in runs if r.run_id == summary["parent_run_id"])
    children = [r.run_id for r in runs if r.parent_run_id == parent.run_id]
    assert children == [trial["run_id"] for trial in summary["trials"]]
    # Every run said on stderr as it ended.
    assert all(f"run {run_id} " in captured.err for run_id in children)
