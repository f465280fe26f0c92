"""HTTP service for one model exported by ML Workbench: FastAPI + onnxruntime, nothing else.

Loads `model.onnx` and `schema.json` from this folder when it starts (override with the
MODEL_PATH and SCHEMA_PATH environment variables). Requests are checked against schema.json
before the model sees them, so a text where a number belongs or a forgotten column is an HTTP
422 naming the field instead of a silently wrong prediction. A column the model does not take
(a key, the target, a column the chain dropped) is ignored and listed in the answer's
`ignored_columns`.

Values are read as the workbench read the training file (schema.json's `raw_input`): spaces
around text are stripped, a text that is blank or an NA token (`?`, `NA`...) is missing, and a
number or true/false may come as text written as in the file (`"1,234.5"`, `" 39"`, `"TRUE"`).
So a record made of a file's raw values predicts what `workbench predict` predicts for that
file. Text values the training data never had are counted per column in the answer's `unseen`:
the model predicts them as its chain treats an unseen category.

`POST /drift` checks a batch of the same records against the run's monitor reference
(`monitor_reference.json`, the training rows' distributions and the out-of-fold predictions'):
validation against the training schema, drift per column, and drift of this model's predictions
for the batch, with the thresholds of `drift_options.json`; when the records hold the target,
the run's metrics on them beside its validation folds and test set (`performance_reference.json`,
the run's side, computed at export). The checks are the workbench's own code, the
`batch_checks/` package beside this file, so the answer is the report `workbench monitor --json`
prints for the same rows.

Nothing a client sends makes it answer 500: every request it cannot answer gets a 4xx with the
same JSON body (`ErrorResponse`), and /openapi.json declares each status with that body:
- 400: the body cannot be read as JSON text (not UTF-8, nested too deeply, a number too long);
- 413: the body is larger than MAX_BODY_BYTES (default 10 MiB);
- 415: the Content-Type is not application/json;
- 422: the JSON does not fit schema.json: a missing column, a wrong type (a text that is not
  a number), NaN or Infinity (not JSON), a number outside float32's finite range (the
  model's input type: it would reach the model as Infinity), a date that is not ISO 8601 text
  the model reads (2007-11-11, 2007-11-11T08:30:00; the column's `pattern`) or not a day of
  the calendar, or a record the model answers with a non-finite number (its values are too
  extreme for the model's float32 arithmetic).

Run it:  uvicorn service:app --port 8000     or     python -m service   (HOST, PORT variables)
Docs:    http://127.0.0.1:8000/docs
"""

from __future__ import annotations

import datetime
import json
import math
import os
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import onnxruntime
from batch_checks.batch import BatchCheck
from batch_checks.measures import output_columns
from batch_checks.performance import FORMAT as PERFORMANCE_FORMAT
from batch_checks.performance import VERSION as PERFORMANCE_VERSION
from batch_checks.performance import check_performance, target_kind
from batch_checks.values import category_key, list_values
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    create_model,
)


def positive_int(name: str, default: int) -> int:
    """An environment variable holding a positive whole number; startup fails naming it if not."""
    text = os.environ.get(name, str(default))
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise RuntimeError(f"{name}={text!r} is not a positive whole number")
    return value


HERE = Path(__file__).resolve().parent
MODEL_PATH = Path(os.environ.get("MODEL_PATH", HERE / "model.onnx"))
SCHEMA_PATH = Path(os.environ.get("SCHEMA_PATH", HERE / "schema.json"))
REFERENCE_PATH = Path(os.environ.get("REFERENCE_PATH", HERE / "monitor_reference.json"))
DRIFT_OPTIONS_PATH = Path(os.environ.get("DRIFT_OPTIONS_PATH", HERE / "drift_options.json"))
PERFORMANCE_PATH = Path(os.environ.get("PERFORMANCE_PATH", HERE / "performance_reference.json"))
# Caps on one request, so one huge body cannot exhaust the container's memory: its rows, and
# its size in bytes (checked while it arrives, before it is parsed).
MAX_RECORDS = positive_int("MAX_RECORDS", 10_000)
MAX_BODY_BYTES = positive_int("MAX_BODY_BYTES", 10 * 1024 * 1024)
# The model takes numbers as float32: anything beyond this would reach it as Infinity.
FLOAT32_MAX = float(np.finfo(np.float32).max)


def load_schema(path: Path) -> dict[str, Any]:
    schema = json.loads(path.read_text(encoding="utf-8"))
    if schema.get("format") != "workbench-model-schema" or schema.get("version") != 1:
        raise RuntimeError(f"{path} is not a version 1 workbench model schema")
    types = ("float", "string", "bool", "datetime")
    unknown = [c["name"] for c in schema["columns"] if c["type"] not in types]
    if unknown:
        raise RuntimeError(f"column {unknown[0]!r} has a type this service does not know")
    return schema


def load_reference(path: Path, run_id: str) -> dict[str, Any]:
    """The run's monitor reference; startup fails naming the file if it is not this run's."""
    reference = json.loads(path.read_text(encoding="utf-8"))
    if reference.get("format") != "workbench-monitor-reference" or reference.get("version") != 1:
        raise RuntimeError(f"{path} is not a version 1 workbench monitor reference")
    if reference.get("run_id") != run_id:
        raise RuntimeError(
            f"{path} is the reference of run {reference.get('run_id')!r}, not of this model's "
            f"run {run_id!r}"
        )
    return reference


def load_performance(path: Path, run_id: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """The run's side of scoring labelled records; startup fails naming the file if it is not
    this run's, or if its intervals are not at drift_options.json's `interval_level` (they were
    computed at export, with scipy, which this service has not)."""
    performance = json.loads(path.read_text(encoding="utf-8"))
    if performance.get("format") != PERFORMANCE_FORMAT or performance.get("version") != (
        PERFORMANCE_VERSION
    ):
        raise RuntimeError(f"{path} is not a version 1 workbench performance reference")
    if performance.get("run_id") != run_id:
        raise RuntimeError(
            f"{path} is the performance reference of run {performance.get('run_id')!r}, not of "
            f"this model's run {run_id!r}"
        )
    keys = {"name", "label", "validation_mean", "validation_std", "low", "high", "test"}
    for i, entry in enumerate(performance.get("metrics") or [None]):
        if not isinstance(entry, dict) or not keys | {"higher_is_better"} <= set(entry):
            raise RuntimeError(f"{path}: metrics[{i}] is not a metric's reference")
    if performance.get("level") != options.get("interval_level"):
        raise RuntimeError(
            f"{path} holds the intervals at level {performance.get('level')!r}, but the "
            f"interval_level of the thresholds is {options.get('interval_level')!r}: the "
            "intervals are computed when the model is exported, so keep interval_level at "
            f"{performance.get('level')!r}"
        )
    return performance


def calendar_day(text: str) -> str:
    """An ISO 8601 date (already of the column's pattern) that is a real day: 2021-02-30 is
    refused here rather than reaching the model as a missing date."""
    datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))  # ValueError: pydantic's 422
    return text


class RawInput:
    """How the training file's values were read (schema.json's `raw_input`; a schema without
    it reads only "" as missing text and takes numbers and true/false as JSON values only)."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.strip = bool(raw.get("strip_whitespace", False))
        self.decimal = str(raw.get("decimal") or ".")
        self.thousands = raw.get("thousands") or None
        self.missing = str(raw.get("missing_pattern", ""))
        self.number = raw.get("number_pattern")
        self.flag = raw.get("flag_pattern")

    def is_missing(self, text: str) -> bool:
        return re.fullmatch(self.missing, text) is not None

    def number_value(self, text: str) -> float:
        bare = text.strip()
        if self.thousands:
            bare = bare.replace(self.thousands, "")
        return float(bare.replace(self.decimal, "."))


def raw_reader(column: dict[str, Any], raw: RawInput) -> Callable[[Any], Any]:
    """The reading of one column's text values before they are validated: missing texts as
    null, numbers and true/false written as text as their values, text stripped as at import.
    Non-text values pass unchanged (a JSON number, true, null)."""
    kind, nullable = column["type"], column["nullable"]

    def read(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate ("\ud800", a valid JSON escape)
                shown = json_safe(value)
                message = f"Input should be Unicode text; {shown} holds a lone surrogate"
                raise ValueError(message) from None
        if raw.is_missing(value):
            if nullable:
                return None
            raise ValueError(
                f"{value!r} is read as a missing value, and the model was trained without "
                "missing values in this column"
            )
        if kind == "float":
            if raw.number and re.fullmatch(raw.number, value):
                return raw.number_value(value)
            raise ValueError(
                f"{value!r} is not a number: send a JSON number, or text such as "
                f"'1234{raw.decimal}5'"
            )
        if kind == "bool":
            if raw.flag and re.fullmatch(raw.flag, value):
                return value.strip().lower() == "true"
            raise ValueError(f"{value!r} is not true or false")
        if kind == "datetime":
            return value  # ISO 8601 exactly, as the column's pattern says
        return value.strip() if raw.strip else value

    return read


def field_type(column: dict[str, Any], raw: RawInput) -> Any:
    """The pydantic type of one column: strict once its text is read (`raw_reader`), so a
    number comes as a JSON number or as text written like the training file's numbers.

    Missing values are null (or a text read as missing) where the training data had them; a
    model trained without missing values in a column refuses them rather than guessing. NaN
    and Infinity are refused everywhere: they are not JSON, and null already says "missing".
    The OpenAPI document declares exactly the values taken (`accepted`).
    """
    value: Any
    if column["type"] == "float":
        value = Annotated[
            float, Field(strict=True, allow_inf_nan=False, ge=-FLOAT32_MAX, le=FLOAT32_MAX)
        ]
    elif column["type"] == "bool":
        value = Annotated[bool, Field(strict=True)]
    elif column["type"] == "datetime":
        # Dates cross as ISO 8601 text, which the model parses; its pattern says which forms.
        value = Annotated[
            str,
            Field(strict=True, pattern=f"^(?:{column['pattern']})$"),
            AfterValidator(calendar_day),
        ]
    else:
        # A lone surrogate ("\ud800", a valid JSON escape) has no UTF-8 form for onnxruntime:
        # pydantic refuses it (string_unicode).
        value = Annotated[str, Field(strict=True)]
    if column["nullable"]:
        value = value | None
    return Annotated[
        value,
        BeforeValidator(raw_reader(column, raw), json_schema_input_type=accepted(column, raw)),
        Field(alias=column["name"], description=_describe(column, raw)),
    ]


def accepted(column: dict[str, Any], raw: RawInput) -> Any:
    """The values a column takes, as /openapi.json declares them (JSON Schema patterns are
    not anchored: each is wrapped in ^(?:...)$)."""
    missing = f"^(?:{raw.missing})$"
    texts: list[str] = []
    if column["type"] == "float":
        plain: Any = Annotated[float, Field(ge=-FLOAT32_MAX, le=FLOAT32_MAX)]
        texts = [raw.number] if raw.number else []
    elif column["type"] == "bool":
        plain = bool
        texts = [raw.flag] if raw.flag else []
    elif column["type"] == "datetime":
        plain = None
        texts = [column["pattern"]]
    else:
        # Any text but one read as missing (JSON Schema's `not`; pydantic has no such type).
        text_schema: dict[str, Any] = {"type": "string"}
        if not column["nullable"]:
            text_schema["not"] = {"pattern": missing}
        plain = Annotated[str, WithJsonSchema(text_schema)]
    if column["nullable"] and column["type"] != "string":
        texts.append(raw.missing)
    choices = [plain] if plain is not None else []
    if texts:
        pattern = "^(?:" + "|".join(f"(?:{text})" for text in texts) + ")$"
        choices.append(Annotated[str, WithJsonSchema({"type": "string", "pattern": pattern})])
    if column["nullable"]:
        choices.append(None)
    union: Any = choices[0]
    for choice in choices[1:]:
        union = union | choice
    return union


def _describe(column: dict[str, Any], raw: RawInput) -> str:
    text = f"{column['kind']} column, {column['type']}"
    if column.get("categories"):
        shown = ", ".join(map(str, column["categories"][:20]))
        text += f"; seen in training: {shown}"
    if column["type"] == "float":
        text += f"; a JSON number, or text with the decimal mark '{raw.decimal}'"
        text += f" and thousands mark '{raw.thousands}'" if raw.thousands else ""
    elif column["type"] == "bool":
        text += "; true/false, also as text in any case"
    elif raw.strip:
        text += "; spaces around the text are ignored"
    missing = "null, or blank text or an NA token of schema.json's raw_input"
    return text + (f"; missing: {missing}" if column["nullable"] else "; never missing")


def record_model(schema: dict[str, Any]) -> type[BaseModel]:
    """One pydantic model per schema: every column required, other columns kept aside (they
    are ignored, and the answer lists them).

    Fields get positional Python names (c0, c1...) with the column name as alias, because
    column names such as 'Life expectancy ' are not Python identifiers.
    """
    raw = RawInput(schema.get("raw_input") or {})
    fields = {f"c{i}": (field_type(c, raw), ...) for i, c in enumerate(schema["columns"])}
    return create_model(  # type: ignore[call-overload]
        "Record", __config__=ConfigDict(extra="allow"), **fields
    )


def onnx_label(value: Any) -> Any:
    """A class as the ONNX `label` output gives it: int64 for numeric and boolean classes, str
    for text ones (the form the service answers with)."""
    return value if isinstance(value, str) else int(value)


def prediction_model(schema: dict[str, Any]) -> type[BaseModel]:
    """The declared form of one prediction, so /openapi.json lists the classes by name."""
    if schema["task"] == "regression":
        return create_model(  # type: ignore[call-overload]
            "Prediction",
            prediction=(float, Field(description=f"the predicted value of {schema['target']}")),
        )
    names = [str(c) for c in schema["classes"]]
    probabilities = create_model(  # type: ignore[call-overload]
        "Probabilities",
        __config__=ConfigDict(extra="forbid"),
        **{f"p{i}": (float, Field(alias=name)) for i, name in enumerate(names)},
    )
    labels = tuple(onnx_label(c) for c in schema["classes"])
    return create_model(  # type: ignore[call-overload]
        "Prediction",
        prediction=(Literal[labels], Field(description=f"the predicted {schema['target']}")),
        probabilities=(
            probabilities,
            Field(description="probability of each class, by class name; they sum to 1"),
        ),
    )


SCHEMA = load_schema(SCHEMA_PATH)
COLUMNS: list[dict[str, Any]] = SCHEMA["columns"]
COLUMN_BY_NAME = {c["name"]: c for c in COLUMNS}
CLASSES: list[Any] | None = SCHEMA["classes"] if SCHEMA["task"] != "regression" else None
Record = record_model(SCHEMA)
Prediction = prediction_model(SCHEMA)
REFERENCE = load_reference(REFERENCE_PATH, SCHEMA["run_id"])
DRIFT_OPTIONS: dict[str, Any] = json.loads(DRIFT_OPTIONS_PATH.read_text(encoding="utf-8"))
PERFORMANCE = load_performance(PERFORMANCE_PATH, SCHEMA["run_id"], DRIFT_OPTIONS)


class PredictRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    records: list[Record] = Field(min_length=1, max_length=MAX_RECORDS)  # type: ignore[valid-type]


class DriftRequest(PredictRequest):
    """A batch to check against the training data: the records /predict takes; the target
    column may be sent too, and the records holding it are scored."""


class PredictResponse(BaseModel):
    """The answer to POST /predict: one prediction per record, in the order sent."""

    run_id: str
    task: str
    predictions: list[Prediction]  # type: ignore[valid-type]
    ignored_columns: list[str] = Field(
        description="columns sent that the model does not take, in the order first sent: ignored"
    )
    unseen: dict[str, int] = Field(
        description="per text column, how many records hold a value the training data never "
        "had (predicted as the model treats an unseen category); columns with none are left out"
    )


class DriftResponse(BaseModel):
    """The answer to POST /drift: the report `workbench monitor --json` prints for the rows.

    When the records hold the target, it also has `metrics`: the labelled records' `rows`, the
    `folds`, the interval `level`, the run's `metric`, `degraded`, per metric its `batch`
    score beside the run's `validation_mean`, `validation_std`, interval (`low`, `high`) and
    `test` score with `worse`, and the metrics `skipped` with the reason."""

    model_config = ConfigDict(extra="allow")
    format: Literal["workbench-drift-report"]
    version: Literal[1]
    run_id: str
    rows: int = Field(description="the records checked")
    reference_rows: int = Field(description="the training rows the reference summarises")
    drifted: bool = Field(description="a column or the predictions drifted beyond the thresholds")
    options: dict[str, Any] = Field(description="the thresholds (drift_options.json)")
    tests: int = Field(description="tests judged together: each at alpha / tests")
    alpha_per_test: float
    columns: list[dict[str, Any]] = Field(
        description="per training column: test, statistic, p_value, psi, drifted, note, bins..."
    )
    prediction_drift: list[dict[str, Any]] = Field(
        description="the same for the model's outputs: prediction, proba_<class>"
    )
    validation: dict[str, Any] = Field(
        description="blocking, and the problems: unseen categories, values out of the training "
        "range, missing values, unknown columns; each with its count and example rows"
    )


class Health(BaseModel):
    status: Literal["ok"]
    run_id: str
    task: str


class ErrorItem(BaseModel):
    """One problem with a request: where (FastAPI's `loc`), what, and the value refused."""

    loc: list[str | int] = Field(description='e.g. ["body", "records", 0, "age"]')
    msg: str
    type: str = Field(description="pydantic's error type, or the service's own")
    input: Any = Field(default=None, description="the value refused, when it is one value")


class ErrorResponse(BaseModel):
    """Every 4xx body: the problems, and one readable line per problem naming where it is."""

    detail: list[ErrorItem]
    errors: list[str] = Field(description='e.g. "records.0.age: Input should be a valid number"')


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
        if column["type"] in ("string", "datetime"):
            array = np.array(["" if v is None else v for v in values], dtype=object)
        else:
            array = np.array([np.nan if v is None else float(v) for v in values], np.float32)
        result[column["input"]] = array.reshape(-1, 1)
    return result


def model_outputs(rows: Sequence[dict[str, Any]]) -> tuple[list[Any] | None, np.ndarray]:
    """The model's labels (None for a regressor) and its numbers (the predicted values, one
    column, or the probabilities, one column per class of CLASSES), or a 422 naming each
    record whose answer is not a finite number (JSON has no NaN, and a null where the schema
    promises a number would be a lie)."""
    outputs = SESSION.run(OUTPUTS, feeds(rows))
    numbers = np.asarray(outputs[0] if CLASSES is None else outputs[1], dtype=np.float64)
    numbers = numbers.reshape(len(rows), -1)
    refused = np.flatnonzero(~np.isfinite(numbers).all(axis=1))
    if refused.size:
        what = "prediction" if CLASSES is None else "probabilities"
        raise RequestValidationError(
            [
                {
                    "type": "non_finite_output",
                    "loc": ("body", "records", int(row)),
                    "msg": f"the model's {what} for this record came out as "
                    f"{', '.join(map(str, numbers[row].tolist()))}: its numbers are too far "
                    "outside the training data for the model's float32 arithmetic",
                }
                for row in refused
            ]
        )
    labels = None if CLASSES is None else np.asarray(outputs[0]).reshape(-1).tolist()
    return labels, numbers


def predict_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The answers of /predict, one per row."""
    labels, numbers = model_outputs(rows)
    if labels is None:
        return [{"prediction": float(v)} for v in numbers[:, 0]]
    names = [str(c) for c in CLASSES or []]
    return [
        {"prediction": label, "probabilities": dict(zip(names, p.tolist(), strict=True))}
        for label, p in zip(labels, numbers, strict=True)
    ]


# ---- errors -------------------------------------------------------------------------------


def json_safe(value: Any) -> Any:
    """`value` as JSON can carry it: NaN and Infinity as text, lone surrogates escaped."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def readable(error: Mapping[str, Any]) -> dict[str, Any]:
    """One FastAPI/pydantic error as an ErrorItem: JSON-safe, and said in the model's terms
    where pydantic's words would puzzle (a float32 bound printed as 39 digits, a NaN)."""
    kind, loc, message = str(error["type"]), list(error["loc"]), str(error["msg"])
    value = error.get("input")
    in_record = len(loc) == 4 and loc[1] == "records"
    column = COLUMN_BY_NAME.get(loc[-1]) if in_record and isinstance(loc[-1], str) else None
    is_float = column is not None and column["type"] == "float"
    if kind == "finite_number":
        nullable = column is not None and column["nullable"]
        missing = "send null for a missing value" if nullable else "the column needs a value"
        message = f"Input should be a finite number, not {json_safe(value)}: {missing}"
    elif is_float and (
        kind in ("less_than_equal", "greater_than_equal")
        or (kind == "float_type" and isinstance(value, int) and not isinstance(value, bool))
    ):
        message = (
            f"{value} is outside the range of float32, the model's input type "
            f"(-{FLOAT32_MAX:.7g} to {FLOAT32_MAX:.7g})"
        )
    elif kind == "value_error":
        message = message.removeprefix("Value error, ")  # the service's own sentence
    elif kind == "string_unicode":
        message = f"Input should be Unicode text; {json_safe(value)} holds a lone surrogate"
    elif kind == "json_invalid":
        reason = (error.get("ctx") or {}).get("error", "")
        message = f"JSON decode error: {reason} (character {loc[-1]})" if reason else message
    item: dict[str, Any] = {"loc": loc, "msg": message, "type": kind}
    if isinstance(value, str | int | float | bool) or (value is None and "input" in error):
        item["input"] = json_safe(value)
    return item


def error_content(items: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """An ErrorResponse body: the items, and a line per item ('records.0.age: ...')."""
    detail = list(items)
    lines = []
    for item in detail:
        where = [str(part) for part in item["loc"] if part != "body"]
        if item["type"] == "json_invalid":
            where = []
        lines.append(f"{'.'.join(where) or 'body'}: {item['msg']}")
    return {"detail": detail, "errors": lines}


def error_response(status: int, items: Iterable[Mapping[str, Any]]) -> JSONResponse:
    return JSONResponse(status_code=status, content=error_content(items))


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorResponse,
        "description": "The body cannot be read as JSON text (not UTF-8, nested too deeply).",
    },
    413: {
        "model": ErrorResponse,
        "description": f"The body is larger than MAX_BODY_BYTES ({MAX_BODY_BYTES} bytes).",
    },
    415: {"model": ErrorResponse, "description": "The Content-Type is not application/json."},
    422: {
        "model": ErrorResponse,
        "description": "A record does not fit the schema (each problem names the record and "
        "field), or the model's answer for a record is not a finite number.",
    },
}


Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class BodyGuard:
    """ASGI middleware in front of the routes that take a JSON body: a Content-Type other than
    application/json is a 415, and a body above `max_bytes` a 413, decided before the body is
    parsed (FastAPI would read any size, and echo a non-JSON body back in a 422 it cannot
    encode). The body is read here, counting, and handed on unchanged."""

    def __init__(self, app: Any, *, routes: set[tuple[str, str]], max_bytes: int) -> None:
        self.app = app
        self.routes = routes
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Behind a proxy (uvicorn --root-path), the path may start with the root path.
        path = scope.get("path", "").removeprefix(scope.get("root_path", ""))
        if scope["type"] != "http" or (scope["method"], path) not in self.routes:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        content_type = headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() != "application/json":
            shown = f"not {content_type!r}" if content_type else "and the request has none"
            item = {
                "loc": ["header", "content-type"],
                "msg": f"Content-Type should be application/json, {shown}",
                "type": "unsupported_media_type",
            }
            await error_response(415, [item])(scope, receive, send)
            return
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await error_response(413, [self.too_large(int(declared))])(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await error_response(413, [self.too_large(None)])(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        handed: list[bool] = []

        async def replay() -> dict[str, Any]:
            if not handed:
                handed.append(True)
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def too_large(self, size: int | None) -> dict[str, Any]:
        what = f"the body ({size} bytes)" if size is not None else "the body"
        return {
            "loc": ["body"],
            "msg": f"{what} is larger than MAX_BODY_BYTES ({self.max_bytes} bytes): send fewer "
            "records per request",
            "type": "body_too_large",
        }


# ---- the app ------------------------------------------------------------------------------

app = FastAPI(
    title=f"Model {SCHEMA['run_id']}: predicts {SCHEMA['target']}",
    description=f"A {SCHEMA['task']} model exported by ML Workbench {SCHEMA['workbench_version']}"
    f" (training data sha256 {SCHEMA['dataset_sha256'][:12]}). See /schema for the columns.",
    version=SCHEMA["run_id"],
)


@app.exception_handler(RequestValidationError)
async def explain_422(request: Request, error: RequestValidationError) -> JSONResponse:
    """FastAPI's error list, made JSON-safe, plus one readable line per problem naming the
    record and field."""
    return error_response(422, map(readable, error.errors()))


HTTP_ERRORS = {400: "body_unreadable", 404: "not_found", 405: "method_not_allowed"}


async def explain_http_error(request: Request, error: Exception) -> JSONResponse:
    """FastAPI's own 4xx in the ErrorResponse form: 400 when a JSON-typed body is not JSON
    text (saying why), 404 and 405 (keeping the Allow header)."""
    status = int(getattr(error, "status_code", 400))
    if status == 400:
        cause = f": {error.__cause__}" if error.__cause__ is not None else ""
        item = {"loc": ["body"], "msg": f"the body cannot be read as JSON{cause}"}
    else:
        what = f"{request.method} {request.url.path}: {getattr(error, 'detail', '')}"
        item = {"loc": ["path" if status == 404 else "method"], "msg": what}
    item["type"] = HTTP_ERRORS[status]
    response = error_response(status, [item])
    response.headers.update(getattr(error, "headers", None) or {})
    return response


for code in HTTP_ERRORS:
    app.add_exception_handler(code, explain_http_error)


@app.get("/health", response_model=Health)
def health() -> dict[str, Any]:
    return {"status": "ok", "run_id": SCHEMA["run_id"], "task": SCHEMA["task"]}


@app.get("/schema", response_model=dict[str, Any])
def schema() -> dict[str, Any]:
    """The columns a record must have, their types, and the model's classes."""
    return SCHEMA


@app.post("/predict", response_model=PredictResponse, responses=ERROR_RESPONSES)
def predict(request: PredictRequest) -> dict[str, Any]:
    rows = [
        {column["name"]: getattr(record, f"c{i}") for i, column in enumerate(COLUMNS)}
        for record in request.records
    ]
    ignored = {name: None for record in request.records for name in record.model_extra or {}}
    return {
        "run_id": SCHEMA["run_id"],
        "task": SCHEMA["task"],
        "predictions": predict_rows(rows),
        "ignored_columns": list(ignored),
        "unseen": unseen_values(rows),
    }


@app.post("/drift", response_model=DriftResponse, responses=ERROR_RESPONSES)
def drift(request: DriftRequest) -> dict[str, Any]:
    """Check the records against the training data: validation, drift per column, drift of the
    model's predictions (the thresholds of drift_options.json), and, when they hold the
    target, the run's metrics on them."""
    rows = [
        {column["name"]: getattr(record, f"c{i}") for i, column in enumerate(COLUMNS)}
        for record in request.records
    ]
    extra = {name: None for record in request.records for name in record.model_extra or {}}
    values = {name: [row[name] for row in rows] for name in COLUMN_BY_NAME}
    values.update(
        (name, [(record.model_extra or {}).get(name) for record in request.records])
        for name in extra
    )
    predicted, proba = reference_predictions(rows)
    outputs = output_columns(
        REFERENCE["task"], REFERENCE["classes"], REFERENCE["positive"], predicted, proba
    )
    check = BatchCheck(REFERENCE, [*values], DRIFT_OPTIONS, outputs)
    check.add(
        len(rows),
        {name: list_values(values[name], kind) for name, kind in check.kinds.items()},
        {
            name: list_values(outputs[name].tolist(), kind)
            for name, kind in check.output_kinds.items()
        },
    )
    target = REFERENCE["target"]
    if target is None or target not in extra:
        return check.report()
    metrics, problem = check_performance(
        PERFORMANCE,
        REFERENCE,
        list_values(values[target], target_kind(REFERENCE["task"])),
        predicted,
        proba,
        DRIFT_OPTIONS["examples"],
    )
    return check.report(metrics, [problem] if problem is not None else [])


def reference_predictions(rows: Sequence[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray | None]:
    """The model's answers for the rows as the reference's classes name them: the predicted
    classes (or values) and the probabilities, one column per class in the reference's order
    (None for a regressor)."""
    labels, numbers = model_outputs(rows)
    if labels is None:
        return numbers[:, 0], None
    # ONNX gives numeric and boolean classes as int64: back to the classes they stand for.
    by_label = {onnx_label(c): c for c in CLASSES or []}
    position = {category_key(c): i for i, c in enumerate(CLASSES or [])}
    order = [position[category_key(c)] for c in REFERENCE["classes"]]
    predicted = np.array([by_label[label] for label in labels], dtype=object)
    return predicted, numbers[:, order]


def unseen_values(rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Per text column with the categories of its training data, the records holding another
    value (missing values aside)."""
    counts: dict[str, int] = {}
    for column in COLUMNS:
        if column["type"] != "string" or column.get("categories") is None:
            continue
        seen = set(column["categories"])
        count = sum(1 for row in rows if row[column["name"]] not in seen | {None})
        if count:
            counts[column["name"]] = count
    return counts


def json_routes(application: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route that takes a JSON body: the ones BodyGuard stands before."""
    return {
        (method, route.path)
        for route in application.routes
        if getattr(route, "body_field", None) is not None
        for method in getattr(route, "methods", ())
    }


app.add_middleware(BodyGuard, routes=json_routes(app), max_bytes=MAX_BODY_BYTES)


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(
        app, host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8000"))
    )
