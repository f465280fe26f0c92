"""The `workbench` command on real files: output, JSON, and one-line errors with exit code 2."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _declared import FooterOptions, declared_fixed_width_format

from workbench.cli.main import main
from workbench.cli.read_options import add_read_options, read_options
from workbench.core.errors import WorkbenchError
from workbench.core.io.table import read_table


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real command in a real process: exit codes and stderr exactly as a user sees them."""
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args], capture_output=True, text=True, cwd=cwd
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture()
def penguins_csv(repo_root: Path) -> Path:
    return repo_root / "resources" / "data" / "penguins.csv"


def test_new_then_info_json(tmp_path: Path, penguins_csv: Path, capsys) -> None:
    assert main(["new", str(tmp_path / "birds"), "--data", str(penguins_csv)]) == 0
    out = capsys.readouterr().out
    assert "created project 'birds'" in out
    assert "344 rows x 7 columns" in out
    assert main(["info", str(tmp_path / "birds"), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["dataset"]["rows"] == 344
    assert info["target"] == "species"
    assert info["task"] == "multiclass"
    assert [c["name"] for c in info["columns"]][:3] == ["species", "island", "bill_length_mm"]
    assert {c["name"]: c["role"] for c in info["columns"]}["species"] == "target"


def test_new_with_target_and_read_options(tmp_path: Path, shared_data: Path, capsys) -> None:
    code = main(
        [
            "new", str(tmp_path / "bank"), "--data", str(shared_data / "messy/bank-additional.csv"),
            "--target", "y", "-o", "delimiter=;", "--json",
        ]
    )  # fmt: skip
    assert code == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["dataset"]["rows"], info["dataset"]["columns"]) == (4119, 21)
    assert info["dataset"]["read_options"]["delimiter"] == ";"
    assert (info["target"], info["task"]) == ("y", "binary")


def test_profile_json_of_a_file_flags_the_titanic_leak(shared_data: Path, capsys) -> None:
    assert main(["profile", str(shared_data / "clean/titanic.csv"), "--json"]) == 0
    profile = json.loads(capsys.readouterr().out)
    assert profile["rows"] == 891
    assert len(profile["columns"]) == 15
    age = next(c for c in profile["columns"] if c["name"] == "age")
    assert (age["kind"], age["missing"]) == ("numeric", 177)
    leaks = [a for a in profile["alerts"] if a["kind"] == "target_leakage"]
    # Each leak alert names the leaking column first, then the target it gives away.
    assert [a["columns"] for a in leaks] == [["alive", "survived"]]
    assert {"kind", "columns", "severity", "value", "message"} <= set(leaks[0])


def test_profile_text_of_a_project(tmp_path: Path, penguins_csv: Path, capsys) -> None:
    main(["new", str(tmp_path / "p"), "--data", str(penguins_csv)])
    capsys.readouterr()
    assert main(["profile", str(tmp_path / "p")]) == 0
    out = capsys.readouterr().out
    assert "344 rows x 7 columns" in out
    assert "target: species (multiclass)" in out
    assert "bill_length_mm" in out


def test_missing_file_is_one_line_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    assert_one_line_error(run_cli("profile", str(missing)), "not found", str(missing))


def test_new_with_missing_data_leaves_no_folder(tmp_path: Path) -> None:
    result = run_cli("new", str(tmp_path / "p"), "--data", str(tmp_path / "nope.csv"))
    assert_one_line_error(result, "not found")
    assert not (tmp_path / "p").exists()


def test_new_with_unknown_target_leaves_no_folder(tmp_path: Path, penguins_csv: Path) -> None:
    result = run_cli("new", str(tmp_path / "p"), "--data", str(penguins_csv), "--target", "kind")
    assert_one_line_error(result, "target column 'kind' is not in penguins.csv")
    assert not (tmp_path / "p").exists()


def test_bad_option_and_bad_usage(tmp_path: Path, penguins_csv: Path) -> None:
    assert_one_line_error(run_cli("profile", str(penguins_csv), "-o", "colour=red"), "colour")
    assert_one_line_error(run_cli("profile", str(penguins_csv), "-o", "novalue"), "KEY=VALUE")
    assert_one_line_error(run_cli("info"), "required")


def test_info_of_a_damaged_project(tmp_path: Path) -> None:
    (tmp_path / "project.json").write_text("{broken")
    assert_one_line_error(run_cli("info", str(tmp_path)), "project.json is damaged")


def test_info_of_a_folder_that_is_not_a_project(tmp_path: Path) -> None:
    assert_one_line_error(run_cli("info", str(tmp_path)), "is not a workbench project")


def test_the_window_without_a_display_is_one_line_exit_2(repo_root: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    result = subprocess.run(
        [sys.executable, "-m", "workbench", str(repo_root / "projects/demo")],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert_one_line_error(result, "no display to open the window on")


def test_a_declared_read_option_and_format_are_cli_values(tmp_path: Path) -> None:
    table = tmp_path / "stations.fwf"
    table.write_text("station  temp\nOslo      3.5\nBergen    7.0\nTromso   -1.5\ntotal     9.0\n")
    with declared_fixed_width_format():
        parser = argparse.ArgumentParser(prog="read")
        add_read_options(parser, FooterOptions)
        usage = parser.format_help()
        assert "skip_footer" in " ".join(usage.split())
        assert "csv/excel/parquet/json/jsonl/sqlite/fwf" in " ".join(usage.split())
        args = parser.parse_args(["-o", "skip_footer=1", "-o", "format=fwf"])
        options = read_options(args.option, FooterOptions)
        assert options == FooterOptions(format="fwf", skip_footer=1)
        frame = read_table(table, options).frame
        assert frame.to_dict("list") == {
            "station": ["Oslo", "Bergen", "Tromso"],
            "temp": [3.5, 7.0, -1.5],
        }
        with pytest.raises(WorkbenchError, match="read option 'skip_footer' expects a whole"):
            read_options(["skip_footer=last"], FooterOptions)
    with pytest.raises(WorkbenchError, match="unknown format 'fwf'"):
        read_options(["format=fwf"])
