"""`-o KEY=VALUE` wins over detection: a decimal point, column types, codes kept as text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.cli.main import main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args], capture_output=True, text=True
    )


@pytest.fixture
def points(tmp_path: Path) -> Path:
    """Semicolons and numbers that detection reads with a decimal comma."""
    path = tmp_path / "points.csv"
    path.write_text("id;price;weight\n1;1,5;2,25\n2;2,5;3,75\n3;7,5;1,5\n4;3,5;2,5\n")
    return path


@pytest.fixture
def customers(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text(
        "name,zip,visits,spent\n"
        "Ann,02134,3,10.5\n"
        "Bob,08123,12,20.0\n"
        "Cy,10001,7,3.25\n"
        "Dee,02134,1,8.0\n"
    )
    return path


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
    assert "kept 1 column of codes with leading zeros as text: 'zip' (02134, 08123);" in " ".join(
        info["dataset"]["warnings"]
    )
    # the project file keeps the choice: reopened, the dataset reads the same way
    stored = json.loads((project / "project.json").read_text())
    source = stored["dataset"]["source"]
    assert source["read_options"]["dtype"] == {"visits": "text", "name": "text"}


def test_profile_notes_codes_and_a_number_override_reads_them(customers: Path) -> None:
    noted = run_cli("profile", str(customers), "--json")
    assert noted.returncode == 0, noted.stderr
    assert "workbench: note: kept 1 column of codes with leading zeros as text" in noted.stderr
    assert column(json.loads(noted.stdout), "zip")["kind"] == "categorical"
    numbers = run_cli("profile", str(customers), "-o", "dtype=zip:number", "--json")
    assert numbers.returncode == 0, numbers.stderr
    assert column(json.loads(numbers.stdout), "zip")["kind"] == "numeric"
    assert "leading zeros" not in numbers.stderr


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
            "it); the columns are: name, zip, visits, spent",
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
