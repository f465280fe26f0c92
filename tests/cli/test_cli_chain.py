"""`workbench chain`: each subcommand edits project.json as the Prepare panel would, and each bad
input is one line naming the bad step, parameter, column or position, exit code 2, the project
left as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_calls import one_error_line, run

from workbench.core.project import create_project, open_project
from workbench.core.specs import ChainSpec, StepSpec


def _chain(project: Path) -> ChainSpec:
    return open_project(project).chain


def _ok(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert run(argv) == 0, capsys.readouterr().err
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


def test_add_appends_or_inserts_with_typed_parameters(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    P = str(project)
    out = _ok(["chain", P, "add", "impute", "--columns", "sex", "--param",
               "strategy=most_frequent"], capsys)  # fmt: skip
    assert out == "added step 1 (Fill missing values)\n"
    out = _ok(["chain", P, "add", "one_hot", "--columns", "island", "sex", "--param",
               "min_frequency=0.05", "--param", "max_categories=none"], capsys)  # fmt: skip
    assert out == "added step 2 (One-hot encode)\n"
    _ok(["chain", P, "add", "clip_outliers", "--columns", "body_mass_g", "--param", "lower=2.5",
         "--at", "1"], capsys)  # fmt: skip
    assert _chain(project) == ChainSpec(
        (
            StepSpec("clip_outliers", ("body_mass_g",), {"lower": 2.5}),
            StepSpec("impute", ("sex",), {"strategy": "most_frequent"}),
            StepSpec("one_hot", ("island", "sex"), {"min_frequency": 0.05, "max_categories": None}),
        )
    )
    # A step that takes no columns (it acts on all features).
    _ok(["chain", P, "add", "select_k_best", "--param", "k=3"], capsys)
    assert _chain(project).steps[3] == StepSpec("select_k_best", (), {"k": 3})


def test_list_as_a_table_and_as_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    P = str(project)
    assert _ok(["chain", P, "list"], capsys) == "project 'birds' has an empty chain\n"
    assert json.loads(_ok(["chain", P, "list", "--json"], capsys)) == []
    _ok(["chain", P, "add", "scale", "--columns", "bill_length_mm", "flipper_length_mm"], capsys)
    _ok(["chain", P, "add", "one_hot", "--columns", "island"], capsys)
    _ok(["chain", P, "disable", "2"], capsys)
    lines = _ok(["chain", P, "list"], capsys).splitlines()
    assert lines[0].split() == ["#", "step", "enabled", "columns", "params", "problems"]
    assert lines[2].split()[:5] == ["1", "scale", "on", "bill_length_mm,", "flipper_length_mm"]
    assert lines[3].split() == ["2", "one_hot", "off", "island"]
    assert json.loads(_ok(["chain", P, "list", "--json"], capsys)) == [
        {
            "position": 1,
            "step": "scale",
            "label": "Scale",
            "columns": ["bill_length_mm", "flipper_length_mm"],
            "params": {},
            "enabled": True,
            "problems": [],
        },
        {
            "position": 2,
            "step": "one_hot",
            "label": "One-hot encode",
            "columns": ["island"],
            "params": {},
            "enabled": False,
            "problems": [],
        },
    ]


def test_list_shows_the_problems_of_a_chain_edited_by_hand(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opened = open_project(project)
    opened.set_chain(ChainSpec((StepSpec("one_hot", ("flipper_length_mm",)),)))
    opened.save()
    (row,) = json.loads(_ok(["chain", str(project), "list", "--json"], capsys))
    assert row["problems"] == [
        "step 1 (One-hot encode): column 'flipper_length_mm' is numeric here; One-hot encode "
        "takes categorical or boolean columns"
    ]


def test_remove_move_enable_disable(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    P = str(project)
    for column in ("bill_length_mm", "bill_depth_mm", "body_mass_g"):
        _ok(["chain", P, "add", "log1p", "--columns", column], capsys)
    assert _ok(["chain", P, "move", "3", "1"], capsys) == "moved log1p from step 3 to step 1\n"
    assert [s.columns for s in _chain(project).steps] == [
        ("body_mass_g",), ("bill_length_mm",), ("bill_depth_mm",),
    ]  # fmt: skip
    assert _ok(["chain", P, "disable", "2"], capsys) == "disabled step 2 (log1p)\n"
    assert [s.enabled for s in _chain(project).steps] == [True, False, True]
    assert _ok(["chain", P, "enable", "2"], capsys) == "enabled step 2 (log1p)\n"
    assert [s.enabled for s in _chain(project).steps] == [True, True, True]
    assert _ok(["chain", P, "remove", "1"], capsys) == "removed step 1 (log1p)\n"
    assert [s.columns for s in _chain(project).steps] == [("bill_length_mm",), ("bill_depth_mm",)]


BAD = {
    "unknown step": (
        ["add", "one_hott", "--columns", "island"],
        "unknown step 'one_hott'; known steps: drop_constant, ",
    ),
    "unknown parameter": (
        ["add", "one_hot", "--columns", "island", "--param", "max_cats=3"],
        "step 'one_hot' has no parameter 'max_cats'; its parameters: min_frequency, max_categories",
    ),
    "parameter out of range": (
        ["add", "one_hot", "--columns", "island", "--param", "min_frequency=0.9"],
        "step 'one_hot': parameter 'min_frequency' must be at most 0.5, got 0.9",
    ),
    "parameter of the wrong type": (
        ["add", "select_k_best", "--param", "k=three"],
        "step 'select_k_best': parameter 'k' got 'three': ",
    ),
    "parameter not in a choice": (
        ["add", "impute", "--columns", "sex", "--param", "strategy=mode"],
        "step 'impute': parameter 'strategy' must be one of ",
    ),
    "parameter given twice": (
        ["add", "select_k_best", "--param", "k=3", "--param", "k=4"],
        "step 'select_k_best': parameter 'k' is given twice",
    ),
    "malformed parameter": (
        ["add", "select_k_best", "--param", "k"],
        "bad --param 'k'; use KEY=VALUE, e.g. strategy=median",
    ),
    "column not in the dataset": (
        ["add", "one_hot", "--columns", "island", "beak_colour"],
        "step 1 (One-hot encode): column 'beak_colour' is not in the dataset",
    ),
    "column of the wrong kind": (
        ["add", "log1p", "--columns", "island"],
        "step 1 (Log transform): column 'island' is categorical here; ",
    ),
    "the target as a column": (
        ["add", "one_hot", "--columns", "species"],
        "step 1 (One-hot encode) names the target 'species'",
    ),
    "position outside the chain": (
        ["add", "one_hot", "--columns", "island", "--at", "3"],
        "--at 3 is outside the chain (positions: 1 to 1)",
    ),
    "remove from an empty chain": (
        ["remove", "1"],
        "position 1 is not a step of the chain (positions: none: the chain is empty)",
    ),
    "enable a step that is not there": (
        ["enable", "2"],
        "position 2 is not a step of the chain (positions: none: the chain is empty)",
    ),
    "disable position 0": (
        ["disable", "0"],
        "position 0 is not a step of the chain (positions: none: the chain is empty)",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_naming_it_and_changes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    argv, message = BAD[case]
    before = (project / "project.json").read_bytes()
    assert run(["chain", str(project), *argv]) == 2
    line = one_error_line(capsys)
    assert line.startswith(f"workbench: error: {message}"), line
    assert (project / "project.json").read_bytes() == before


def test_move_to_a_position_outside_the_chain(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _ok(["chain", str(project), "add", "log1p", "--columns", "body_mass_g"], capsys)
    assert run(["chain", str(project), "move", "1", "4"]) == 2
    assert one_error_line(capsys) == (
        "workbench: error: target position 4 is not a step of the chain (positions: 1 to 1)"
    )


def test_a_project_without_data_or_no_project_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = create_project(tmp_path / "empty")
    empty.save()
    assert run(["chain", str(empty.root), "list"]) == 2
    assert one_error_line(capsys) == (
        "workbench: error: project 'empty' has no dataset yet; import one first"
    )
    assert run(["chain", str(tmp_path / "nowhere"), "list"]) == 2
    assert "nowhere" in one_error_line(capsys)
    assert run(["chain", str(empty.root), "shuffle"]) == 2
    assert "invalid choice: 'shuffle'" in one_error_line(capsys)
