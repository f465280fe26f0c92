"""The project folder: create, import, save, reopen, and the damaged cases."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from workbench.core.dataset import import_table
from workbench.core.errors import ProjectError, WorkbenchError
from workbench.core.io import ReadOptions, read_table
from workbench.core.kinds import ColumnKind, ColumnRole, TaskType
from workbench.core.project import (
    PROJECT_FILE,
    SCHEMA_VERSION,
    create_project,
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
    # A kill can strand a temp file; opening the project clears it away.
    assert [p.name for p in penguins_project.root.iterdir() if p.name.endswith(".tmp")] == []
