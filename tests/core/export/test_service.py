"""The bundle's HTTP service, started with uvicorn in a child process on a loopback port.

Its answers are checked against the workbench's own predictions (the fitted pipeline) on the
run's held-out rows, and its 422 bodies must name the record and field at fault.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _runs import pipeline_of
from _serve_runs import (
    Service,
    TrainedRun,
    exported_bundle,
    exported_onnx,
    free_port,
    import_service,
    service_fixture,
)

from workbench.core.export.docker_bundle import request_records
from workbench.core.export.feature_schema import FeatureSchema
from workbench.core.kinds import TaskType
from workbench.core.parquet_frames import read_frame_parquet
from workbench.core.project import open_project
from workbench.core.train.fit import predict

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module", params=["penguins", "titanic", "diamonds"])
def served(
    request: pytest.FixtureRequest, shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, TrainedRun, Path, Service]]:
    run, folder = exported_bundle(request.param, shared_data, tmp_path_factory)
    with Service(folder) as service:
        yield request.param, run, folder, service


def call(
    url: str, payload: Any = None, method: str = "GET", content_type: str = "application/json"
) -> tuple[int, Any]:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def held_out(run: TrainedRun) -> pd.DataFrame:
    """The run's test rows (features only) and the workbench's predictions for them."""
    project = open_project(run.project)
    frame = project.load_frame().reset_index(drop=True)
    rows = read_frame_parquet(run.project / "runs" / run.run_id / "test_predictions.parquet")["row"]
    return frame.loc[sorted(rows)].reset_index(drop=True)


def test_predict_matches_the_workbench_pipeline(
    served: tuple[str, TrainedRun, Path, Service],
) -> None:
    name, run, folder, service = served
    schema = FeatureSchema.load(folder / "schema.json")
    rows = held_out(run)
    expected_rows = {"penguins": 69, "titanic": 179, "diamonds": 10788}[name]
    assert len(rows) == expected_rows
    rows = rows.head(500)
    status, answer = call(
        f"{service.url}/predict", {"records": request_records(schema, rows)}, "POST"
    )
    assert status == 200, answer
    assert answer["run_id"] == run.run_id
    assert answer["task"] == schema.task
    assert len(answer["predictions"]) == len(rows)
    pipeline = pipeline_of(run.project, run.run_id)
    own = predict(pipeline, schema.validate_frame(rows), TaskType(schema.task))
    if schema.classes is None:
        served_values = np.array([p["prediction"] for p in answer["predictions"]])
        assert "probabilities" not in answer["predictions"][0]
        np.testing.assert_allclose(served_values, own.y_pred, rtol=1e-4, atol=1e-2)
        return
    names = [str(c) for c in schema.classes]
    assert [str(c) for c in own.classes] == names
    assert [p["prediction"] for p in answer["predictions"]] == own.y_pred.tolist()
    proba = np.array([[p["probabilities"][c] for c in names] for p in answer["predictions"]])
    np.testing.assert_allclose(proba, own.proba, atol=1e-4)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)


def test_health_schema_and_docs(served: tuple[str, TrainedRun, Path, Service]) -> None:
    name, run, folder, service = served
    status, health = call(f"{service.url}/health")
    task = {"penguins": "multiclass", "titanic": "binary", "diamonds": "regression"}[name]
    assert (status, health) == (200, {"status": "ok", "run_id": run.run_id, "task": task})
    status, schema = call(f"{service.url}/schema")
    assert status == 200
    assert schema == json.loads((folder / "schema.json").read_text(encoding="utf-8"))
    status, openapi = call(f"{service.url}/openapi.json")
    assert status == 200
    record = openapi["components"]["schemas"]["Record"]
    assert list(record["properties"]) == [c["name"] for c in schema["columns"]]
    assert record["required"] == [c["name"] for c in schema["columns"]]
    assert record["additionalProperties"] is True  # other columns are ignored, and listed
    with urllib.request.urlopen(f"{service.url}/docs", timeout=10) as response:
        assert b"swagger-ui" in response.read()


def test_readme_shows_the_answer_the_service_gives(
    served: tuple[str, TrainedRun, Path, Service],
) -> None:
    _, _, folder, service = served
    example = json.loads((folder / "example_request.json").read_text(encoding="utf-8"))
    status, answer = call(f"{service.url}/predict", example, "POST")
    assert status == 200
    readme = (folder / "README.md").read_text(encoding="utf-8")
    blocks = readme.split("```json\n")
    shown_request = json.loads(blocks[1].split("```")[0])
    shown_response = json.loads(blocks[2].split("```")[0])
    assert shown_request == example
    assert shown_response == answer
    # The Errors section's example is the service's answer to the same body as text/plain.
    shown_error = json.loads(blocks[3].split("```")[0])
    status, refused = call(f"{service.url}/predict", example, "POST", "text/plain")
    assert (status, shown_error) == (415, refused)
    assert "[model_card.md](model_card.md)" in readme
    assert (folder / "model_card.md").stat().st_size > 0


def test_test_request_script_sends_the_example(
    served: tuple[str, TrainedRun, Path, Service],
) -> None:
    _, _, folder, service = served
    done = subprocess.run(
        [sys.executable, "test_request.py", service.url],
        cwd=folder, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    example = json.loads((folder / "example_request.json").read_text(encoding="utf-8"))
    assert len(printed["predictions"]) == len(example["records"]) > 0
    dead = subprocess.run(
        [sys.executable, "test_request.py", f"http://127.0.0.1:{free_port()}"],
        cwd=folder, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert dead.returncode == 1
    assert "cannot reach http://127.0.0.1:" in dead.stderr


def test_the_exported_example_is_real_held_out_rows(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    run, folder = exported_bundle("penguins", shared_data, tmp_path_factory)
    schema = FeatureSchema.load(folder / "schema.json")
    example = json.loads((folder / "example_request.json").read_text(encoding="utf-8"))
    rows = held_out(run).head(3)
    assert example["records"] == request_records(schema, rows)


# --- bad payloads: penguins only (its columns are known here) ----------------------------------


penguins = service_fixture("penguins")


GOOD = {
    "island": "Biscoe",
    "bill_length_mm": 45.2,
    "bill_depth_mm": 14.8,
    "flipper_length_mm": 212,
    "body_mass_g": 5200,
    "sex": "FEMALE",
}


def post(service: Service, *records: dict[str, Any]) -> tuple[int, Any]:
    return call(f"{service.url}/predict", {"records": list(records)}, "POST")


def test_a_good_record_and_missing_values_where_allowed(penguins: tuple[Path, Service]) -> None:
    folder, service = penguins
    schema = json.loads((folder / "schema.json").read_text(encoding="utf-8"))
    nullable = {c["name"]: c["nullable"] for c in schema["columns"]}
    assert nullable == {
        "island": False,
        "bill_length_mm": True,
        "bill_depth_mm": True,
        "flipper_length_mm": True,
        "body_mass_g": True,
        "sex": True,
    }
    status, answer = post(service, GOOD, {**GOOD, "sex": None, "bill_length_mm": None})
    assert status == 200, answer
    assert answer["predictions"][0]["prediction"] == "Gentoo"
    assert answer["predictions"][0]["probabilities"]["Gentoo"] > 0.9
    assert len(answer["predictions"]) == 2


@pytest.mark.parametrize(
    ("record", "field", "kind", "line"),
    [
        ({**GOOD, "bill_length_mm": "long"}, "bill_length_mm", "value_error",
         "'long' is not a number: send a JSON number, or text such as '1234.5'"),
        ({**GOOD, "bill_length_mm": "45,2"}, "bill_length_mm", "value_error",
         "'45,2' is not a number"),
        ({**GOOD, "bill_length_mm": True}, "bill_length_mm", "float_type", "valid number"),
        ({**GOOD, "island": 3}, "island", "string_type", "valid string"),
        ({k: v for k, v in GOOD.items() if k != "body_mass_g"}, "body_mass_g", "missing",
         "Field required"),
        ({**GOOD, "island": None}, "island", "string_type", "valid string"),
        ({**GOOD, "island": ""}, "island", "value_error",
         "'' is read as a missing value, and the model was trained without missing values"),
        ({**GOOD, "island": " NA "}, "island", "value_error", "' NA ' is read as a missing value"),
    ],
)  # fmt: skip
def test_bad_records_are_422_naming_the_field(
    penguins: tuple[Path, Service], record: dict[str, Any], field: str, kind: str, line: str
) -> None:
    _, service = penguins
    status, answer = post(service, GOOD, record)
    assert status == 422
    assert [(d["type"], d["loc"]) for d in answer["detail"]] == [
        (kind, ["body", "records", 1, field])
    ]
    (message,) = answer["errors"]
    assert message.startswith(f"records.1.{field}: ")
    assert line in message


def test_an_empty_or_malformed_request_is_422(penguins: tuple[Path, Service]) -> None:
    _, service = penguins
    status, answer = call(f"{service.url}/predict", {"records": []}, "POST")
    assert status == 422
    assert answer["errors"] == ["records: List should have at least 1 item after validation, not 0"]
    status, answer = call(f"{service.url}/predict", GOOD, "POST")
    assert status == 422
    assert "records: Field required" in answer["errors"]


def test_extreme_numbers_never_come_back_as_null_probabilities(
    penguins: tuple[Path, Service],
) -> None:
    """1e300 g reached the logistic regression as float32 Infinity, and its probabilities came
    back as nulls in a 200. Now it is refused naming the field; the float32 range is served."""
    _, service = penguins
    status, answer = post(service, GOOD, {**GOOD, "body_mass_g": 1e300})
    assert status == 422
    assert answer["errors"] == [
        "records.1.body_mass_g: 1e+300 is outside the range of float32, the model's input type "
        "(-3.402823e+38 to 3.402823e+38)"
    ]
    status, answer = post(service, {**GOOD, "body_mass_g": 3e38})
    assert status == 200
    assert answer["predictions"][0]["probabilities"] == {
        "Adelie": 0.0, "Chinstrap": 0.0, "Gentoo": 1.0
    }  # fmt: skip


def test_the_service_refuses_a_model_that_does_not_match_its_schema(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory, penguins: tuple[Path, Service]
) -> None:
    folder, _ = penguins
    _, titanic_onnx = exported_onnx("titanic", shared_data, tmp_path_factory)
    done = import_service(folder, {"MODEL_PATH": str(titanic_onnx)})
    assert done.returncode != 0
    assert "does not take the inputs schema.json lists" in done.stderr


def test_python_dash_m_service_serves_too(penguins: tuple[Path, Service]) -> None:
    folder, _ = penguins
    with Service(folder, python_m_service=True) as service:
        status, answer = post(service, GOOD)
    assert status == 200
    assert answer["predictions"][0]["prediction"] == "Gentoo"


def test_column_names_that_are_not_identifiers(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Life expectancy data: 'Adult Mortality' is fed to the ONNX input 'Adult_Mortality'."""
    run, folder = exported_bundle("life", shared_data, tmp_path_factory)
    schema = FeatureSchema.load(folder / "schema.json")
    inputs = {c.name: c.input for c in schema.columns}
    assert inputs["Adult Mortality"] == "Adult_Mortality"
    assert inputs["HIV/AIDS"] == "HIV_AIDS"
    rows = held_out(run).head(20)
    with Service(folder) as service:
        status, answer = call(
            f"{service.url}/predict", {"records": request_records(schema, rows)}, "POST"
        )
        bad = {**request_records(schema, rows.head(1))[0], "HIV/AIDS": "0.1%"}
        bad_status, refused = post(service, bad)
    assert status == 200
    own = predict(pipeline_of(run.project, run.run_id), schema.validate_frame(rows),
                  TaskType.REGRESSION)  # fmt: skip
    served = [p["prediction"] for p in answer["predictions"]]
    np.testing.assert_allclose(served, own.y_pred, rtol=1e-5)
    assert bad_status == 422
    assert refused["errors"] == [
        "records.0.HIV/AIDS: '0.1%' is not a number: send a JSON number, or text such as '1234.5'"
    ]
