"""`workbench monitor` and `workbench monitor-history` as a scheduled job calls them: exit codes
0 / 1 / 2, the JSON report, the kept checks and the HTML report, on a real diamonds run and
batches made of its held-out test rows."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from _serve_runs import TrainedRun, trained_run
from cli_calls import one_error_line, run

from workbench.core.monitor.history import MONITOR_FOLDER, list_checks
from workbench.core.monitor.run_reference import REFERENCE_ARTIFACT, REFERENCE_FILE
from workbench.core.runs.loaded import LoadedRun

pytestmark = pytest.mark.shared_data
Factory = pytest.TempPathFactory


@pytest.fixture(scope="module")
def diamonds(shared_data: Path, tmp_path_factory: Factory) -> TrainedRun:
    return trained_run("diamonds", shared_data, tmp_path_factory)


def held_out(trained: TrainedRun) -> pd.DataFrame:
    """The run's test rows as the data holds them: rows the model never trained on."""
    with LoadedRun.open(trained.project, trained.run_id) as loaded:
        return loaded.frame.iloc[loaded.test_rows()].reset_index(drop=True)


def write_batch(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def monitor_json(
    trained: TrainedRun, batch: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, dict]:
    code = run(["monitor", str(trained.project), trained.run_id, str(batch), "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def test_the_reference_is_stored_with_the_run_and_logged(diamonds: TrainedRun) -> None:
    with LoadedRun.open(diamonds.project, diamonds.run_id) as loaded:
        artifact = loaded.record.artifacts[REFERENCE_ARTIFACT]
        assert artifact.path == f"runs/{diamonds.run_id}/{REFERENCE_FILE}"
        stored = json.loads((diamonds.project / artifact.path).read_text("utf-8"))
        development = loaded.spec.rows.development
    assert stored["format"] == "workbench-monitor-reference"
    assert stored["run_id"] == diamonds.run_id
    assert stored["rows"] == development == 43_152  # 53,940 rows less the 20% test set
    assert [c["name"] for c in stored["columns"]] == [
        "carat", "cut", "color", "clarity", "depth", "table", "x", "y", "z",
    ]  # fmt: skip
    assert [c["name"] for c in stored["predictions"]] == ["prediction"]


def test_a_held_out_slice_has_not_drifted(
    diamonds: TrainedRun, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = write_batch(held_out(diamonds), tmp_path / "held_out.csv")
    code, report = monitor_json(diamonds, batch, capsys)
    assert code == 0
    assert report["drifted"] is False and report["validation"]["blocking"] is False
    assert report["rows"] == 10_788
    assert [c["name"] for c in report["columns"] if c["drifted"]] == []
    assert set(report["columns"][0]) >= {"name", "test", "statistic", "p_value", "psi", "drifted"}
    assert {c["test"] for c in report["columns"]} == {"ks", "chi2"}
    assert [p["name"] for p in report["prediction_drift"]] == ["prediction"]
    assert report["metrics"]["rows"] == 10_788  # the batch holds `price`: it is scored
    assert report["metrics"]["metric"] == "rmse"


def test_a_shifted_column_drifts_alone(
    diamonds: TrainedRun, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = held_out(diamonds)
    frame["table"] = frame["table"] + 3.0
    code, report = monitor_json(diamonds, write_batch(frame, tmp_path / "shifted.csv"), capsys)
    assert code == 1
    assert [c["name"] for c in report["columns"] if c["drifted"]] == ["table"]
    table = next(c for c in report["columns"] if c["name"] == "table")
    assert table["test"] == "ks" and table["psi"] >= 0.2 and table["p_value"] < 0.05 / 10


def test_a_renamed_column_fails_validation_naming_it(
    diamonds: TrainedRun, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = held_out(diamonds).rename(columns={"depth": "Depth"})
    code, report = monitor_json(diamonds, write_batch(frame, tmp_path / "renamed.csv"), capsys)
    assert code == 1
    blocking = [p for p in report["validation"]["problems"] if p["blocking"]]
    assert [p["message"] for p in blocking] == ["required column 'depth' is missing"]
    assert "unknown column 'Depth'" in [p["message"] for p in report["validation"]["problems"]]
    assert report["prediction_drift"] == []  # the model cannot read the batch


def test_each_check_is_kept_and_listed_by_date(
    shared_data: Path, tmp_path_factory: Factory, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    trained = trained_run("penguins", shared_data, tmp_path_factory)
    source = shared_data / "clean" / "penguins.csv"
    folder = trained.project / MONITOR_FOLDER / trained.run_id
    before = len(list_checks(trained.project, trained.run_id))
    for _ in range(2):
        assert run(["monitor", str(trained.project), trained.run_id, str(source)]) in (0, 1)
    out = capsys.readouterr().out
    assert f"kept: {folder}" in out
    checks = list_checks(trained.project, trained.run_id)
    assert len(checks) == before + 2
    assert [c.checked_at for c in checks] == sorted(c.checked_at for c in checks)
    assert checks[-1].report.rows == 344 and checks[-1].file_name == "penguins.csv"
    assert run(["monitor-history", str(trained.project), trained.run_id, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [item["path"] for item in listed] == [str(c.path) for c in checks]
    assert run(["monitor", str(trained.project), trained.run_id, str(source), "--no-keep"]) in (
        0,
        1,
    )
    assert len(list_checks(trained.project, trained.run_id)) == before + 2


def test_the_html_report_is_self_contained(
    diamonds: TrainedRun, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = held_out(diamonds)
    frame["table"] = frame["table"] + 3.0
    batch = write_batch(frame, tmp_path / "shifted <b>.csv")
    out = tmp_path / "report.html"
    assert (
        run(["monitor", str(diamonds.project), diamonds.run_id, str(batch), "--out", str(out)]) == 1
    )
    text = out.read_text("utf-8")
    assert "shifted &lt;b&gt;.csv" in text and "<b>.csv" not in text
    assert "<script" not in text and "http" not in text.replace("http-equiv", "")
    assert text.count("<svg") >= 10  # one per tested column, drifted first
    assert text.index("<code>table</code></h3>") < text.index("<code>carat</code></h3>")
    assert "1 of 9 tested columns drifted: table" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere", "RUN", "b.csv"], "workbench: error: project folder not found: nowhere"),
        (
            ["{project}", "no-such-run", "{batch}"],
            "workbench: error: 'no-such-run' is not a run id",
        ),
        (["{project}", "{run}", "missing.csv"], "workbench: error: file not found: missing.csv"),
        (["{project}", "{run}", "{batch}", "-t", "alpha=2"], "'alpha' should be between 0 and 1"),
        (["{project}", "{run}", "{batch}", "-t", "speed=1"], "has no setting 'speed'"),
        (["{project}", "{run}", "{batch}", "-o", "nonsense"], "--option expects KEY=VALUE"),
        (["{project}", "{run}", "{batch}", "--out", "r.pdf"], "is an .html file, not 'r.pdf'"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    diamonds: TrainedRun,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    batch = write_batch(held_out(diamonds).head(50), tmp_path / "b.csv")
    values = {"project": str(diamonds.project), "run": diamonds.run_id, "batch": str(batch)}
    assert run(["monitor", *(a.format(**values) for a in args)]) == 2
    assert message in one_error_line(capsys)
