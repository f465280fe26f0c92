"""Batch prediction: a new table file in, one row of predictions per input row out.

Two sources for the model: a LoadedRun of a project (its fitted pipeline, after the sha256
check: exactly what the workbench predicted), or an exported ONNX file (onnxruntime, the schema
from the file's metadata or the schema.json beside it; no project needed).

The new file is checked against the model's schema before anything is predicted, so a
renamed column or a text in a numeric column stops the job with a message naming the file,
column and value instead of producing wrong numbers. Key columns are passed through so each
prediction can be joined back: the project's identifier columns by default, else the row number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from workbench.core.atomic import atomic_path
from workbench.core.errors import SchemaError, WorkbenchError
from workbench.core.export.feature_schema import METADATA_KEY, FeatureSchema, schema_for_run
from workbench.core.io.options import ReadOptions
from workbench.core.io.table import read_table
from workbench.core.kinds import ColumnRole
from workbench.core.parquet_frames import write_frame_parquet
from workbench.core.progress import (
    NEVER_CANCELLED,
    CancelToken,
    ProgressFn,
    no_progress,
    sub_progress,
)

if TYPE_CHECKING:
    from workbench.core.runs.loaded import LoadedRun

ROW_KEY = "row"
PREDICTION = "prediction"
PROBA_PREFIX = "proba_"
OUTPUT_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
# Rows per prediction call: progress and cancel between chunks, memory bounded on big files.
CHUNK_ROWS = 50_000
# The largest number an exported model's float32 inputs hold; beyond it is infinity.
FLOAT32_MAX = float(np.finfo(np.float32).max)
# A text cell starting with one of these is run as a formula by spreadsheets (OWASP: CSV
# injection); such cells are written with a leading apostrophe, which shows them as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"

# (features of some rows, already validated) -> (predictions, probabilities or None)
Predictor = Callable[[pd.DataFrame], tuple[np.ndarray, np.ndarray | None]]


@dataclass(frozen=True)
class BatchPrediction:
    """What predict_file wrote: the file, its row count and its columns; the file's columns
    the model does not take (`ignored`), and per text column the rows holding a value the
    training data never had (`unseen`, predicted as the chain treats an unseen category)."""

    path: Path
    rows: int
    columns: list[str]
    keys: list[str]
    ignored: list[str] = field(default_factory=list)
    unseen: dict[str, int] = field(default_factory=dict)

    def notes(self) -> list[str]:
        """One line per thing the user should know but that is not an error."""
        lines = []
        if self.ignored:
            shown = ", ".join(f"'{name}'" for name in self.ignored)
            lines.append(f"ignored {len(self.ignored)} column(s) the model does not take: {shown}")
        for name, count in self.unseen.items():
            lines.append(
                f"column '{name}': {count:,} row(s) hold a value the training data never had; "
                "predicted as the model treats an unseen category"
            )
        return lines


def predict_file(
    run: LoadedRun,
    input_path: str | Path,
    out_path: str | Path,
    keys: Sequence[str] | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    options: ReadOptions | None = None,
) -> BatchPrediction:
    """Predict `input_path` with the run's fitted pipeline; write `out_path` (CSV or Parquet).

    `keys`: columns of the new file copied to the output; default the project's identifier
    columns found in the file, else `row` (the 1-based row number in the file).
    """
    from workbench.core.pipeline import fitted_input
    from workbench.core.train.fit import predict

    out = _output_path(out_path)
    progress(0.0, f"loading run {run.run_id}")
    pipeline = run.pipeline
    schema = schema_for_run(run)
    roles = run.project.roles
    identifiers = [name for name, role in roles.items() if role == ColumnRole.IDENTIFIER]

    def run_pipeline(features: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None]:
        result = predict(pipeline, fitted_input(pipeline, features), run.task)
        return result.y_pred, result.proba

    options = run.batch_read_options(options)
    return _predict(
        schema, run_pipeline, Path(input_path), out, keys, identifiers, options, progress, cancel
    )


def predict_file_onnx(
    onnx_path: str | Path,
    input_path: str | Path,
    out_path: str | Path,
    keys: Sequence[str] | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    options: ReadOptions | None = None,
) -> BatchPrediction:
    """Predict `input_path` with an exported ONNX model; same output as predict_file.

    The schema comes from the model's `workbench.schema` metadata, or schema.json beside it.
    `keys` default: `row` (an ONNX file knows no project's identifier columns).
    """
    out = _output_path(out_path)
    progress(0.0, f"loading {Path(onnx_path).name}")
    session, schema = load_onnx(Path(onnx_path))
    outputs = list(schema.outputs.values())

    def run_onnx(features: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None]:
        results = session.run(outputs, schema.onnx_feeds(features))
        if schema.classes is None:
            return np.asarray(results[0], dtype=np.float64).reshape(-1), None
        return np.asarray(results[0]).reshape(-1), np.asarray(results[1], dtype=np.float64)

    return _predict(schema, run_onnx, Path(input_path), out, keys, [], options, progress, cancel)


def load_onnx(path: Path) -> tuple[Any, FeatureSchema]:
    """An onnxruntime session for `path` and the model's schema; clear errors for a file that
    is missing, not ONNX, or not a workbench export without its schema.json."""
    import onnxruntime

    if not path.exists():
        raise WorkbenchError(f"ONNX model not found: {path}")
    if not path.is_file():
        raise WorkbenchError(f"{path} is not a file: give the exported model.onnx")
    try:
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime has its own exception types for a bad file
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise WorkbenchError(f"{path} is not a model onnxruntime can load: {first}") from error
    stored = session.get_modelmeta().custom_metadata_map.get(METADATA_KEY)
    beside = path.with_name("schema.json")
    if stored is not None:
        schema = FeatureSchema.from_json(stored)
    elif beside.is_file():
        schema = FeatureSchema.load(beside)
    else:
        raise WorkbenchError(
            f"{path} has no '{METADATA_KEY}' metadata and no schema.json beside it: "
            "not a workbench export"
        )
    inputs = {node.name for node in session.get_inputs()}
    expected = {column.input for column in schema.columns}
    if inputs != expected:
        missing = sorted(expected - inputs) or sorted(inputs - expected)
        raise WorkbenchError(f"{path} does not match its schema: input '{missing[0]}' differs")
    return session, schema


def _output_path(out_path: str | Path) -> Path:
    out = Path(out_path)
    if out.suffix.lower() not in OUTPUT_FORMATS:
        raise WorkbenchError(
            f"cannot write predictions to {out.name}: use a .csv or .parquet file name"
        )
    return out


def _predict(
    schema: FeatureSchema,
    predictor: Predictor,
    input_path: Path,
    out: Path,
    keys: Sequence[str] | None,
    identifiers: Sequence[str],
    options: ReadOptions | None,
    progress: ProgressFn,
    cancel: CancelToken,
) -> BatchPrediction:
    if input_path.resolve() == out.resolve():
        raise WorkbenchError(f"the predictions would overwrite the input file {input_path}")
    frame = read_table(input_path, options, sub_progress(progress, 0.0, 0.3), cancel).frame
    frame = frame.reset_index(drop=True)
    if frame.empty:
        raise SchemaError(f"{input_path.name} has no data rows: nothing to predict")
    try:
        features = schema.validate_frame(frame)
        _check_number_range(schema, features)
    except SchemaError as error:
        raise SchemaError(f"{input_path.name}: {error}") from error
    key_frame = _keys(frame, keys, identifiers, input_path)
    cancel.raise_if_cancelled()
    predicted, proba = predict_in_chunks(
        predictor, features, sub_progress(progress, 0.3, 0.95), cancel
    )
    result = key_frame.copy()
    result[PREDICTION] = pd.Series(predicted.tolist(), index=result.index, dtype=_dtype(predicted))
    if proba is not None and schema.classes is not None:
        for index, name in enumerate(schema.classes):
            result[f"{PROBA_PREFIX}{name}"] = proba[:, index]
    progress(0.95, f"writing {out.name}")
    _write(result, out)
    progress(1.0, f"wrote {len(result):,} predictions to {out.name}")
    return BatchPrediction(
        out,
        len(result),
        [str(c) for c in result.columns],
        list(key_frame),
        ignored=schema.ignored_columns(frame.columns),
        unseen=schema.unseen_categories(features),
    )


def _check_number_range(schema: FeatureSchema, features: pd.DataFrame) -> None:
    """Refuse infinities and numbers beyond float32, naming the column and row.

    An exported ONNX model takes float32, where 1e39 is already infinite, and scikit-learn
    refuses infinity (trees cast to float32 too): both ways of predicting refuse the same values
    here, before either runs, instead of one answering and the other failing."""
    for column in schema.columns:
        if column.type != "float":
            continue
        values = features[column.name].to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):
            beyond = np.abs(values) > FLOAT32_MAX  # NaN (missing) compares False
        if beyond.any():
            position = int(np.flatnonzero(beyond)[0])
            raise SchemaError(
                f"column '{column.name}' holds {float(values[position])!r} (row {position + 1}); "
                f"the model takes finite numbers up to ±{FLOAT32_MAX:.4g}"
            )


def _dtype(values: np.ndarray) -> Any:
    # Labels come as an object array of the class values; let pandas infer int / str / bool.
    return None if values.dtype == object else values.dtype


def _keys(
    frame: pd.DataFrame, keys: Sequence[str] | None, identifiers: Sequence[str], path: Path
) -> pd.DataFrame:
    if keys is not None:
        absent = [key for key in keys if key not in frame.columns]
        if absent:
            raise SchemaError(f"{path.name}: key column '{absent[0]}' is not in the file")
        chosen = list(dict.fromkeys(keys))
    else:
        chosen = [name for name in identifiers if name in frame.columns]
    clash = [key for key in chosen if key == PREDICTION or str(key).startswith(PROBA_PREFIX)]
    if clash:
        raise WorkbenchError(f"key column '{clash[0]}' clashes with an output column's name")
    if not chosen:
        return pd.DataFrame({ROW_KEY: np.arange(1, len(frame) + 1, dtype=np.int64)})
    return frame[chosen].copy()


def predict_in_chunks(
    predictor: Predictor, features: pd.DataFrame, progress: ProgressFn, cancel: CancelToken
) -> tuple[np.ndarray, np.ndarray | None]:
    total = len(features)
    labels: list[np.ndarray] = []
    probas: list[np.ndarray] = []
    for start in range(0, max(total, 1), CHUNK_ROWS):
        cancel.raise_if_cancelled()
        part = features.iloc[start : start + CHUNK_ROWS]
        predicted, proba = predictor(part)
        labels.append(np.asarray(predicted))
        if proba is not None:
            probas.append(proba)
        done = min(start + CHUNK_ROWS, total)
        progress(done / max(total, 1), f"predicted {done:,} of {total:,} rows")
    return np.concatenate(labels), (np.concatenate(probas) if probas else None)


def _write(frame: pd.DataFrame, out: Path) -> None:
    kind = OUTPUT_FORMATS[out.suffix.lower()]
    try:
        with atomic_path(out) as tmp:
            if kind == "csv":
                spreadsheet_safe(frame).to_csv(tmp, index=False)
            else:
                write_frame_parquet(frame, tmp)
    except OSError as error:
        raise WorkbenchError(f"cannot write {out}: {error.strerror or error}") from error


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell (and column name) that a spreadsheet would run as a
    formula prefixed with an apostrophe: `=cmd|' /C calc'!A0` becomes `'=cmd|' /C calc'!A0`.

    Key columns come from the user's file and labels from the training data, so either may hold
    such a cell. Numbers stay numbers: numeric columns are untouched, and so is text that is a
    plain number ("-5", "+1.5e3"), which a spreadsheet reads as that number, not a formula.
    """
    safe = frame.copy(deep=False)
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if not (ptypes.is_object_dtype(column.dtype) or ptypes.is_string_dtype(column.dtype)):
            continue
        text = column.astype("string")
        risky = text.str.startswith(FORMULA_STARTS) & ~text.str.fullmatch(_PLAIN_NUMBER)
        risky = risky.fillna(False).to_numpy(dtype=bool)
        if risky.any():
            escaped = column.astype(object).copy()
            escaped[risky] = "'" + text[risky].astype(object)
            safe.isetitem(position, escaped)
    safe.columns = [_safe_cell(str(name)) for name in frame.columns]
    return safe


def _safe_cell(text: str) -> str:
    risky = text.startswith(FORMULA_STARTS) and not re.fullmatch(_PLAIN_NUMBER, text)
    return f"'{text}" if risky else text
