"""A model with a date column, served: dates cross as ISO 8601 text, in the forms the model's
schema declares, and the service refuses the others with a 422 naming the record and column.

penguins-raw's 'Date Egg' reaches the model through the default date parts (year, month, day,
weekday), computed inside the ONNX graph from the text.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _serve_runs import Service, exported_bundle

from workbench.core.export.docker_bundle import example_rows, request_records
from workbench.core.export.feature_schema import FeatureSchema
from workbench.core.kinds import TaskType
from workbench.core.runs.loaded import LoadedRun
from workbench.core.steps.patterns import ISO_DATE
from workbench.core.train.fit import predict

pytestmark = pytest.mark.shared_data
DATE = "Date Egg"


def test_dates_are_served_as_iso_text(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    run, folder = exported_bundle("penguins_raw", shared_data, tmp_path_factory)
    schema = FeatureSchema.load(folder / "schema.json")
    column = next(c for c in schema.columns if c.name == DATE)
    assert (column.type, column.pattern) == ("datetime", ISO_DATE.re2)
    example = json.loads((folder / "example_request.json").read_text(encoding="utf-8"))
    assert example["records"][0][DATE] == "2007-11-09T00:00:00"  # the first held-out row's

    with LoadedRun.open(run.project, run.run_id) as loaded:
        rows = example_rows(loaded, count=6)
    records = request_records(schema, rows)
    # Every form the pattern allows; the wall-clock time is what counts.
    for record, text in zip(
        records,
        ["2007-11-11", "2007-11-11 08:30", "2008-11-09T23:59:59.5", "2009-11-25T00:00Z"],
        strict=False,
    ):
        record[DATE] = text
    with Service(folder) as service:
        status, answer = service.post("/predict", {"records": records})
        assert status == 200, answer
        as_read = pd.DataFrame(records)
        as_read[DATE] = pd.to_datetime(as_read[DATE].str.removesuffix("Z"), format="ISO8601")
        with LoadedRun.open(run.project, run.run_id) as loaded:
            pipeline = loaded.pipeline
        own = predict(pipeline, schema.validate_frame(as_read), TaskType(schema.task))
        names = [str(c) for c in schema.classes]
        proba = np.array([[p["probabilities"][c] for c in names] for p in answer["predictions"]])
        np.testing.assert_allclose(proba, own.proba, atol=1e-5)

        for bad, reason in [
            ("2007-02-30", "day is out of range for month"),
            ("11/11/2007", "should match pattern"),
            ("2007-11-11T25:00", "should match pattern"),
        ]:
            status, answer = service.post("/predict", {"records": [{**records[0], DATE: bad}]})
            assert status == 422, answer
            (line,) = answer["errors"]
            assert line.startswith(f"records.0.{DATE}: ") and reason in line, line
