"""A project received from someone else is data, never code (issue 13).

Each test copies a real trained project and plants what an attacker would: a plot-numbers
pickle, a pipeline pickle with its matching sha256 written into the log, artifact and dataset
paths leading out of the folder. The planted pickles write a marker file when unpickled; no
command may create it. The receiver is another installation: its trust store is empty.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from _planted import plant_pickle
from _serve_runs import exported_onnx
from cli_calls import one_error_line, run

from workbench.core.errors import ProjectError
from workbench.core.runs.loaded import LoadedRun
from workbench.core.runs.log import RUNS_DIR
from workbench.core.runs.result_jobs import load_plot_data, read_saved_plot_data
from workbench.core.trust import TRUST_DIR_VARIABLE, UntrustedPickle, trust_sha256

pytestmark = pytest.mark.shared_data
Factory = pytest.TempPathFactory


def _set_artifact(root: Path, run_id: str, kind: str, **values: object) -> None:
    with sqlite3.connect(root / "experiments.sqlite") as db:
        for column, value in values.items():
            db.execute(
                f"UPDATE artifacts SET {column} = ? WHERE run_id = ? AND kind = ?",
                (value, run_id, kind),
            )
    db.close()


@pytest.fixture
def received(
    shared_data: Path, tmp_path_factory: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, str, Path]:
    """A copy of a trained penguins project with its exported ONNX model, opened by another
    installation (an empty trust store): (project, run id, model.onnx)."""
    trained, model = exported_onnx("penguins", shared_data, tmp_path_factory)
    root = tmp_path / "received"
    shutil.copytree(trained.project, root)
    shutil.copy(model, root / "model.onnx")
    monkeypatch.setenv(TRUST_DIR_VARIABLE, str(tmp_path / "receiver-trust"))
    return root, trained.run_id, root / "model.onnx"


def test_a_received_run_is_viewable_but_its_pipeline_is_refused_until_refit(
    received: tuple[Path, str, Path],
    shared_data: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, run_id, model = received
    source = shared_data / "clean" / "penguins.csv"
    # Viewable: the listing, its plot numbers and the ONNX model the sender exported.
    assert run(["runs", str(root), "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert (listed["run_id"], listed["status"]) == (run_id, "finished")
    numbers = read_saved_plot_data(root, run_id)
    assert numbers is not None and numbers.splits["oof"].confusion is not None
    out = tmp_path / "onnx.csv"
    assert run(["predict", "--onnx", str(model), str(source), "--out", str(out)]) == 0
    assert pd.read_csv(out).shape == (344, 5)  # row, prediction, three probabilities
    capsys.readouterr()
    # Its pickle: predict and export say why and how to re-fit.
    predict = ["predict", str(root), run_id, str(source), "--out", str(tmp_path / "p.csv")]
    assert run(predict) == 2
    line = one_error_line(capsys)
    assert f"run '{run_id}'" in line and "was not trained by this installation" in line
    assert f"workbench rerun {root} {run_id}" in line
    for export in (["--onnx", str(tmp_path / "m.onnx")], ["--joblib", str(tmp_path / "m.joblib")]):
        assert run(["export", str(root), run_id, *export]) == 2
        assert "was not trained by this installation" in one_error_line(capsys)
    assert not (tmp_path / "m.onnx").exists() and not (tmp_path / "m.joblib").exists()
    # Re-fit: the same seed gives the same metrics, and the new run predicts.
    assert run(["rerun", str(root), run_id, "--json"]) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["original"] == run_id and outcome["status"] == "finished"
    assert outcome["same_metrics"] is True and outcome["changes"] == []
    new = outcome["run_id"]
    with LoadedRun.open(root, new) as refit, LoadedRun.open(root, run_id) as original:
        assert refit.record.metrics == original.record.metrics
        assert refit.record.note == f"re-fit of run {run_id}"
    predict[2] = new
    assert run(predict) == 0
    assert pd.read_csv(tmp_path / "p.csv").shape == (344, 5)


def test_rerun_says_when_the_metrics_differ(
    received: tuple[Path, str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root, run_id, _ = received
    with sqlite3.connect(root / "experiments.sqlite") as db:  # as if another version scored it
        db.execute(
            "UPDATE metrics SET value = 0.5 WHERE run_id = ? AND split = 'test' AND fold = -1 "
            "AND name = 'accuracy'",
            (run_id,),
        )
    db.close()
    assert run(["rerun", str(root), run_id]) == 0
    printed = capsys.readouterr().out.strip()
    assert f"re-fits run {run_id} with the same seed, but its metrics differ" in printed
    assert "test accuracy 0.5 -> 0.98" in printed  # the re-fit's score, 6 significant digits


def test_planted_plot_numbers_pickle_never_runs(
    received: tuple[Path, str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, run_id, _ = received
    marker = tmp_path / "ran-plot-data"
    folder = root / RUNS_DIR / run_id
    (folder / "plot_data.json").unlink()
    plant_pickle(folder / "plot_data.pickle", marker)  # what earlier versions wrote and read
    assert read_saved_plot_data(root, run_id) is None
    (loaded,) = load_plot_data(root, [run_id])  # the Results panel's loading job
    assert loaded.splits["oof"].rows == 69  # the hold-out validation rows
    report = tmp_path / "report.html"
    assert run(["report", str(root), run_id, "--out", str(report)]) == 0
    assert report.is_file()
    assert not marker.exists()


def test_a_planted_pipeline_with_its_sha256_in_the_log_never_runs(
    received: tuple[Path, str, Path],
    shared_data: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, run_id, _ = received
    marker = tmp_path / "ran-pipeline"
    path = root / RUNS_DIR / run_id / "pipeline.joblib"
    digest = plant_pickle(path, marker)
    _set_artifact(root, run_id, "pipeline", sha256=digest, size=path.stat().st_size)
    source = shared_data / "clean" / "penguins.csv"
    commands = [
        ["predict", str(root), run_id, str(source), "--out", str(tmp_path / "p.csv")],
        ["export", str(root), run_id, "--onnx", str(tmp_path / "m.onnx")],
        ["export", str(root), run_id, "--joblib", str(tmp_path / "m.joblib")],
        ["export", str(root), "--docker", str(tmp_path / "docker")],
    ]
    for argv in commands:
        assert run(argv) == 2, argv
        assert "was not trained by this installation" in one_error_line(capsys)
    with LoadedRun.open(root, run_id) as loaded, pytest.raises(UntrustedPickle):
        _ = loaded.pipeline
    assert run(["report", str(root), run_id, "--out", str(tmp_path / "r.html")]) == 0
    assert not marker.exists()


@pytest.mark.parametrize("where", ["relative", "absolute"])
def test_an_artifact_path_outside_the_project_is_refused_naming_it(
    received: tuple[Path, str, Path],
    shared_data: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    where: str,
) -> None:
    root, run_id, _ = received
    marker = tmp_path / "ran-outside"
    outside = tmp_path / "elsewhere" / "pipeline.joblib"
    digest = plant_pickle(outside, marker)
    trust_sha256(digest)  # even a pickle this machine trusts is not read from outside
    written = "../elsewhere/pipeline.joblib" if where == "relative" else str(outside)
    _set_artifact(root, run_id, "pipeline", path=written, sha256=digest)
    source = shared_data / "clean" / "penguins.csv"
    argv = ["predict", str(root), run_id, str(source), "--out", str(tmp_path / "p.csv")]
    assert run(argv) == 2
    line = one_error_line(capsys)
    assert f"the path of run '{run_id}''s 'pipeline' artifact in experiments.sqlite" in line
    assert written in line
    refused = pytest.raises(ProjectError, match=r"outside|absolute")
    with LoadedRun.open(root, run_id) as loaded, refused:
        _ = loaded.pipeline
    assert not marker.exists()


def test_predictions_path_outside_the_project_is_refused(
    received: tuple[Path, str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, run_id, _ = received
    _set_artifact(root, run_id, "oof", path="../../../etc/passwd")
    assert run(["report", str(root), run_id, "--out", str(tmp_path / "r.html")]) == 2
    assert "'oof' artifact in experiments.sqlite '../../../etc/passwd' leads outside" in (
        one_error_line(capsys)
    )


@pytest.mark.parametrize("written", ["../elsewhere/data.parquet", "/etc/hostname"])
def test_a_dataset_path_outside_the_project_is_refused_naming_the_field(
    received: tuple[Path, str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    written: str,
) -> None:
    root, _, _ = received
    data = json.loads((root / "project.json").read_text())
    original = root / data["dataset"]["path"]
    if not written.startswith("/"):
        (tmp_path / "elsewhere").mkdir()
        shutil.copy(original, tmp_path / "elsewhere" / "data.parquet")
    data["dataset"]["path"] = written
    (root / "project.json").write_text(json.dumps(data))
    for argv in (["profile", str(root)], ["train", str(root), "--model", "decision_tree"]):
        assert run(argv) == 2, argv
        line = one_error_line(capsys)
        assert "'dataset.path' in project.json" in line and written in line, line
