"""The input/output contract of an exported model: `schema.json`.

Written beside every ONNX export and stored in the ONNX file's metadata (`workbench.schema`), so
the model, the Docker service and batch prediction all check new rows against exactly what the
model was trained on, without the project folder.

Why it is built this way:
- One ONNX input per ORIGINAL feature column, shape [None, 1]: an engineer feeds a record's
  fields by name, and a missing column is an error naming it rather than a shifted matrix.
- Four wire types: "float" (numbers, float32, NaN = missing), "string" (missing = "", because
  ONNX string tensors have no NaN), "bool" (fed as float32 0/1) and "datetime": a training
  column held as datetime64 crosses into the ONNX model as ISO 8601 text
  ("2007-11-11T08:30:00", `labels.iso_dates`; missing = ""), parsed inside the graph. Its
  `pattern` (`patterns.ISO_DATE`) says which texts the model reads as dates, so a service can
  refuse the others.
- The type follows the column's stored dtype, not its kind: a 0/1 integer flag is a float
  input, because the fitted pipeline saw numbers.
- `validate_frame` casts like the project's Parquet reader did (strings with NaN for missing,
  numbers as float64), so the joblib pipeline sees the dtypes it was fitted on.
- The columns are those the fitted chain reads (`ResolvedChain.reads`): a column a step dropped
  is not an input, and a caller's extra columns are ignored (`ignored_columns` names them).
- `raw_input` says how the training file's raw values were read at import (surrounding spaces
  stripped, the NA tokens): the exported graph does the same to its text inputs
  (`raw_input.normalize_text_inputs`) and the service to every value it is sent, so raw rows as
  they appear in the file predict what `workbench predict` predicts for that file. Each column
  states its `missing` form: NaN in a number input, "" in a text input (null in JSON).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from workbench import __version__
from workbench.core.atomic import write_text_atomic
from workbench.core.errors import SchemaError, WorkbenchError
from workbench.core.export.raw_input import RawInput
from workbench.core.steps.labels import iso_dates
from workbench.core.steps.patterns import ISO_DATE

if TYPE_CHECKING:
    from workbench.core.runs.loaded import LoadedRun

FORMAT = "workbench-model-schema"
VERSION = 1
METADATA_KEY = "workbench.schema"
TASKS = ("binary", "multiclass", "regression")
TYPES = ("float", "string", "bool", "datetime")
CLASS_OUTPUTS = {"label": "label", "probabilities": "probabilities"}
REGRESSION_OUTPUTS = {"variable": "variable"}
_VALID_INPUT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TRUE = {"true", "1", "1.0", "yes", "t", "y"}
# A missing value as the ONNX model is fed it, by wire type.
MISSING_FORMS = {"float": "NaN", "bool": "NaN", "string": "", "datetime": ""}
_FALSE = {"false", "0", "0.0", "no", "f", "n"}


@dataclass(frozen=True)
class SchemaColumn:
    """One original feature column: its name in the data, its ONNX input, what it holds."""

    name: str
    input: str
    kind: str
    type: str
    nullable: bool
    categories: tuple[str, ...] | None = None
    pattern: str | None = None  # datetime columns: the ISO 8601 texts the model reads

    @property
    def missing(self) -> str:
        """How a missing value is fed to the ONNX input: "NaN" (float32) or "" (text)."""
        return MISSING_FORMS[self.type]


@dataclass(frozen=True)
class FeatureSchema:
    """What an exported model takes and gives back."""

    run_id: str
    dataset_sha256: str
    workbench_version: str
    task: str
    target: str
    classes: tuple[Any, ...] | None
    columns: tuple[SchemaColumn, ...]
    outputs: Mapping[str, str]
    raw_input: RawInput = field(default_factory=RawInput)

    # ---- JSON -------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        columns = []
        for column in self.columns:
            item = asdict(column)
            item["categories"] = list(column.categories) if column.categories is not None else None
            item["missing"] = column.missing
            columns.append(item)
        return {
            "format": FORMAT,
            "version": VERSION,
            "run_id": self.run_id,
            "dataset_sha256": self.dataset_sha256,
            "workbench_version": self.workbench_version,
            "task": self.task,
            "target": self.target,
            "classes": list(self.classes) if self.classes is not None else None,
            "columns": columns,
            "outputs": dict(self.outputs),
            "raw_input": self.raw_input.to_dict(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, default=_json_default)

    @classmethod
    def from_json(cls, text: str) -> FeatureSchema:
        """Parse schema.json; any defect is a WorkbenchError saying what is wrong."""
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, TypeError) as error:
            raise WorkbenchError(f"the model schema is not valid JSON: {error}") from error
        except RecursionError:
            raise WorkbenchError("the model schema is JSON nested too deeply to read") from None
        return _schema_from_dict(data)

    def save(self, path: str | Path) -> None:
        write_text_atomic(Path(path), self.to_json() + "\n")

    @classmethod
    def load(cls, path: str | Path) -> FeatureSchema:
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as error:
            raise WorkbenchError(
                f"cannot read the model schema {file}: {error.strerror or error}"
            ) from error
        try:
            return cls.from_json(text)
        except WorkbenchError as error:
            raise WorkbenchError(f"{file}: {error}") from error

    # ---- data -------------------------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def is_classifier(self) -> bool:
        return self.task != "regression"

    def ignored_columns(self, columns: Sequence[Any]) -> list[str]:
        """The columns of a table or request the model does not take (keys, the target, columns
        the chain dropped), in their order: ignored, and said so once."""
        taken = set(self.names)
        return [str(name) for name in columns if str(name) not in taken]

    def unseen_categories(self, frame: pd.DataFrame) -> dict[str, int]:
        """Per text column with listed categories, how many of `frame`'s values (as
        `validate_frame` gives them) are none of them: predicted as the chain treats a
        category it never saw in training. Columns with none are left out."""
        counts: dict[str, int] = {}
        for column in self.columns:
            if column.type != "string" or column.categories is None:
                continue
            values = frame[column.name]
            unseen = values.notna() & ~values.astype(object).isin(set(column.categories))
            if unseen.any():
                counts[column.name] = int(unseen.sum())
        return counts

    def validate_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The feature columns of `frame`, cast as the fitted pipeline expects them.

        Extra columns (keys, the target, columns the chain dropped) are ignored; a missing
        column, a value that is not of the column's type, or a missing value in a column that
        never had one is a SchemaError naming the column and the first bad value.
        """
        absent = [name for name in self.names if name not in frame.columns]
        if absent:
            shown = ", ".join(f"'{name}'" for name in absent[:5])
            more = f" and {len(absent) - 5} more" if len(absent) > 5 else ""
            plural = "s" if len(absent) > 1 else ""
            verb = "are" if len(absent) > 1 else "is"
            raise SchemaError(f"required column{plural} {shown}{more} {verb} missing from the data")
        cast = {
            column.name: _cast(frame[column.name], column, self.raw_input)
            for column in self.columns
        }
        return pd.DataFrame(cast, index=frame.index)

    def text_as_imported(self, frame: pd.DataFrame) -> pd.DataFrame:
        """`frame` with the values of its text inputs read as import read the training file
        (`RawInput.read_text`: stripped, NA tokens missing), as the exported graph reads them;
        other columns as they are. What the fitted pipeline is given beside the ONNX model."""
        read = {
            column.name: _texts(frame[column.name], self.raw_input)
            for column in self.columns
            if column.type == "string" and column.name in frame.columns
        }
        return (
            frame.assign(
                **{
                    name: pd.Series(values, index=frame.index, dtype=frame[name].dtype)
                    for name, values in read.items()
                }
            )
            if read
            else frame
        )

    def onnx_feeds(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        """onnxruntime inputs for these rows: float32 [N, 1] or string [N, 1] ('' = missing;
        dates as ISO 8601 text)."""
        checked = self.validate_frame(frame)
        feeds: dict[str, np.ndarray] = {}
        for column in self.columns:
            series = checked[column.name]
            if column.type == "datetime":
                values = iso_dates(series)
                values[pd.isna(values)] = ""
                feeds[column.input] = values.reshape(-1, 1)
            elif column.type == "string":
                values = series.to_numpy(dtype=object, na_value="")
                feeds[column.input] = np.asarray(values, dtype=object).reshape(-1, 1)
            else:
                numbers = series.astype("float64") if column.type == "bool" else series
                values = numbers.to_numpy(dtype=np.float32, na_value=np.nan)
                feeds[column.input] = values.reshape(-1, 1)
        return feeds


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _schema_from_dict(data: Any) -> FeatureSchema:
    if not isinstance(data, dict):
        raise WorkbenchError("the model schema is not a JSON object")
    if data.get("format") != FORMAT:
        raise WorkbenchError(f"not a workbench model schema (format is {data.get('format')!r})")
    if data.get("version") != VERSION:
        raise WorkbenchError(
            f"model schema version {data.get('version')!r} is not supported (expected {VERSION})"
        )
    try:
        task = str(data["task"])
        if task not in TASKS:
            raise WorkbenchError(f"the model schema's task {task!r} is not one of {TASKS}")
        classes = data["classes"]
        if task != "regression" and not isinstance(classes, list):
            raise WorkbenchError("the model schema of a classifier lists no classes")
        columns = tuple(_column_from_dict(item) for item in data["columns"])
        if not columns:
            raise WorkbenchError("the model schema lists no columns")
        outputs = data["outputs"]
        if not isinstance(outputs, dict):
            raise WorkbenchError("the model schema's outputs are not a JSON object")
        raw = data.get("raw_input") or {}
        if not isinstance(raw, dict):
            raise WorkbenchError("the model schema's raw_input is not a JSON object")
        return FeatureSchema(
            run_id=str(data["run_id"]),
            dataset_sha256=str(data["dataset_sha256"]),
            workbench_version=str(data["workbench_version"]),
            task=task,
            target=str(data["target"]),
            classes=tuple(classes) if classes is not None else None,
            columns=columns,
            outputs={str(key): str(value) for key, value in outputs.items()},
            raw_input=RawInput.from_dict(raw),
        )
    except KeyError as error:
        raise WorkbenchError(f"the model schema has no '{error.args[0]}' entry") from error
    except (TypeError, ValueError) as error:
        raise WorkbenchError(f"the model schema is damaged: {error}") from error


def _column_from_dict(item: Any) -> SchemaColumn:
    if not isinstance(item, dict):
        raise WorkbenchError("a column of the model schema is not a JSON object")
    kind = str(item["type"])
    if kind not in TYPES:
        raise WorkbenchError(
            f"column '{item.get('name')}' of the model schema has type {kind!r}; "
            f"expected one of {', '.join(TYPES)}"
        )
    categories = item.get("categories")
    pattern = item.get("pattern")
    return SchemaColumn(
        name=str(item["name"]),
        input=str(item["input"]),
        kind=str(item["kind"]),
        type=kind,
        nullable=bool(item["nullable"]),
        categories=tuple(str(c) for c in categories) if categories is not None else None,
        pattern=str(pattern) if pattern is not None else None,
    )


# ---- casting --------------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _first_bad(series: pd.Series, bad: np.ndarray) -> str:
    position = int(np.flatnonzero(bad)[0])
    return f"{series.iloc[position]!r} (row {position + 1})"


def _texts(series: pd.Series, raw: RawInput) -> list[Any]:
    """The column's values as text read as import did (NaN when missing); each distinct value
    is read once."""
    read: dict[str, Any] = {}
    values: list[Any] = []
    for value in series.tolist():
        if _is_missing(value):
            values.append(np.nan)
            continue
        text = str(value)
        if text not in read:
            kept = raw.read_text(text)
            read[text] = np.nan if kept is None else kept
        values.append(read[text])
    return values


def _cast(series: pd.Series, column: SchemaColumn, raw: RawInput) -> pd.Series:
    missing = series.isna().to_numpy()
    if column.type == "string":
        # Blank text and NA tokens are missing ('' is what ONNX is fed for a missing value);
        # spaces around a value go when import stripped them.
        values = _texts(series, raw)
        missing = np.array([isinstance(v, float) for v in values], dtype=bool)
        # Same inference as the Parquet reader: `str` on pandas 3, object on pandas 2 (object
        # when every value is missing, which would otherwise infer float).
        dtype = object if missing.all() else None
        result = pd.Series(values, index=series.index, name=column.name, dtype=dtype)
    elif column.type == "float":
        result = _numbers(series, column)
    elif column.type == "bool":
        result = _flags(series, column)
    else:
        result = _dates(series, column)
    if not column.nullable and missing.any():
        row = int(np.flatnonzero(missing)[0]) + 1
        raise SchemaError(
            f"column '{column.name}' has a missing value (row {row}); the model was trained "
            "without missing values there"
        )
    return result


def _numbers(series: pd.Series, column: SchemaColumn) -> pd.Series:
    if ptypes.is_bool_dtype(series.dtype):
        return series.astype("float64")
    if ptypes.is_numeric_dtype(series.dtype):
        return pd.Series(
            series.to_numpy(dtype="float64", na_value=np.nan), index=series.index, name=column.name
        )
    numbers = pd.to_numeric(series, errors="coerce")
    bad = (numbers.isna() & series.notna()).to_numpy()
    if bad.any():
        raise SchemaError(
            f"column '{column.name}' should hold numbers but holds {_first_bad(series, bad)}"
        )
    return pd.Series(
        numbers.to_numpy(dtype="float64", na_value=np.nan), index=series.index, name=column.name
    )


def _flags(series: pd.Series, column: SchemaColumn) -> pd.Series:
    values: list[Any] = []
    for position, value in enumerate(series.tolist()):
        if _is_missing(value):
            values.append(pd.NA)
        elif isinstance(value, bool | np.bool_):
            values.append(bool(value))
        elif str(value).strip().lower() in _TRUE:
            values.append(True)
        elif str(value).strip().lower() in _FALSE:
            values.append(False)
        else:
            raise SchemaError(
                f"column '{column.name}' should hold true/false but holds {value!r} "
                f"(row {position + 1})"
            )
    dtype = "boolean" if any(v is pd.NA for v in values) else "bool"
    return pd.Series(values, index=series.index, name=column.name, dtype=dtype)


def _dates(series: pd.Series, column: SchemaColumn) -> pd.Series:
    if ptypes.is_datetime64_any_dtype(series.dtype):
        return series
    series = series.mask(series.astype(object) == "")  # '' is what a missing date is fed as
    parsed = pd.to_datetime(series, errors="coerce", format="mixed")
    bad = (parsed.isna() & series.notna()).to_numpy()
    if bad.any():
        raise SchemaError(
            f"column '{column.name}' should hold dates but holds {_first_bad(series, bad)}"
        )
    return parsed


# ---- building ------------------------------------------------------------------------------


def column_type(dtype: Any) -> str:
    """The wire type of a column stored with this dtype."""
    if ptypes.is_bool_dtype(dtype):
        return "bool"
    if ptypes.is_numeric_dtype(dtype):
        return "float"
    if ptypes.is_datetime64_any_dtype(dtype):
        return "datetime"
    return "string"


def input_names(columns: Sequence[str]) -> list[str]:
    """ONNX input names: the column name when it is a plain identifier, else a cleaned one
    (unique, and never one of the output names)."""
    reserved = {*CLASS_OUTPUTS.values(), *REGRESSION_OUTPUTS.values()}
    taken: set[str] = set()
    names: list[str] = []
    for column in columns:
        name = str(column)
        if not _VALID_INPUT.match(name) or name in reserved:
            name = re.sub(r"[^A-Za-z0-9_]", "_", name.strip()) or "column"
            if not re.match(r"^[A-Za-z_]", name) or name in reserved:
                name = f"f_{name}"
        base, suffix = name, 2
        while name in taken:
            name, suffix = f"{base}_{suffix}", suffix + 1
        taken.add(name)
        names.append(name)
    return names


def schema_for_run(run: LoadedRun) -> FeatureSchema:
    """The schema of a finished run: the columns its fitted chain reads (`LoadedRun.inputs`)
    as the project's dataset stored them, the classes in the order of the fitted pipeline's
    probability columns, and how the dataset's file was read (`RawInput`)."""
    dataset = run.project.dataset
    if dataset is None:
        raise WorkbenchError(f"project '{run.project.name}' has no dataset; import it again")
    features = list(run.inputs)  # every one still in the dataset, or a WorkbenchError
    stored = {column.name: column for column in dataset.schema.columns}
    columns = []
    for name, onnx_name in zip(features, input_names(features), strict=True):
        info = stored[name]
        wire = column_type(_dtype_of(info.dtype))
        columns.append(
            SchemaColumn(
                name=name,
                input=onnx_name,
                kind=info.kind.value,
                type=wire,
                nullable=bool(info.nullable),
                categories=tuple(info.categories) if info.categories is not None else None,
                pattern=ISO_DATE.re2 if wire == "datetime" else None,
            )
        )
    task = run.task.value
    classes = None if task == "regression" else tuple(np.asarray(run.pipeline.classes_).tolist())
    return FeatureSchema(
        run_id=run.run_id,
        dataset_sha256=run.spec.dataset_sha256,
        workbench_version=__version__,
        task=task,
        target=run.spec.target,
        classes=classes,
        columns=tuple(columns),
        outputs=dict(REGRESSION_OUTPUTS if task == "regression" else CLASS_OUTPUTS),
        raw_input=RawInput.from_read_options(dataset.read_options),
    )


def _dtype_of(name: str) -> Any:
    """A dtype from its stored name ('float64', 'str', 'boolean', 'datetime64[ns]')."""
    try:
        return pd.api.types.pandas_dtype(name)
    except TypeError:
        return np.dtype(object)
