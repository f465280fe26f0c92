"""`-o KEY=VALUE` wins over detection: a decimal point, column types, codes kept as text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from _small_files import CODES_NOTE, CUSTOMER_COLUMNS

from workbench.cli.main import main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args], capture_output=True, text=True
    )


def column(profile: dict, name: str) -> dict:
    return next(c for c in profile["columns"] if c["name"] == name)


def test_profile_with_a_decimal_point_parses_with_a_point(points: Path, capsys) -> None:
    assert main(["profile", str(points), "--json"]) == 0
    detected = json.loads(capsys.readouterr().out)
    assert column(detected, "price")["kind"] == "numeric"
    assert column(detected, "price")["mean"] == pytest.approx(3.75)

    assert main(["profile", str(points), "-o", "decimal=.", "--json"]) == 0
    pointed = json.loads(capsys.readouterr().out)
    # '1,5' read with a point is not a number: the column is text, not 1.5
    assert column(pointed, "price")["kind"] == "categorical"
    assert column(pointed, "price")["distinct"] == 4


def test_new_remembers_column_types_and_keeps_codes(tmp_path: Path, customers: Path) -> None:
    project = tmp_path / "shop"
    result = run_cli(
        "new", str(project), "--data", str(customers), "--target", "spent",
        "-o", "dtype=visits:text", "-o", "dtype=name:text", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["dataset"]["read_options"]["dtype"] == {"visits": "text", "name": "text"}
    dtypes = {c["name"]: c["dtype"] for c in info["columns"]}
    assert dtypes["zip"] == dtypes["visits"] == dtypes["name"]  # text, zeros kept
    assert dtypes["spent"] == "float64"
    assert dtypes["account"] == dtypes["zip"]
    assert CODES_NOTE in info["dataset"]["warnings"]
    # the project file keeps the choice: reopened, the dataset reads the same way
    stored = json.loads((project / "project.json").read_text())
    source = stored["dataset"]["source"]
    assert source["read_options"]["dtype"] == {"visits": "text", "name": "text"}


def test_profile_notes_codes_and_a_number_override_reads_them(customers: Path) -> None:
    noted = run_cli("profile", str(customers), "--json")
    assert noted.returncode == 0, noted.stderr
    assert f"workbench: note: {CODES_NOTE}" in noted.stderr
    assert column(json.loads(noted.stdout), "zip")["kind"] == "categorical"
    numbers = run_cli("profile", str(customers), "-o", "dtype=zip:number", "--json")
    assert numbers.returncode == 0, numbers.stderr
    assert column(json.loads(numbers.stdout), "zip")["kind"] == "numeric"
    assert (
        "workbench: note: kept 1 column of codes with leading zeros as text: 'account' "
        "(000981, 004500)" in numbers.stderr
    )


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            "dtype=zip",
            "workbench: error: column types are written COLUMN:TYPE (text/number/date), "
            "comma-separated, not 'zip'",
        ),
        ("dtype=zip:string", "workbench: error: column 'zip': unknown type 'string'; known: "),
        (
            "dtype=zipcode:text",
            "workbench: error: customers.csv: no column named 'zipcode' (a type was chosen for "
            f"it); the columns are: {CUSTOMER_COLUMNS}",
        ),
        (
            "dtype=name:number",
            "workbench: error: customers.csv: column 'name' cannot be read as numbers: 'Ann' "
            "(data row 1) is not a number",
        ),
        ("decimal=none", "workbench: error: decimal must be one character, not ''"),
    ],
)
def test_a_bad_column_type_is_one_line_exit_2(customers: Path, option: str, message: str) -> None:
    result = run_cli("profile", str(customers), "-o", option)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(message), result.stderr
