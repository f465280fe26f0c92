"""`workbench train --cluster` and `workbench compute`: where the folds and trials run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_calls import one_error_line, run

TRAIN = [
    "--model", "random_forest", "--split", "kfold:3", "--tune", "random:3", "--seed", "5",
    "--no-baseline", "--json",
]  # fmt: skip


def _scores(capsys: pytest.CaptureFixture[str]) -> list[tuple]:
    results = json.loads(capsys.readouterr().out)
    return [(r["status"], r["validation"], r["test"], r["best_params"]) for r in results]


def test_train_on_a_local_cluster_gives_the_scores_of_a_local_run(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["train", str(project), *TRAIN]) == 0
    local = _scores(capsys)
    assert run(["train", str(project), *TRAIN, "--cluster", "local:2"]) == 0
    captured = capsys.readouterr()
    assert "workbench: note: training on a local Dask cluster of 2 worker processes" in (
        captured.err
    )
    on_cluster = [
        (r["status"], r["validation"], r["test"], r["best_params"])
        for r in json.loads(captured.out)
    ]
    assert on_cluster == local
    assert local[0][0] == "finished" and local[0][1]["accuracy"]["mean"] > 0.9


def test_an_unreachable_scheduler_exits_2_with_one_line_and_no_run(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["train", str(project), *TRAIN, "--cluster", "tcp://127.0.0.1:9"]) == 2
    assert one_error_line(capsys) == (
        "workbench: error: cannot reach the Dask scheduler at tcp://127.0.0.1:9: no answer "
        "within 5 s (is `dask scheduler` running there, and the port open?)"
    )
    assert run(["runs", str(project), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize("value", ["local:0", "scheduler", "tls://host:8786"])
def test_a_bad_cluster_value_exits_2_naming_it(
    project: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    assert run(["train", str(project), *TRAIN, "--cluster", value]) == 2
    line = one_error_line(capsys)
    assert line.startswith(f"workbench: error: bad compute setting '{value}'")


def test_compute_shows_and_sets_the_project_setting(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["compute", str(project)]) == 0
    assert capsys.readouterr().out == (
        "local: training runs in the training process on this computer\n"
    )
    assert run(["compute", str(project), "tcp://127.0.0.1:9"]) == 0
    assert capsys.readouterr().out == (
        "tcp://127.0.0.1:9: training runs on the Dask cluster at tcp://127.0.0.1:9\n"
    )
    assert json.loads((project / "project.json").read_text())["compute"] == "tcp://127.0.0.1:9"
    # Training now goes to that scheduler unless --cluster says otherwise.
    assert run(["train", str(project), *TRAIN]) == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in one_error_line(capsys)
    assert run(["compute", str(project), "nowhere"]) == 2
    assert one_error_line(capsys).startswith("workbench: error: bad compute setting 'nowhere'")
    assert run(["compute", str(project), "local"]) == 0
    assert json.loads((project / "project.json").read_text())["compute"] == "local"
