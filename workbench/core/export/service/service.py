"""HTTP service for one model exported by ML Workbench: FastAPI + onnxruntime, nothing else.

Loads `model.onnx` and `schema.json` from this folder when it starts (override with the
MODEL_PATH and SCHEMA_PATH environment variables). Requests are checked against schema.json
before the model sees them, so a misspelled column, a text where a number belongs or a
forgotten column is an HTTP 422 naming the field instead of a silently wrong prediction.

Run it:  uvicorn service:app --port 8000     or     python -m service   (HOST, PORT variables)
Docs:    http://127.0.0.1:8000/docs
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import onnxruntime
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, create_model

HERE = Path(__file__).resolve().parent
MODEL_PATH = Path(os.environ.get("MODEL_PATH", HERE / "model.onnx"))
SCHEMA_PATH = Path(os.environ.get("SCHEMA_PATH", HERE / "schema.json"))
# A cap on one request's rows, so one huge body cannot exhaust the container's memory.
MAX_RECORDS = int(os.environ.get("MAX_RECORDS", "10000"))


def load_schema(path: Path) -> dict[str, Any]:
    schema = json.loads(path.read_text(encoding="utf-8"))
    if schema.get("format") != "workbench-model-schema" or schema.get("version") != 1:
        raise RuntimeError(f"{path} is not a version 1 workbench model schema")
    dates = [c["name"] for c in schema["columns"] if c["type"] not in ("float", "string", "bool")]
    if dates:
        raise RuntimeError(f"column {dates[0]!r} cannot be served: ONNX takes no dates")
    return schema


def field_type(column: dict[str, Any]) -> Any:
    """The pydantic type of one column: strict, so "3.5" is not taken for a number.

    Missing values are null where the training data had them; a model trained without missing
    values in a column refuses them (NaN included) rather than guessing.
    """
    nullable = bool(column["nullable"])
    if column["type"] == "float":
        base: Any = float
        field = Field(strict=True, allow_inf_nan=nullable)
    elif column["type"] == "bool":
        base, field = bool, Field(strict=True)
    else:
        # '' is what a missing text value becomes, so a non-nullable text column needs a value.
        base = str
        field = Field(strict=True) if nullable else Field(strict=True, min_length=1)
    annotated = Annotated[base | None, field] if nullable else Annotated[base, field]
    return Annotated[annotated, Field(alias=column["name"], description=_describe(column))]


def _describe(column: dict[str, Any]) -> str:
    text = f"{column['kind']} column, {column['type']}"
    if column.get("categories"):
        shown = ", ".join(map(str, column["categories"][:20]))
        text += f"; seen in training: {shown}"
    return text + ("; null when missing" if column["nullable"] else "; never null")


def record_model(schema: dict[str, Any]) -> type[BaseModel]:
    """One pydantic model per schema: every column required, unknown columns refused.

    Fields get positional Python names (c0, c1...) with the column name as alias, because
    column names such as 'Life expectancy ' are not Python identifiers.
    """
    fields = {f"c{i}": (field_type(c), ...) for i, c in enumerate(schema["columns"])}
    return create_model(  # type: ignore[call-overload]
        "Record", __config__=ConfigDict(extra="forbid"), **fields
    )


SCHEMA = load_schema(SCHEMA_PATH)
COLUMNS: list[dict[str, Any]] = SCHEMA["columns"]
CLASSES: list[Any] | None = SCHEMA["classes"] if SCHEMA["task"] != "regression" else None
Record = record_model(SCHEMA)


class PredictRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    records: list[Record] = Field(min_length=1, max_length=MAX_RECORDS)  # type: ignore[valid-type]


class Prediction(BaseModel):
    prediction: Any = Field(description="the predicted class label, or the predicted value")
    probabilities: dict[str, float] | None = Field(
        default=None, description="probability of each class, by class name (classifiers)"
    )


class PredictResponse(BaseModel):
    run_id: str
    task: str
    predictions: list[Prediction]


def make_session(path: Path) -> onnxruntime.InferenceSession:
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    expected = {c["input"] for c in COLUMNS}
    actual = {node.name for node in session.get_inputs()}
    if expected != actual:
        raise RuntimeError(f"{path} does not take the inputs schema.json lists: {sorted(actual)}")
    return session


SESSION = make_session(MODEL_PATH)
OUTPUTS: list[str] = list(SCHEMA["outputs"].values())


def feeds(rows: Sequence[dict[str, Any]]) -> dict[str, np.ndarray]:
    """Column arrays of shape [N, 1]: float32 (NaN = missing, bools as 0/1) or text ('')."""
    result: dict[str, np.ndarray] = {}
    for column in COLUMNS:
        values = [row[column["name"]] for row in rows]
        if column["type"] == "string":
            array = np.array(["" if v is None else v for v in values], dtype=object)
        else:
            array = np.array([np.nan if v is None else float(v) for v in values], np.float32)
        result[column["input"]] = array.reshape(-1, 1)
    return result


def predict_rows(rows: Sequence[dict[str, Any]]) -> list[Prediction]:
    outputs = SESSION.run(OUTPUTS, feeds(rows))
    if CLASSES is None:
        return [Prediction(prediction=float(v)) for v in np.asarray(outputs[0]).reshape(-1)]
    labels, probabilities = np.asarray(outputs[0]).reshape(-1).tolist(), np.asarray(outputs[1])
    names = [str(c) for c in CLASSES]
    return [
        Prediction(prediction=label, probabilities=dict(zip(names, map(float, p), strict=True)))
        for label, p in zip(labels, probabilities, strict=True)
    ]


app = FastAPI(
    title=f"Model {SCHEMA['run_id']}: predicts {SCHEMA['target']}",
    description=f"A {SCHEMA['task']} model exported by ML Workbench {SCHEMA['workbench_version']}"
    f" (training data sha256 {SCHEMA['dataset_sha256'][:12]}). See /schema for the columns.",
    version=SCHEMA["run_id"],
)


@app.exception_handler(RequestValidationError)
async def explain_422(request: Request, error: RequestValidationError) -> JSONResponse:
    """FastAPI's error list, plus one readable line per problem naming the record and field."""
    details = [
        {key: value for key, value in item.items() if key != "ctx"} for item in error.errors()
    ]
    lines = []
    for item in details:
        where = [str(part) for part in item["loc"] if part != "body"]
        lines.append(f"{'.'.join(where) or 'body'}: {item['msg']}")
    return JSONResponse(status_code=422, content={"detail": details, "errors": lines})


@app.get("/health")
def health() -> dict[str, Any]:
    return {"status": "ok", "run_id": SCHEMA["run_id"], "task": SCHEMA["task"]}


@app.get("/schema")
def schema() -> dict[str, Any]:
    """The columns a record must have, their types, and the model's classes."""
    return SCHEMA


@app.post("/predict", response_model=PredictResponse, response_model_exclude_none=True)
def predict(request: PredictRequest) -> PredictResponse:
    rows = [record.model_dump(by_alias=True) for record in request.records]
    return PredictResponse(
        run_id=SCHEMA["run_id"], task=SCHEMA["task"], predictions=predict_rows(rows)
    )


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(
        app, host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8000"))
    )
