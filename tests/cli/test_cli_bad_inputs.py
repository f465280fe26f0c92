"""Every command over a table of hostile inputs (issue 13): exit code 2 and one line on stderr
naming the file, entry or run, never a traceback and never a hang. The files are real bytes
written here: empty, binary, a folder, a named pipe, 200,000 columns, JSON nested 100,000 deep,
damaged project files, a damaged experiment log, a broken model."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import onnx
import pytest
from _serve_runs import exported_onnx
from cli_calls import one_error_line, run

from workbench.core.project import open_project
from workbench.core.specs import ChainSpec, StepSpec

pytestmark = pytest.mark.shared_data
Factory = pytest.TempPathFactory
DEEP = "[" * 100_000 + "]" * 100_000
HEADER = "species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex\n"


@dataclass(frozen=True)
class Hostile:
    """The trained project, its run and model, and every hostile input, made once."""

    project: Path
    run_id: str
    model: Path
    good_csv: Path
    files: dict[str, Path]
    projects: dict[str, Path]
    models: dict[str, Path]


def _write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _project_copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    for stale in target.glob("experiments.sqlite-*"):  # a copy must not carry WAL files
        stale.unlink()
    return target


def _damaged_spec(source: Path, target: Path, run_id: str, spec_json: str) -> Path:
    root = _project_copy(source, target)
    with sqlite3.connect(root / "experiments.sqlite") as db:
        db.execute("UPDATE runs SET spec_json = ? WHERE run_id = ?", (spec_json, run_id))
    db.close()
    return root


def _model_with_schema(model: Path, target: Path, schema: str) -> Path:
    proto = onnx.load(str(model))
    for prop in proto.metadata_props:
        if prop.key == "workbench.schema":
            prop.value = schema
    onnx.save(proto, str(target))
    return target


@pytest.fixture(scope="module")
def hostile(shared_data: Path, tmp_path_factory: Factory) -> Hostile:
    trained, model = exported_onnx("penguins", shared_data, tmp_path_factory)
    folder = tmp_path_factory.mktemp("hostile")
    files = {
        "missing": folder / "nope.csv",
        "empty": _write(folder, "empty.csv", b""),
        "binary": _write(folder, "garbage.csv", bytes(range(256)) * 20),
        "binary_no_suffix": _write(folder, "garbage", b"\x00\x01\x02" + bytes(range(256)) * 10),
        "folder": folder,
        "wide_header": _write(folder, "wide.csv", ",".join(f"c{i}" for i in range(200_000)) + "\n"),
        "deep_json": _write(folder, "deep.json", DEEP),
        "deep_jsonl": _write(folder, "deep.jsonl", '{"a": 1}\n{"a": ' + DEEP + "}\n"),
        "fake_parquet": _write(folder, "fake.parquet", b"PAR1" + bytes(range(256)) * 8),
        "fake_sqlite": _write(folder, "fake.sqlite", b"SQLite format 3\x00" + bytes(256) * 8),
        "fake_xlsx": _write(folder, "fake.xlsx", b"PK\x03\x04" + bytes(range(256)) * 8),
        "json_scalar": _write(folder, "scalar.json", "5"),
        "blank_lines": _write(folder, "blank.csv", "\r\n\r\n\r\n"),
        "unclosed_quote": _write(folder, "quote.csv", 'a,b\n1,"never closed\n'),
    }
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "pipe.csv")
        files["named_pipe"] = folder / "pipe.csv"
    source = trained.project
    log_garbage = _project_copy(source, folder / "log-garbage")
    (log_garbage / "experiments.sqlite").write_bytes(bytes(range(256)) * 20)
    chain_string = _project_copy(source, folder / "chain-string")
    data = json.loads((chain_string / "project.json").read_text())
    data["chain"] = "string"
    (chain_string / "project.json").write_text(json.dumps(data))
    projects = {
        "no_folder": folder / "no-project",
        "a_file": files["empty"],
        "empty_folder": folder / "empty-folder",
        "project_json_binary": _project_copy(source, folder / "pj-binary"),
        "project_json_deep": _project_copy(source, folder / "pj-deep"),
        "project_json_chain_string": chain_string,
        "log_garbage": log_garbage,
        "spec_not_json": _damaged_spec(source, folder / "spec-1", trained.run_id, "not json"),
        "spec_a_list": _damaged_spec(source, folder / "spec-2", trained.run_id, "[1, 2]"),
        "spec_task_number": _damaged_spec(
            source, folder / "spec-3", trained.run_id, '{"task": 3, "features": []}'
        ),
    }
    projects["empty_folder"].mkdir()
    (projects["project_json_binary"] / "project.json").write_bytes(bytes(range(128, 256)))
    (projects["project_json_deep"] / "project.json").write_text(DEEP)
    models = {
        "model_garbage": _write(folder, "garbage.onnx", bytes(range(256)) * 8),
        "model_folder": folder / "empty-folder",
        "model_deep_schema": _model_with_schema(model, folder / "deep.onnx", DEEP),
        "model_schema_wrong_type": _model_with_schema(
            model, folder / "typed.onnx", json.dumps({"format": "workbench-model-schema"})
        ),
    }
    return Hostile(
        source, trained.run_id, model, shared_data / "clean" / "penguins.csv", files, projects,
        models,
    )  # fmt: skip


FILE_COMMANDS = ("new", "profile", "predict", "predict_onnx")
FILES = (
    "missing", "empty", "binary", "binary_no_suffix", "folder", "wide_header", "deep_json",
    "deep_jsonl", "fake_parquet", "fake_sqlite", "fake_xlsx", "json_scalar", "blank_lines",
    "unclosed_quote", "named_pipe",
)  # fmt: skip
PROJECT_COMMANDS = ("info", "profile", "runs", "train", "export", "predict", "report")
PROJECTS = (
    "no_folder", "a_file", "empty_folder", "project_json_binary", "project_json_deep",
    "project_json_chain_string",
)  # fmt: skip
# A damaged log or run spec: the commands that read the log.
LOG_COMMANDS = ("runs", "export", "predict", "report")
LOGS = ("log_garbage", "spec_not_json", "spec_a_list", "spec_task_number")


def _file_argv(command: str, path: Path, hostile: Hostile, out: Path) -> list[str]:
    if command == "new":
        return ["new", str(out / "project"), "--data", str(path)]
    if command == "profile":
        return ["profile", str(path)]
    if command == "predict":
        run_id = hostile.run_id
        return ["predict", str(hostile.project), run_id, str(path), "--out", str(out / "p.csv")]
    return ["predict", "--onnx", str(hostile.model), str(path), "--out", str(out / "p.csv")]


def _project_argv(command: str, path: Path, hostile: Hostile, out: Path) -> list[str]:
    run_id = hostile.run_id
    if command == "train":
        return ["train", str(path), "--model", "decision_tree", "--split", "holdout:0.25"]
    if command == "export":
        return ["export", str(path), "--onnx", str(out / "m.onnx")]
    if command == "predict":
        return ["predict", str(path), run_id, str(hostile.good_csv), "--out", str(out / "p.csv")]
    if command == "report":
        return ["report", str(path), run_id, "--out", str(out / "r.html")]
    return [command, str(path)]


def _assert_refused(argv: list[str], capsys: pytest.CaptureFixture[str], *names: str) -> str:
    assert run(argv) == 2, argv
    line = one_error_line(capsys)  # exit 2 above; here: one line, no traceback
    assert line.startswith("workbench: error: "), line
    assert any(name in line for name in names), (names, line)
    return line


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_every_command_refuses_a_hostile_data_file_in_one_line(
    hostile: Hostile, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, name: str
) -> None:
    if name not in hostile.files:
        pytest.skip(f"{name}: not on this platform")
    path = hostile.files[name]
    _assert_refused(_file_argv(command, path, hostile, tmp_path), capsys, path.name)
    assert not (tmp_path / "project").exists()  # `new` left nothing behind
    assert not (tmp_path / "p.csv").exists()


@pytest.mark.parametrize("name", PROJECTS)
@pytest.mark.parametrize("command", PROJECT_COMMANDS)
def test_every_command_refuses_a_damaged_project_in_one_line(
    hostile: Hostile, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, name: str
) -> None:
    path = hostile.projects[name]
    line = _assert_refused(_project_argv(command, path, hostile, tmp_path), capsys, path.name)
    if name == "project_json_chain_string":
        assert line.endswith("is damaged: 'chain' should be an object or null, not text ('string')")


@pytest.mark.parametrize("name", LOGS)
@pytest.mark.parametrize("command", LOG_COMMANDS)
def test_a_damaged_log_or_run_spec_is_one_line_naming_the_run(
    hostile: Hostile, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, name: str
) -> None:
    path = hostile.projects[name]
    argv = _project_argv(command, path, hostile, tmp_path)
    if name == "log_garbage":
        _assert_refused(argv, capsys, "experiments.sqlite")
        return
    expected = {
        "spec_not_json": "has a damaged spec (not valid JSON)",
        "spec_a_list": "has a damaged spec: it should be an object, not a list of 2",
        "spec_task_number": "has a damaged spec: 'task' should be text, not a number (3)",
    }[name]
    if command == "runs":  # the listing goes on without the run, with a note naming it
        assert run(argv) == 0
        captured = capsys.readouterr()
        assert captured.err == (
            f"workbench: note: skipped run '{hostile.run_id}' in experiments.sqlite {expected}\n"
        )
        assert hostile.run_id not in captured.out
        return
    line = _assert_refused(argv, capsys, hostile.run_id)
    assert line == f"workbench: error: run '{hostile.run_id}' in experiments.sqlite {expected}"


@pytest.mark.parametrize("name", ["model_garbage", "model_folder", "model_deep_schema",
                                  "model_schema_wrong_type"])  # fmt: skip
def test_predict_refuses_a_broken_model_in_one_line(
    hostile: Hostile, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    model = hostile.models[name]
    out = str(tmp_path / "p.csv")
    argv = ["predict", "--onnx", str(model), str(hostile.good_csv), "--out", out]
    _assert_refused(argv, capsys, model.name, "model schema")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_outputs_never_replace_a_folder_or_a_named_pipe(
    hostile: Hostile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipe = tmp_path / "p.csv"
    os.mkfifo(pipe)
    folder = tmp_path / "m.onnx"
    folder.mkdir()
    predict = ["predict", str(hostile.project), hostile.run_id, str(hostile.good_csv)]
    line = _assert_refused([*predict, "--out", str(pipe)], capsys, str(pipe))
    assert line.endswith("it is a device or named pipe, not a file")
    export = ["export", str(hostile.project), hostile.run_id, "--onnx", str(folder), "--replace"]
    line = _assert_refused(export, capsys, str(folder))
    assert line.endswith("it is a folder")
    assert pipe.is_fifo() and folder.is_dir()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "locked.csv"
    path.write_text("a,b\n1,2\n")
    path.chmod(0)
    try:
        for argv in (["profile", str(path)], ["new", str(tmp_path / "p"), "--data", str(path)]):
            assert "permission denied" in _assert_refused(argv, capsys, path.name)
    finally:
        path.chmod(0o600)


# --- train: nothing finished is not a success --------------------------------------------------


def test_train_exits_1_with_the_reason_when_no_model_finished(
    hostile: Hostile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "penguins"
    shutil.copytree(hostile.project, root)
    project = open_project(root)
    # Scaled but not imputed: logistic regression meets the two rows without measurements.
    project.set_chain(ChainSpec((StepSpec("scale", ("bill_length_mm",)),)))
    project.save()
    argv = ["train", str(root), "--model", "logistic_regression", "--split", "holdout:0.25",
            "--no-baseline"]  # fmt: skip
    assert run(argv) == 1
    captured = capsys.readouterr()
    assert "failed" in captured.out  # the table still shows the run
    assert captured.err == (
        "workbench: note: categorical columns with more than 50 labels are target encoded, the "
        "others one-hot encoded\n"
        "workbench: note: Logistic regression gets 10 columns\n"
        "workbench: no model finished training (1 model failed); Logistic regression: this "
        "model cannot take missing values, and 'bill_length_mm' still have some after the "
        "chain: add an Impute step for them, or train a model that takes missing values "
        "(decision tree, random forest, extra trees, gradient boosting, XGBoost)\n"
    )
    assert run([*argv[:3], "decision_tree", *argv[4:], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["status"] == "finished"


# --- real processes: a kill during `new`, a reader that leaves --------------------------------


def _workbench(*args: str, **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "workbench", *args], **kwargs)  # type: ignore[call-overload]


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_a_new_killed_mid_import_does_not_block_the_next_new(tmp_path: Path) -> None:
    data = _write(tmp_path, "rows.csv", "a,b,c\n" + "1,2.5,abc\n" * 1_500_000)
    root = tmp_path / "project"
    process = _workbench("new", str(root), "--data", str(data), stdout=subprocess.DEVNULL)
    staging = f".project.creating-{process.pid}"
    while not (tmp_path / staging).exists() and process.poll() is None:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL, "the import ended before it could be killed"
    assert not root.exists()  # nothing half-made where the project goes
    again = subprocess.run([sys.executable, "-m", "workbench", "new", str(root), "--data",
                            str(data), "--json"], capture_output=True, text=True)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["dataset"]["rows"] == 1_500_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "rows.csv"]


def test_a_reader_that_leaves_ends_the_command_quietly(hostile: Hostile) -> None:
    process = _workbench("info", str(hostile.project), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # like `workbench info P | head -0`
    stderr = process.stderr.read().decode()
    assert process.wait() == 141
    assert stderr == ""


def test_a_reader_that_leaves_midway_ends_the_command_quietly(tmp_path: Path) -> None:
    """`workbench info P | head -2` on a project whose listing outgrows the pipe's buffer: the
    reader leaves while the command still writes, which ends it as SIGPIPE would."""
    header = ",".join(f"measurement_{i}" for i in range(3000))
    rows = "\n".join(",".join(str(i + j) for j in range(3000)) for i in range(20))
    data = _write(tmp_path, "wide.csv", f"{header},y\n" + rows.replace("\n", ",0\n") + ",1\n")
    root = tmp_path / "wide"
    assert run(["new", str(root), "--data", str(data), "--target", "y"]) == 0
    process = _workbench("info", str(root), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    first = [process.stdout.readline(), process.stdout.readline()]
    process.stdout.close()  # like `head -2`
    stderr = process.stderr.read().decode()
    assert first[0].decode() == f"project 'wide' at {root}\n"
    assert first[1].decode().startswith("dataset: wide.csv - 20 rows x 3,001 columns")
    assert process.wait() == 141
    assert stderr == ""


def test_a_header_of_200000_columns_is_refused_with_its_width(
    hostile: Hostile, capsys: pytest.CaptureFixture[str]
) -> None:
    """The header-only table once made `profile` hang: it is refused before any parsing."""
    path = hostile.files["wide_header"]
    assert run(["profile", str(path)]) == 2
    assert one_error_line(capsys) == (
        f"workbench: error: {path} has 200,000 columns; the workbench reads tables of up to "
        "50,000 columns"
    )
