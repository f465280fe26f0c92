"""The handoff contract on shared files: the exported model takes exactly the columns its chain
reads, and reads a caller's raw values as import read the training file.

- horse-colic: the profile finds a leak (`column_24`, the lesion site, for the surgical lesion
  `column_23`) and an identifier (`column_2`, the hospital number). A chain dropping both
  exports an ONNX model, schema and service that do not mention them; a request without them
  is answered, one with them (and a stray field) too, listing them as ignored.
- adult: raw rows hold spaces (`", "` separators) and `?` for missing. Fed as they appear in
  the file, the ONNX model and the service give what `workbench predict` gives for the file.
"""

from __future__ import annotations

import csv
import json
import re
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime
import pandas as pd
import pytest
from _projects import SMALL
from _serve_runs import Service

from workbench.core.dataset import import_table
from workbench.core.export.export_run import ExportRequest, export_run
from workbench.core.export.feature_schema import FeatureSchema
from workbench.core.export.onnx_convert import convert_pipeline
from workbench.core.export.predict import predict_file
from workbench.core.export.raw_input import RawInput
from workbench.core.kinds import ColumnRole
from workbench.core.profile.compute import profile_frame
from workbench.core.project import create_project
from workbench.core.runs.loaded import LoadedRun
from workbench.core.specs import ChainSpec, ModelSpec, SplitSpec, StepSpec, TrainSpec
from workbench.core.train.runner import run_training

pytestmark = pytest.mark.shared_data

LEAK, IDENTIFIER, TARGET = "column_24", "column_2", "column_23"
ADULT_ROWS = 1500


@dataclass(frozen=True)
class Handoff:
    """A trained run, its export folder (model.onnx, schema.json, README.md, card, docker/)
    and the raw file it was trained on."""

    project: Path
    run_id: str
    folder: Path
    source: Path
    schema: FeatureSchema


def _handoff(
    folder: Path,
    source: Path,
    target: str,
    model: str,
    chain: Sequence[StepSpec] = (),
    features: Sequence[str] = (),
) -> Handoff:
    project = create_project(folder / "project")
    project.attach_dataset(import_table(project.root, source, target=target))
    for column in features:
        project.set_role(column, ColumnRole.FEATURE)
    project.set_chain(ChainSpec(tuple(chain)))
    project.save()
    spec = TrainSpec(
        models=(ModelSpec(model, SMALL.get(model, {})),),
        split=SplitSpec("holdout", validation_fraction=0.25, test_fraction=0.2),
        n_jobs=1,
        include_baseline=False,
    )
    (result,) = run_training(project.root, spec)
    assert result.status == "finished", result.message
    out = folder / "export"
    request = ExportRequest(onnx=out / "model.onnx", docker=out / "docker")
    exported = export_run(project.root, result.run_id, request)
    assert exported.parity is not None and exported.parity.passed, exported.parity
    schema = FeatureSchema.load(out / "schema.json")
    return Handoff(project.root, result.run_id, out, source, schema)


@pytest.fixture(scope="module")
def horse(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Handoff:
    chain = [StepSpec("drop_columns", (IDENTIFIER, LEAK))]
    return _handoff(
        tmp_path_factory.mktemp("horse"),
        shared_data / "clean" / "horse-colic.csv",
        TARGET,
        "logistic_regression",
        chain,
        features=(IDENTIFIER,),
    )


@pytest.fixture(scope="module")
def adult(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Handoff:
    folder = tmp_path_factory.mktemp("adult")
    lines = (shared_data / "clean" / "adult-train.csv").read_text(encoding="utf-8").splitlines()
    source = folder / "adult.csv"
    source.write_text("\n".join(lines[:ADULT_ROWS]) + "\n", encoding="utf-8")
    return _handoff(folder, source, "column_14", "random_forest_classifier")


def raw_rows(handoff: Handoff) -> list[dict[str, str]]:
    """The file's rows as they are written in it (no header: column_0, column_1...)."""
    with handoff.source.open(newline="", encoding="utf-8") as file:
        rows = [row for row in csv.reader(file) if row]
    return [{f"column_{i}": value for i, value in enumerate(row)} for row in rows]


def workbench_predictions(handoff: Handoff, tmp_path: Path) -> pd.DataFrame:
    """`workbench predict` of the raw file with the run's fitted pipeline."""
    out = tmp_path / "predicted.csv"
    with LoadedRun.open(handoff.project, handoff.run_id) as run:
        predict_file(run, handoff.source, out)
    return pd.read_csv(out)


def onnx_feeds(schema: FeatureSchema, rows: list[dict[str, str]]) -> dict[str, np.ndarray]:
    """Raw rows as the schema says the ONNX model takes them: text as it is in the file; a
    number input float32, NaN where the text is one schema.json's raw_input reads as missing."""
    raw = schema.raw_input.to_dict()
    missing, number = re.compile(raw["missing_pattern"]), re.compile(raw["number_pattern"])
    feeds = {}
    for column in schema.columns:
        values = [row[column.name] for row in rows]
        if column.type == "string":
            feeds[column.input] = np.array(values, dtype=object).reshape(-1, 1)
            continue
        assert column.type == "float"
        assert all(missing.fullmatch(v) or number.fullmatch(v) for v in values)
        numbers = [np.nan if missing.fullmatch(v) else float(v) for v in values]
        feeds[column.input] = np.array(numbers, dtype=np.float32).reshape(-1, 1)
    return feeds


def served_probabilities(answer: dict[str, Any], classes: Sequence[Any]) -> np.ndarray:
    names = [str(c) for c in classes]
    return np.array([[p["probabilities"][c] for c in names] for p in answer["predictions"]])


# --- the columns the chain reads -----------------------------------------------------------------


def test_the_profile_flags_the_leak_and_the_identifier(horse: Handoff) -> None:
    with LoadedRun.open(horse.project, horse.run_id) as run:
        profile = profile_frame(run.frame, target=TARGET)
        assert list(run.features).count(IDENTIFIER) == 1 and LEAK in run.features
        assert IDENTIFIER not in run.inputs and LEAK not in run.inputs
        assert len(run.inputs) == len(run.features) - 2 == 25
    found = {(alert.kind, tuple(alert.columns)) for alert in profile.alerts}
    assert ("target_leakage", (LEAK, TARGET)) in found
    assert ("identifier", (IDENTIFIER,)) in found


def test_dropped_columns_are_in_no_exported_contract(horse: Handoff) -> None:
    names = horse.schema.names
    assert len(names) == 25 and IDENTIFIER not in names and LEAK not in names
    proto = onnx.load(horse.folder / "model.onnx")
    assert [node.name for node in proto.graph.input] == [c.input for c in horse.schema.columns]
    metadata = {prop.key: prop.value for prop in proto.metadata_props}
    texts = [
        metadata["workbench.schema"],
        (horse.folder / "schema.json").read_text(encoding="utf-8"),
        (horse.folder / "docker" / "schema.json").read_text(encoding="utf-8"),
        (horse.folder / "docker" / "example_request.json").read_text(encoding="utf-8"),
        (horse.folder / "README.md").read_text(encoding="utf-8"),
        (horse.folder / "docker" / "README.md").read_text(encoding="utf-8"),
    ]
    for text in texts:
        assert f'"{IDENTIFIER}"' not in text and f"`{IDENTIFIER}`" not in text
        assert f'"{LEAK}"' not in text and f"`{LEAK}`" not in text
    card = (horse.folder / "model_card.md").read_text(encoding="utf-8")
    send = card.split("## What to send")[1].split("## Preprocessing chain")[0]
    assert f"`{LEAK}`" not in send and f"`{IDENTIFIER}`" not in send
    assert send.count("\n| `column_") == 25
    assert f"- dropped by the chain, not taken by the model: `{IDENTIFIER}`, `{LEAK}`" in card


def test_the_onnx_folder_readme_names_schema_json_the_contract(horse: Handoff) -> None:
    readme = (horse.folder / "README.md").read_text(encoding="utf-8")
    assert "`schema.json` is the caller's contract" in readme
    assert "some runtimes' bindings (onnxruntime-node) cannot read ONNX metadata" in readme
    assert "| `column_0` | `column_0` | number (float32) | yes (NaN) |  |" in readme
    for name in ("model.onnx", "schema.json", "model_card.md", "README.md"):
        assert f"| `{name}` |" in readme


def test_the_service_answers_without_the_dropped_columns_and_ignores_extra_ones(
    horse: Handoff, tmp_path: Path
) -> None:
    rows = raw_rows(horse)[:40]
    taken = [{name: row[name] for name in horse.schema.names} for row in rows]
    expected = workbench_predictions(horse, tmp_path).head(40)
    classes = horse.schema.classes or ()
    with Service(horse.folder / "docker") as service:
        openapi = json.loads(urllib.request.urlopen(f"{service.url}/openapi.json").read())
        status, without = service.post("/predict", {"records": taken})
        extra = [{**row, "colour": "bay"} for row in rows]  # every column of the file, and one
        extra_status, with_extra = service.post("/predict", {"records": extra})
    properties = openapi["components"]["schemas"]["Record"]["properties"]
    assert list(properties) == horse.schema.names
    assert (status, without["ignored_columns"]) == (200, [])
    assert extra_status == 200
    assert with_extra["ignored_columns"] == [IDENTIFIER, TARGET, LEAK, "colour"]
    assert with_extra["predictions"] == without["predictions"]
    # Raw text of the file ('?' for missing, numbers as text) reads as `workbench predict` reads
    # the file: the same probabilities.
    proba = served_probabilities(without, classes)
    columns = [f"proba_{c}" for c in classes]
    np.testing.assert_allclose(proba, expected[columns].to_numpy(), atol=1e-5)
    assert sum(row["column_3"] == "?" for row in rows) > 0  # missing values were in the rows


def test_workbench_predict_ignores_the_dropped_columns_and_says_so(
    horse: Handoff, tmp_path: Path
) -> None:
    frame = pd.read_csv(horse.source, header=None, dtype=str, keep_default_na=False)
    frame.columns = [f"column_{i}" for i in range(frame.shape[1])]
    without = tmp_path / "without.csv"
    frame.drop(columns=[IDENTIFIER, LEAK, TARGET]).to_csv(without, index=False)
    with LoadedRun.open(horse.project, horse.run_id) as run:
        full = predict_file(run, horse.source, tmp_path / "full.csv")
        short = predict_file(run, without, tmp_path / "short.csv")
    assert full.ignored == [IDENTIFIER, TARGET, LEAK]
    assert full.notes() == [
        f"ignored 3 column(s) the model does not take: '{IDENTIFIER}', '{TARGET}', '{LEAK}'"
    ]
    assert short.ignored == [] and short.notes() == []
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "full.csv"), pd.read_csv(tmp_path / "short.csv")
    )


# --- raw values read as import read them -------------------------------------------------------


def test_raw_rows_give_the_onnx_model_what_workbench_predict_gives(
    adult: Handoff, tmp_path: Path
) -> None:
    rows = raw_rows(adult)
    assert len(rows) == ADULT_ROWS
    assert rows[0]["column_1"] == " State-gov"  # the file's spaces
    assert sum(row["column_13"] == " ?" for row in rows) == 29  # its NA token, spaces around
    expected = workbench_predictions(adult, tmp_path)
    classes = adult.schema.classes or ()
    session = onnxruntime.InferenceSession(str(adult.folder / "model.onnx"))
    label, proba = session.run(None, onnx_feeds(adult.schema, rows))
    np.testing.assert_allclose(proba, expected[[f"proba_{c}" for c in classes]], atol=1e-5)
    assert label.ravel().tolist() == expected["prediction"].tolist()
    # Without the raw reading (a model that takes text as it comes), most rows would differ:
    # ' State-gov' is no category the model knows.
    with LoadedRun.open(adult.project, adult.run_id) as run:
        bare = replace(adult.schema, raw_input=RawInput())
        model = convert_pipeline(run.pipeline, bare).SerializeToString()
    unread = onnxruntime.InferenceSession(model).run(None, onnx_feeds(adult.schema, rows))[1]
    assert (np.abs(unread - proba).max(axis=1) > 1e-3).mean() > 0.5


def test_raw_rows_give_the_service_what_workbench_predict_gives(
    adult: Handoff, tmp_path: Path
) -> None:
    rows = raw_rows(adult)[:300]
    expected = workbench_predictions(adult, tmp_path).head(300)
    classes = adult.schema.classes or ()
    with Service(adult.folder / "docker") as service:
        status, answer = service.post(
            "/predict", {"records": rows}
        )  # every value as the file's text
        unseen_status, unseen = service.post(
            "/predict", {"records": [{**rows[0], "column_1": " Astronaut"}] * 2}
        )
    assert status == 200, answer
    np.testing.assert_allclose(
        served_probabilities(answer, classes),
        expected[[f"proba_{c}" for c in classes]].to_numpy(),
        atol=1e-5,
    )
    assert [p["prediction"] for p in answer["predictions"]] == expected["prediction"].tolist()
    assert answer["ignored_columns"] == ["column_14"] and answer["unseen"] == {}
    assert unseen_status == 200 and unseen["unseen"] == {"column_1": 2}


def test_the_schema_states_the_missing_form_and_the_raw_reading(adult: Handoff) -> None:
    data = json.loads((adult.folder / "schema.json").read_text(encoding="utf-8"))
    forms = {c["name"]: (c["type"], c["missing"]) for c in data["columns"]}
    assert forms["column_0"] == ("float", "NaN") and forms["column_1"] == ("string", "")
    raw = data["raw_input"]
    assert raw["strip_whitespace"] is True and "?" in raw["na_tokens"]
    missing = re.compile(raw["missing_pattern"])
    assert [bool(missing.fullmatch(t)) for t in (" ?", "", "  ", "NA", "?x", "Never-worked")] == [
        True, True, True, True, False, False,
    ]  # fmt: skip
    number = re.compile(raw["number_pattern"])
    assert [bool(number.fullmatch(t)) for t in (" 39", "-1.5", "1,000", "1e5", "3x")] == [
        True, True, False, False, False,
    ]  # fmt: skip
