"""The project folder: create, import, save, reopen, and the damaged cases."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from workbench.core.dataset import import_table
from workbench.core.errors import ProjectError, WorkbenchError
from workbench.core.io.options import ReadOptions
from workbench.core.io.table import read_table
from workbench.core.kinds import ColumnKind, ColumnRole, TaskType
from workbench.core.project import (
    PROJECT_FILE,
    SCHEMA_VERSION,
    create_project,
    creating_project,
    open_project,
)
from workbench.core.specs import ChainSpec, StepSpec


@pytest.fixture()
def penguins_csv(repo_root: Path) -> Path:
    return repo_root / "resources" / "data" / "penguins.csv"


@pytest.fixture()
def penguins_project(tmp_path: Path, penguins_csv: Path):
    project = create_project(tmp_path / "birds")
    project.attach_dataset(import_table(project.root, penguins_csv))
    project.save()
    return project


def test_new_project_file_has_format_and_version(tmp_path: Path) -> None:
    project = create_project(tmp_path / "p1", name="First")
    data = json.loads((tmp_path / "p1" / PROJECT_FILE).read_text())
    assert data["format"] == "ml-workbench-project"
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["name"] == "First"
    assert data["dataset"] is None
    assert project.dirty is False


def test_import_stores_parquet_with_fingerprint(penguins_project, penguins_csv: Path) -> None:
    dataset = penguins_project.dataset
    assert (dataset.rows, dataset.columns) == (344, 7)
    assert dataset.source_name == "penguins.csv"
    assert dataset.source_sha256 == hashlib.sha256(penguins_csv.read_bytes()).hexdigest()
    assert dataset.path == "data/penguins.parquet"
    assert (penguins_project.root / dataset.path).is_file()
    assert penguins_project.target == "species"
    assert penguins_project.task == TaskType.MULTICLASS
    assert penguins_project.roles["species"] == ColumnRole.TARGET
    assert penguins_project.roles["bill_length_mm"] == ColumnRole.FEATURE
    assert dataset.kinds["bill_length_mm"] == ColumnKind.NUMERIC
    assert dataset.kinds["island"] == ColumnKind.CATEGORICAL


def test_reopened_project_has_the_same_state(penguins_project) -> None:
    reopened = open_project(penguins_project.root)
    assert reopened.dataset == penguins_project.dataset
    assert reopened.roles == penguins_project.roles
    assert (reopened.target, reopened.task) == ("species", TaskType.MULTICLASS)
    assert reopened.dirty is False


def test_stored_data_equals_a_fresh_read_with_the_recorded_options(
    penguins_project, penguins_csv: Path
) -> None:
    stored = penguins_project.load_frame()
    options = ReadOptions.from_dict(penguins_project.dataset.read_options)
    fresh = read_table(penguins_csv, options).frame
    pd.testing.assert_frame_equal(stored, fresh)
    assert stored.shape == (344, 7)
    assert stored.loc[0, "species"] == "Adelie"
    assert stored["body_mass_g"].isna().sum() == 2


def test_target_and_roles_move_together(penguins_project) -> None:
    penguins_project.set_target("island", TaskType.MULTICLASS)
    assert penguins_project.roles["species"] == ColumnRole.FEATURE
    assert penguins_project.roles["island"] == ColumnRole.TARGET
    penguins_project.set_role("island", ColumnRole.IGNORE)
    assert penguins_project.target is None and penguins_project.task is None
    assert penguins_project.dirty is True
    with pytest.raises(ProjectError, match="column 'beak' is not in the dataset"):
        penguins_project.set_role("beak", ColumnRole.FEATURE)


def test_unknown_sections_survive_a_save(penguins_project) -> None:
    file = penguins_project.file
    data = json.loads(file.read_text())
    data["future_section"] = {"steps": [{"kind": "something", "columns": ["sex"]}]}
    file.write_text(json.dumps(data))
    project = open_project(penguins_project.root)
    project.save()
    assert json.loads(file.read_text())["future_section"] == data["future_section"]


def test_the_chain_round_trips_through_project_json(penguins_project) -> None:
    chain = ChainSpec(
        (
            StepSpec("impute", ("bill_length_mm", "sex"), {"strategy": "most_frequent"}),
            StepSpec("ordinal", ("island",), {"order": ("Torgersen", "Biscoe", "Dream")}),
            StepSpec("pca", (), {"n_components": 2}, enabled=False),
        )
    )
    penguins_project.set_chain(chain)
    assert penguins_project.dirty
    penguins_project.save()
    assert open_project(penguins_project.root).chain == chain


def test_feature_kinds_leave_out_target_and_ignored(penguins_project) -> None:
    penguins_project.set_role("island", ColumnRole.IGNORE)
    assert sorted(penguins_project.feature_kinds()) == [
        "bill_depth_mm", "bill_length_mm", "body_mass_g", "flipper_length_mm", "sex",
    ]  # fmt: skip


def test_import_with_an_unknown_target_names_the_columns(tmp_path: Path, penguins_csv) -> None:
    with pytest.raises(WorkbenchError, match=r"target column 'kind' is not in penguins\.csv"):
        import_table(tmp_path, penguins_csv, target="kind")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", r"is damaged: Expecting property name enclosed in double quotes at line 1"),
        ('{"format": "something-else"}', "is not a workbench project file"),
        ('{"format": "ml-workbench-project", "schema_version": 99, "name": "x"}', "newer"),
        ('{"format": "ml-workbench-project", "schema_version": 1}', "damaged: 'name' is missing"),
        ('{"format": "ml-workbench-project", "name": "x"}', "no valid schema_version"),
    ],
)
def test_damaged_project_files_say_what_is_wrong(
    tmp_path: Path, content: str, expected: str
) -> None:
    (tmp_path / PROJECT_FILE).write_text(content)
    with pytest.raises(ProjectError, match=expected):
        open_project(tmp_path)


def test_folders_that_are_not_projects(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="project folder not found"):
        open_project(tmp_path / "nowhere")
    with pytest.raises(ProjectError, match="is not a workbench project"):
        open_project(tmp_path)
    a_file = tmp_path / "notes.txt"
    a_file.write_text("hello")
    with pytest.raises(ProjectError, match="is a file, not a project folder"):
        open_project(a_file)
    with pytest.raises(ProjectError, match="the folder is not empty"):
        create_project(tmp_path)


def test_changed_or_missing_data_file_is_refused(penguins_project) -> None:
    data_file = penguins_project.root / penguins_project.dataset.path
    data_file.write_bytes(data_file.read_bytes() + b"\0")
    with pytest.raises(ProjectError, match="changed outside the workbench"):
        penguins_project.load_frame()
    data_file.unlink()
    with pytest.raises(ProjectError, match="is missing; import the data again"):
        penguins_project.load_frame()


_SAVE_FOREVER = """
import sys
from workbench.core.project import open_project
project = open_project(sys.argv[1])
print("ready", flush=True)
n = 0
while True:
    n += 1
    project.extra["counter"] = n
    project.extra["padding"] = "x" * (n % 5000)
    project.save()
"""


def test_a_killed_save_leaves_a_readable_project(penguins_project) -> None:
    """Kill a process that saves in a tight loop, many times: project.json always parses."""
    for attempt in range(8):
        child = subprocess.Popen(
            [sys.executable, "-c", _SAVE_FOREVER, str(penguins_project.root)],
            stdout=subprocess.PIPE,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"ready"
        time.sleep(0.05 + 0.03 * attempt)
        child.send_signal(signal.SIGKILL)
        child.wait()
        reopened = open_project(penguins_project.root)
        assert reopened.dataset == penguins_project.dataset
        assert reopened.extra["counter"] >= 1
    # A kill can strand a temp file; once it is older than a save could take, opening the
    # project clears it away.
    stranded = sorted(penguins_project.root.glob(".project.json.*.tmp"))
    hour_ago = time.time() - 3600
    for temp in stranded:
        os.utime(temp, (hour_ago, hour_ago))
    fresh = penguins_project.root / ".project.json.in-progress.tmp"
    fresh.write_text("{")
    open_project(penguins_project.root)
    assert [p.name for p in penguins_project.root.iterdir() if p.name.endswith(".tmp")] == [
        fresh.name
    ]


def test_opening_a_project_never_breaks_a_save_in_progress(penguins_project) -> None:
    """Another process saving in a tight loop while this one opens the project again and again
    (the window saving while a job or the CLI reads it): every save lands."""
    child = subprocess.Popen(
        [sys.executable, "-c", _SAVE_FOREVER, str(penguins_project.root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == b"ready"
    try:
        for _ in range(400):
            open_project(penguins_project.root)
            assert child.poll() is None, child.communicate()[1].decode()[-2000:]
    finally:
        child.kill()
        child.wait()


# --- wrong types in a hand-edited project.json (issue 13) --------------------------------------


def _set(path: str, value: object):
    """An edit of project.json: set the entry at a dotted path ('dataset.schema.columns.2.x')."""

    def edit(data: dict) -> None:
        *parents, last = path.split(".")
        for key in parents:
            data = data[int(key)] if isinstance(data, list) else data[key]
        if value is _DELETE:
            del data[last]
        else:
            data[int(last) if isinstance(data, list) else last] = value

    return edit


_DELETE = object()


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_set("chain", "string"), "'chain' should be an object or null, not text ('string')"),
        (_set("roles", 5), "'roles' should be an object, not a number (5)"),
        (_set("roles.species", "boss"),
         "'roles.species' should be one of feature, target, identifier, ignore, not 'boss'"),
        (_set("name", _DELETE), "'name' is missing"),
        (_set("name", ["a"]), "'name' should be text, not a list of 1"),
        (_set("task", "clustering"),
         "'task' should be one of binary, multiclass, regression, not 'clustering'"),
        (_set("target", 3), "'target' should be text or null, not a number (3)"),
        (_set("chain", {"steps": 7}), "'chain.steps' should be a list, not a number (7)"),
        (_set("chain", {"steps": [{"step": "impute", "params": 5}]}),
         "'chain.steps[0].params' should be an object or null, not a number (5)"),
        (_set("chain", {"steps": ["impute"]}),
         "'chain.steps[0]' should be an object, not text ('impute')"),
        (_set("dataset", "penguins.csv"),
         "'dataset' should be an object or null, not text ('penguins.csv')"),
        (_set("dataset.rows", [1]), "'dataset.rows' should be a whole number, not a list of 1"),
        (_set("dataset.rows", True), "'dataset.rows' should be a whole number, not true"),
        (_set("dataset.source", None), "'dataset.source' should be an object, not null"),
        (_set("dataset.source.sha256", 12),
         "'dataset.source.sha256' should be text, not a number (12)"),
        (_set("dataset.schema.columns", {}),
         "'dataset.schema.columns' should be a list, not an object"),
        (_set("dataset.schema.columns.2.nullable", "yes"),
         "'dataset.schema.columns[2].nullable' should be true or false, not text ('yes')"),
        (_set("dataset.schema.columns.0.kind", "colour"),
         "'dataset.schema.columns[0].kind' should be one of"),
        (_set("dataset.schema.columns.0.categories", [1, 2]),
         "'dataset.schema.columns[0].categories[0]' should be text, not a number (1)"),
    ],
)  # fmt: skip
def test_a_wrong_type_in_project_json_is_one_line_naming_the_entry(
    penguins_project, edit, expected: str
) -> None:
    file = penguins_project.file
    data = json.loads(file.read_text())
    edit(data)
    file.write_text(json.dumps(data))
    with pytest.raises(ProjectError) as error:
        open_project(penguins_project.root)
    assert str(error.value).startswith(f"{file} is damaged: {expected}")
    assert "\n" not in str(error.value)


def test_project_json_nested_too_deeply_is_one_line(tmp_path: Path) -> None:
    (tmp_path / PROJECT_FILE).write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ProjectError, match="is damaged: its JSON is nested too deeply"):
        open_project(tmp_path)


# --- a project that appears whole or not at all (issue 13) -------------------------------------


def test_creating_project_appears_only_when_the_block_ends(tmp_path: Path, penguins_csv) -> None:
    root = tmp_path / "birds"
    with creating_project(root) as project:
        project.attach_dataset(import_table(project.root, penguins_csv))
        assert not root.exists()  # built beside it, under a hidden name
        assert project.root.name == f".birds.creating-{os.getpid()}"
    assert project.root == root.resolve()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["birds"]
    reopened = open_project(root)
    assert (reopened.name, reopened.dataset.rows, reopened.target) == ("birds", 344, "species")


def test_a_failed_creation_leaves_nothing_and_an_empty_folder_stays(tmp_path: Path) -> None:
    root = tmp_path / "chosen"
    root.mkdir()
    with pytest.raises(WorkbenchError, match="nope"), creating_project(root):
        raise WorkbenchError("nope")
    assert root.is_dir() and not any(root.iterdir())  # the user's folder, untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chosen"]


def test_a_killed_creation_is_cleared_by_the_next_one(tmp_path: Path) -> None:
    # What a process killed mid-import leaves: its staging folder, with a pid that is gone.
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    stale = tmp_path / f".birds.creating-{int(gone.stdout)}"
    create_project(stale)
    with creating_project(tmp_path / "birds"):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["birds"]
