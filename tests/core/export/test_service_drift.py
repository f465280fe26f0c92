"""The exported service's POST /drift against `workbench monitor --json` on the same rows.

The bundle's service runs with uvicorn on a loopback port (tests/_serve_runs.py's bundles,
trained once a session); the same batch goes through the CLI as a CSV file and through
/drift as records. The column statistics and validation come from the same code (the bundle's
`batch_checks/` is workbench.core.batch_checks) and must be equal to the number; the
prediction drift is measured on the ONNX model's outputs in the service and on the fitted
pipeline's in the workbench, which parity holds within float32's rounding.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from _serve_runs import Service, TrainedRun, exported_bundle, import_service

from workbench.cli.main import main
from workbench.core.export.docker_bundle import request_records
from workbench.core.export.feature_schema import FeatureSchema
from workbench.core.runs.loaded import LoadedRun

pytestmark = pytest.mark.shared_data
Served = tuple[TrainedRun, FeatureSchema, Service]


def served(name: str, env: dict[str, str] | None = None) -> Any:
    """A module fixture: `name`'s run, its bundle's schema and its service, running."""

    def serve(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
        trained, folder = exported_bundle(name, shared_data, tmp_path_factory)
        with Service(folder, env=env or {}) as service:
            yield trained, FeatureSchema.load(folder / "schema.json"), service

    return pytest.fixture(scope="module")(serve)


titanic = served("titanic")
penguins = served("penguins")
SMALL_LIMIT = 2048
small_limit = served("penguins", {"MAX_BODY_BYTES": str(SMALL_LIMIT)})


def held_out(trained: TrainedRun, columns: list[str]) -> pd.DataFrame:
    """The run's test rows (never trained on), the model's columns only."""
    with LoadedRun.open(trained.project, trained.run_id) as loaded:
        frame = loaded.frame.iloc[loaded.test_rows()].reset_index(drop=True)
    return frame[columns]


def drift(service: Service, records: list[dict[str, Any]]) -> tuple[int, Any]:
    return service.post("/drift", {"records": records})


def monitor_json(
    trained: TrainedRun, frame: pd.DataFrame, path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, Any]:
    frame.to_csv(path, index=False)
    code = main(["monitor", str(trained.project), trained.run_id, str(path), "--json", "--no-keep"])
    return code, json.loads(capsys.readouterr().out)


def test_drift_answers_the_report_workbench_monitor_prints(
    titanic: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trained, schema, service = titanic
    frame = held_out(trained, schema.names)
    assert len(frame) == 179
    # Problems for validation to find: an age beyond training's, a town it never saw.
    frame.loc[[3, 7], "age"] = 120.0
    frame.loc[5, "embark_town"] = "Atlantis"
    code, cli = monitor_json(trained, frame, tmp_path / "held_out.csv", capsys)
    status, served_ = drift(service, request_records(schema, frame))
    assert status == 200, served_
    assert served_["rows"] == cli["rows"] == 179
    # The columns and validation: the same code on the same values, equal to the last digit.
    assert served_["columns"] == cli["columns"]
    assert served_["validation"] == cli["validation"]
    problems = [
        (p["column"], p["check"], p["count"], p["rows"]) for p in cli["validation"]["problems"]
    ]
    assert problems == [
        ("age", "out_of_range", 2, [4, 8]),
        ("embark_town", "unseen_category", 1, [6]),
    ]
    same = ("format", "version", "run_id", "reference_rows", "options", "tests", "alpha_per_test")
    assert {k: served_[k] for k in same} == {k: cli[k] for k in same}
    assert set(served_) == set(cli)  # no `metrics`: the batch holds no target
    # This test set's decks differ from training's by chance (44 rows with a deck, A at 20%
    # against 4%): both say so, with the same numbers.
    assert [c["name"] for c in cli["columns"] if c["drifted"]] == ["deck"]
    assert served_["drifted"] is cli["drifted"] is True and code == 1
    # The predictions: the ONNX model's in the service, the pipeline's in the workbench.
    names = [p["name"] for p in served_["prediction_drift"]]
    assert names == [p["name"] for p in cli["prediction_drift"]] == ["prediction", "proba_1"]
    assert served_["prediction_drift"][0] == cli["prediction_drift"][0]  # classes: exact
    ours, theirs = served_["prediction_drift"][1], cli["prediction_drift"][1]
    assert ours["rows"] == theirs["rows"] == 179
    assert ours["statistic"] == pytest.approx(theirs["statistic"], abs=1 / 179)
    assert ours["drifted"] is theirs["drifted"] is False


def test_a_held_out_slice_has_not_drifted(penguins: Served) -> None:
    trained, schema, service = penguins
    frame = held_out(trained, schema.names)
    status, report = drift(service, request_records(schema, frame))
    assert status == 200, report
    assert (report["rows"], report["drifted"], report["validation"]["blocking"]) == (
        69,
        False,
        False,
    )
    assert [c["name"] for c in report["columns"]] == schema.names
    assert {c["test"] for c in report["columns"]} == {"ks", "chi2"}
    assert all(c["p_value"] is not None and not c["drifted"] for c in report["columns"])
    outputs = [p["name"] for p in report["prediction_drift"]]
    assert outputs == ["prediction", "proba_Adelie", "proba_Chinstrap", "proba_Gentoo"]
    assert report["tests"] == 6 + 4
    assert report["alpha_per_test"] == pytest.approx(0.05 / 10)


def test_a_shifted_column_is_reported_alone(penguins: Served) -> None:
    trained, schema, service = penguins
    frame = held_out(trained, schema.names)
    frame["bill_depth_mm"] = frame["bill_depth_mm"] * 1.3
    status, report = drift(service, request_records(schema, frame))
    assert status == 200, report
    assert [c["name"] for c in report["columns"] if c["drifted"]] == ["bill_depth_mm"]
    depth = next(c for c in report["columns"] if c["name"] == "bill_depth_mm")
    assert depth["test"] == "ks" and depth["psi"] >= 0.2 and depth["distance"] >= 0.1
    assert depth["note"].startswith("drifted: PSI")
    assert report["drifted"] is True
    depths = [p for p in report["validation"]["problems"] if p["column"] == "bill_depth_mm"]
    assert [p["check"] for p in depths] == ["out_of_range"]
    assert depths[0]["count"] > 10


def test_labels_are_taken_but_not_scored(penguins: Served) -> None:
    """The target may come with the records (it is no unknown column); scoring needs the
    workbench, so the answer has no `metrics`."""
    trained, schema, service = penguins
    frame = held_out(trained, [*schema.names, "species"])
    records = request_records(schema, frame)
    for record, species in zip(records, frame["species"], strict=True):
        record["species"] = species
    status, report = drift(service, records)
    assert status == 200, report
    # A few held-out birds measure beyond the training rows' range: warnings, nothing more.
    assert {p["check"] for p in report["validation"]["problems"]} == {"out_of_range"}
    assert "species" not in {p["column"] for p in report["validation"]["problems"]}
    assert "metrics" not in report
    assert [c["name"] for c in report["columns"]] == schema.names


def test_a_renamed_column_is_refused_naming_it(penguins: Served) -> None:
    trained, schema, service = penguins
    frame = held_out(trained, schema.names).rename(columns={"bill_length_mm": "bill_length"})
    records = [
        {**record, "bill_length": value}
        for record, value in zip(
            request_records(schema, frame.assign(bill_length_mm=0.0)),
            frame["bill_length"],
            strict=True,
        )
    ]
    for record in records:
        del record["bill_length_mm"]
    status, answer = drift(service, records)
    assert status == 422
    assert answer["errors"][0] == "records.0.bill_length_mm: Field required"
    assert len(answer["errors"]) == 69


def test_bad_values_are_refused_as_predict_refuses_them(penguins: Served) -> None:
    trained, schema, service = penguins
    records = request_records(schema, held_out(trained, schema.names).head(3))
    records[2]["body_mass_g"] = "heavy"
    status, answer = drift(service, records)
    assert status == 422
    assert answer["errors"] == [
        "records.2.body_mass_g: 'heavy' is not a number: send a JSON number, or text such as "
        "'1234.5'"
    ]
    status, answer = drift(service, [])
    assert status == 422
    assert answer["errors"] == ["records: List should have at least 1 item after validation, not 0"]


def test_the_body_size_limit_holds_for_drift(small_limit: Served) -> None:
    trained, schema, service = small_limit
    records = request_records(schema, held_out(trained, schema.names))
    status, answer = drift(service, records)
    assert status == 413
    (line,) = answer["errors"]
    assert f"is larger than MAX_BODY_BYTES ({SMALL_LIMIT} bytes)" in line
    status, answer = drift(service, records[:3])
    assert status == 200 and answer["rows"] == 3


def test_the_service_refuses_another_runs_reference(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    _, penguins_folder = exported_bundle("penguins", shared_data, tmp_path_factory)
    titanic_run, titanic_folder = exported_bundle("titanic", shared_data, tmp_path_factory)
    reference = str(titanic_folder / "monitor_reference.json")
    done = import_service(penguins_folder, {"REFERENCE_PATH": reference})
    assert done.returncode != 0
    assert f"is the reference of run '{titanic_run.run_id}', not of this model's run" in done.stderr
