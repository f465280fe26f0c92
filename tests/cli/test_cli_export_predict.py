"""`workbench export` and `workbench predict` as a user types them (workbench.cli.main.main):
files, parity, predictions, and one-line errors with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from _serve_runs import exported_onnx, trained_run
from cli_calls import one_error_line, run

from workbench.core.dataset import import_table
from workbench.core.io.options import ReadOptions
from workbench.core.parquet_frames import read_frame_parquet
from workbench.core.project import create_project
from workbench.core.runs.best import best_run
from workbench.core.specs import ModelSpec, SplitSpec, TrainSpec
from workbench.core.train.runner import run_training

pytestmark = pytest.mark.shared_data
Factory = pytest.TempPathFactory


# --- predict -----------------------------------------------------------------------------------


def test_predict_from_a_run(
    shared_data: Path, tmp_path_factory: Factory, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    trained = trained_run("penguins", shared_data, tmp_path_factory)
    out = tmp_path / "p.csv"
    source = shared_data / "clean" / "penguins.csv"
    assert (
        run(["predict", str(trained.project), trained.run_id, str(source), "--out", str(out)]) == 0
    )
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"wrote 344 predictions to {out}",
        "columns: row, prediction, proba_Adelie, proba_Chinstrap, proba_Gentoo",
    ]
    # The target in the file is not a model input: ignored, and said so once.
    assert captured.err == "note: ignored 1 column(s) the model does not take: 'species'\n"
    frame = pd.read_csv(out)
    assert frame.shape == (344, 5)
    assert frame["prediction"].value_counts().to_dict().keys() == {"Adelie", "Chinstrap", "Gentoo"}


def test_predict_from_onnx_with_keys_as_json(
    shared_data: Path, tmp_path_factory: Factory, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    _, model = exported_onnx("penguins", shared_data, tmp_path_factory)
    out = tmp_path / "p.parquet"
    source = shared_data / "clean" / "penguins.csv"
    argv = ["predict", "--onnx", str(model), str(source), "--out", str(out), "--key", "island"]
    assert run([*argv, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary == {
        "path": str(out),
        "rows": 344,
        "columns": ["island", "prediction", "proba_Adelie", "proba_Chinstrap", "proba_Gentoo"],
        "keys": ["island"],
        "ignored_columns": ["species"],
        "unseen": {},
    }
    assert read_frame_parquet(out)["island"].iloc[0] == "Torgersen"


def test_predict_errors_are_one_line_with_exit_code_2(
    shared_data: Path, tmp_path_factory: Factory, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    trained, model = exported_onnx("penguins", shared_data, tmp_path_factory)
    source = str(shared_data / "clean" / "penguins.csv")
    out = ["--out", str(tmp_path / "p.csv")]
    project = str(trained.project)
    cases = [
        (["predict", project, source, *out], "predict needs 3 arguments, got 2"),
        (["predict", "--onnx", str(model), project, source, *out], "with --onnx give only"),
        (["predict", project, trained.run_id, str(tmp_path / "nope.csv"), *out], "not found"),
        (["predict", project, "19990101-000000-000-dead", source, *out], "19990101-000000"),
        (["predict", project, trained.run_id, source, "--out", str(tmp_path / "p.txt")],
         "use a .csv or .parquet file name"),
        (["predict", "--onnx", str(tmp_path / "m.onnx"), source, *out], "ONNX model not found"),
        (["predict", project, trained.run_id, source], "the following arguments are required"),
    ]  # fmt: skip
    for argv, expected in cases:
        assert run(argv) == 2, argv
        assert expected in one_error_line(capsys), argv
    pd.read_csv(source).drop(columns=["sex"]).to_csv(tmp_path / "nosex.csv", index=False)
    assert run(["predict", project, trained.run_id, str(tmp_path / "nosex.csv"), *out]) == 2
    assert one_error_line(capsys) == (
        "workbench: error: nosex.csv: required column 'sex' is missing from the data"
    )
    assert not (tmp_path / "p.csv").exists()


# --- export ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def three_runs(shared_data: Path, tmp_path_factory: Factory) -> tuple[Path, list]:
    project = create_project(tmp_path_factory.mktemp("best") / "penguins")
    project.attach_dataset(import_table(project.root, shared_data / "clean" / "penguins.csv"))
    project.save()
    spec = TrainSpec(
        models=(ModelSpec("decision_tree", {"max_depth": 1}), ModelSpec("logistic_regression")),
        split=SplitSpec("stratified_kfold", n_splits=3, test_fraction=0.2),
        n_jobs=1,
    )
    return project.root, run_training(project.root, spec)


def test_the_best_run_is_the_best_validation_score_without_baselines(
    three_runs: tuple[Path, list],
) -> None:
    root, results = three_runs
    assert [r.model for r in results] == [
        "dummy_classifier", "decision_tree_classifier", "logistic_regression"
    ]  # fmt: skip
    means = {r.run_id: r.validation["f1_macro"]["mean"] for r in results}
    # A one-split tree cannot tell three species apart; the logistic regression can.
    assert means[results[1].run_id] < 0.7 < means[results[2].run_id]
    assert best_run(root, "to export") == results[2].run_id


def test_export_needs_something_to_write(
    three_runs: tuple[Path, list], capsys: pytest.CaptureFixture
) -> None:
    root, _ = three_runs
    assert run(["export", str(root)]) == 2
    assert "say what to export: --onnx FILE, --docker DIR" in one_error_line(capsys)
    empty = root.parent / "empty"
    create_project(empty)
    assert run(["export", str(empty), "--onnx", str(root.parent / "m.onnx")]) == 2
    assert "has no finished run to export" in one_error_line(capsys)


def test_export_the_best_run_to_onnx(
    three_runs: tuple[Path, list], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root, results = three_runs
    model = tmp_path / "onnx" / "model.onnx"
    assert run(["export", str(root), "--onnx", str(model)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"exported run {results[2].run_id} (the best finished run)"
    assert lines[1].startswith("parity passed on 69 test rows: max probability difference ")
    assert lines[1].endswith("labels agree on 100.00% of rows")
    assert lines[2:] == [f"  {model}", f"  {model.with_name('schema.json')}",
                         f"  {model.with_name('model_card.md')}",
                         f"  {model.with_name('README.md')}"]  # fmt: skip
    assert model.stat().st_size > 0


def test_export_a_named_run_everywhere_as_json(
    three_runs: tuple[Path, list], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root, results = three_runs
    run_id = results[1].run_id
    outputs = {"--onnx": "m.onnx", "--docker": "bundle", "--joblib": "p.joblib"}
    argv = ["export", str(root), run_id, "--no-card"]
    for option, name in outputs.items():
        argv += [option, str(tmp_path / name)]
    assert run([*argv, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["run_id"] == run_id
    assert summary["parity"]["passed"] is True
    assert summary["parity"]["rows"] == 69
    assert summary["parity"]["max_difference"] <= 1e-4
    files = {Path(name).relative_to(tmp_path).as_posix() for name in summary["files"]}
    assert {"m.onnx", "schema.json", "p.joblib", "bundle/Dockerfile", "bundle/model.onnx",
            "bundle/service.py", "bundle/example_request.json"} <= files  # fmt: skip
    assert not any(name.endswith("model_card.md") for name in files)
    assert all(Path(name).is_file() for name in summary["files"])


def test_a_baseline_is_refused_in_one_line(
    three_runs: tuple[Path, list], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root, results = three_runs
    dummy = results[0].run_id
    assert run(["export", str(root), dummy, "--onnx", str(tmp_path / "m.onnx")]) == 2
    line = one_error_line(capsys)
    assert line.startswith(f"workbench: error: run {dummy} cannot be exported to ONNX: ")
    assert not (tmp_path / "m.onnx").exists()


def test_another_runs_export_is_kept_unless_replace_is_given(
    three_runs: tuple[Path, list], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root, results = three_runs
    first, second = results[1].run_id, results[2].run_id
    target = tmp_path / "pipeline.joblib"
    assert run(["export", str(root), first, "--joblib", str(target)]) == 0
    assert run(["export", str(root), first, "--joblib", str(target)]) == 0  # its own: replaced
    capsys.readouterr()
    assert run(["export", str(root), second, "--joblib", str(target)]) == 2
    assert one_error_line(capsys) == (
        f"workbench: error: {target}, {target}.json, {tmp_path / 'model_card.md'} hold run "
        f"{first}'s export: pass --replace to overwrite them"
    )
    assert json.loads(Path(f"{target}.json").read_text())["run_id"] == first
    assert run(["export", str(root), second, "--joblib", str(target), "--replace"]) == 0
    assert json.loads(Path(f"{target}.json").read_text())["run_id"] == second


def test_predict_reads_the_batch_with_the_types_the_training_file_had(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """penguins with `island` coded as decimals ('1.50', '2.00', '3.25') and read as text at
    import: a batch read by detection alone would turn them into numbers ('1.5'), categories the
    model never saw. predict (and monitor) read the batch with the project's column types."""
    codes = {"Biscoe": "1.50", "Dream": "2.00", "Torgersen": "3.25"}
    frame = pd.read_csv(shared_data / "clean" / "penguins.csv")
    frame["island"] = frame["island"].map(codes)
    source = tmp_path / "coded.csv"
    frame.to_csv(source, index=False)
    project = create_project(tmp_path / "project")
    options = ReadOptions(dtype=(("island", "text"),))
    project.attach_dataset(import_table(project.root, source, options, target="species"))
    project.save()
    spec = TrainSpec(
        models=(ModelSpec("logistic_regression"),),
        split=SplitSpec("holdout", validation_fraction=0.25, test_fraction=0.2),
        include_baseline=False,
        n_jobs=1,
    )
    (result,) = run_training(project.root, spec)
    out = tmp_path / "p.csv"
    argv = ["predict", str(project.root), result.run_id, str(source), "--out", str(out)]
    assert run([*argv, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["unseen"] == {}
    # The user's own type still wins: read as numbers, '1.50' and '2.00' become '1.5' and
    # '2.0', unseen (Biscoe's 168 and Dream's 124 rows); '3.25' stays itself.
    assert run([*argv, "--json", "-o", "dtype=island:number"]) == 0
    assert json.loads(capsys.readouterr().out)["unseen"] == {"island": 168 + 124}
