"""`workbench train` and `workbench runs` on a real project: tables, JSON, one-line errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from _declared import declared_site_scheme_and_quick_method

from workbench.cli.main import main
from workbench.cli.train import parse_split, parse_tune
from workbench.core.errors import WorkbenchError
from workbench.core.specs import SplitSpec


def test_train_json_then_runs_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["train", str(project), "--model", "decision_tree", "--model", "knn"]
    assert main([*args, "--split", "kfold:3", "--test", "0.25", "--seed", "3", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert [r["model"] for r in results] == [
        "dummy_classifier", "decision_tree_classifier", "knn_classifier",
    ]  # fmt: skip
    assert {r["status"] for r in results} == {"finished"}
    assert {r["metric"] for r in results} == {"f1_macro"}
    assert len(results[1]["validation"]["f1_macro"]) == 2  # mean and std
    assert results[1]["test"]["f1_macro"] > 0.9
    assert main(["runs", str(project), "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert [r["run_id"] for r in runs] == [r["run_id"] for r in results]
    assert [r["status"] for r in runs] == ["finished"] * 3
    assert runs[1]["validation_mean"] == pytest.approx(results[1]["validation"]["f1_macro"]["mean"])
    assert runs[1]["test"] == pytest.approx(results[1]["test"]["f1_macro"])


def test_train_table_with_tuning(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["train", str(project), "--model", "decision_tree", "--split", "holdout:0.3",
         "--tune", "random:3", "--metric", "accuracy", "--jobs", "1", "--no-baseline"]
    )  # fmt: skip
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:5] == ["run", "model", "status", "accuracy", "(validation)"]
    assert len(lines) == 3 and "decision_tree_classifier  finished" in lines[2]
    assert main(["runs", str(project)]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert "decision_tree_classifier" in listing[2] and "accuracy" in listing[2]


def test_value_parsers() -> None:
    assert parse_split("repeated_kfold:5x3", "0.1") == SplitSpec(
        "repeated_kfold", n_splits=5, n_repeats=3, test_fraction=0.1
    )
    assert parse_split("hash:0.25:id", "0.2") == SplitSpec(
        "hash", validation_fraction=0.25, id_column="id"
    )
    assert parse_split("group_kfold:4:island", "0").group_column == "island"
    assert parse_tune("random:60s", None).time_budget_seconds == 60.0
    assert parse_tune("halving:27", "accuracy").n_trials == 27


def test_bad_split_exits_2_with_one_line(project: Path) -> None:
    for argv, fragment in (
        (["--split", "kfold:x"], "bad --split value 'kfold:x'"),
        (["--split", "group_kfold:5"], "bad --split value 'group_kfold:5'"),
        (["--tune", "random:lots"], "bad --tune value 'random:lots'"),
        (["--model", "nope"], "unknown model 'nope'"),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "workbench", "train", str(project), *argv],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and fragment in lines[0], result.stderr


def test_a_declared_scheme_and_method_are_cli_values(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with declared_site_scheme_and_quick_method():
        with pytest.raises(SystemExit):
            main(["train", "--help"])
        usage = capsys.readouterr().out
        assert "kfold_by_site:5:COLUMN" in usage and "quick_random:5" in usage
        assert parse_split("kfold_by_site:3:island", "0.2") == SplitSpec(
            "kfold_by_site", n_splits=3, group_column="island"
        )
        with pytest.raises(WorkbenchError, match=r"'kfold_by_site:3'; use .*kfold_by_site:5:CO"):
            parse_split("kfold_by_site:3", "0.2")
        argv = ["train", str(project), "--model", "decision_tree", "--no-baseline", "--json"]
        argv += ["--split", "kfold_by_site:3:island", "--test", "0", "--tune", "quick_random:2"]
        assert main(argv) == 0
        [result] = json.loads(capsys.readouterr().out)
        assert result["status"] == "finished", result["message"]
        assert len(result["validation"]["f1_macro"]) == 2
    assert "kfold_by_site" not in capsys.readouterr().out
    with pytest.raises(WorkbenchError, match="bad --split value 'kfold_by_site:3:island'"):
        parse_split("kfold_by_site:3:island", "0.2")


def test_numbers_in_every_table_read_without_exponents(
    tmp_path: Path, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Charges in the tens of thousands: the profile, train and runs tables write them with
    thousands separators (one formatter), never as 6.377e+04."""
    folder = tmp_path / "insurance"
    data = shared_data / "clean" / "insurance.csv"
    assert main(["new", str(folder), "--data", str(data), "--target", "charges"]) == 0
    assert main(["profile", str(folder)]) == 0
    profile = capsys.readouterr().out
    # pandas: min 1,121.87, mean 13,270.42, max 63,770.43
    assert "min 1,122, mean 13,270, max 63,770" in profile
    args = ["train", str(folder), "--model", "ridge", "--split", "kfold:3", "--no-baseline"]
    assert main([*args, "--metric", "mse", "--json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    mean = result["validation"]["mse"]["mean"]
    assert mean > 1e7  # squared dollars: eight digits
    assert main(["runs", str(folder)]) == 0
    listing = capsys.readouterr().out
    assert f"{round(mean):,}" in listing
    for text in (profile, listing):
        assert not re.search(r"\de[+-]\d", text), text


def test_train_says_the_columns_per_model_and_warns_above_the_limit(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """glassdoor: five columns of 235 to 448 labels. By default they are target encoded (69
    columns); one-hot encoded by the user's chain they make at least 5 x 201 + 64 columns (the
    import lists up to 200 labels): warned."""
    folder = str(tmp_path / "jobs")
    assert main(["new", folder, "--data", str(shared_data / "messy/glassdoor_jobs.csv")]) == 0
    capsys.readouterr()
    argv = ["train", folder, "--model", "decision_tree", "--split", "kfold:2", "--test", "0",
            "--jobs", "1", "--no-baseline"]  # fmt: skip
    assert main(argv) == 0
    assert capsys.readouterr().err == (
        "workbench: note: categorical columns with more than 50 labels are target encoded, the "
        "others one-hot encoded\n"
        "workbench: note: Decision tree gets 69 columns\n"
    )
    wide = ["Job Title", "Salary Estimate", "Company Name", "Location", "Headquarters"]
    assert main(["chain", folder, "add", "one_hot", "--columns", *wide]) == 0
    capsys.readouterr()
    assert main(argv) == 0
    names = "'Job Title', 'Salary Estimate', 'Company Name', 'Location', 'Headquarters'"
    counted = f"at least 1,069 columns (the labels of {names} are only counted when fitted)"
    assert capsys.readouterr().err.splitlines()[1:] == [
        f"workbench: note: Decision tree gets {counted}",
        f"workbench: warning: Decision tree: the chain makes {counted}, above 1,000: training "
        "will be slow and memory-hungry; encode the columns with many labels compactly (target "
        "encode, hash encode or group rare categories) or drop them",
    ]


def test_train_says_how_a_random_forest_samples_its_rows(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The rule of row_scaled_params is said before training whenever a random forest is among
    the models (penguins is below the limit: the run keeps every row, its params empty)."""
    argv = ["train", str(project), "--model", "random_forest", "--split", "kfold:2", "--test",
            "0", "--jobs", "1", "--no-baseline", "--json"]  # fmt: skip
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines()[1] == (
        "workbench: note: a random forest on more than 15,000 training rows draws 15,000 of "
        "them for each tree (its 'Share of rows per tree' on auto; the run records the share)"
    )
    assert json.loads(captured.out)[0]["status"] == "finished"


@pytest.mark.shared_data
def test_training_panel_data_with_a_random_split_warns_and_names_the_group_split(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    life = tmp_path / "life"
    source = shared_data / "messy" / "Life_Expectancy_Data.csv"
    assert main(["new", str(life), "--data", str(source), "--target", "Life expectancy"]) == 0
    capsys.readouterr()
    assert main(["train", str(life), "--model", "ridge", "--split", "kfold:3"]) == 0
    warned = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert warned == [
        "workbench: warning: Rows come in groups: 'Country' (133 values) has up to 16 rows, "
        "one per 'Year'. A random split validates on Country values the model was fitted on "
        "(their other periods are much alike), which flatters the scores. --split "
        "group_kfold:3:Country validates on Country values not seen in fitting."
    ]
    assert main(["train", str(life), "--model", "ridge", "--split", "group_kfold:3:Country"]) == 0
    assert "Rows come in groups" not in capsys.readouterr().err
