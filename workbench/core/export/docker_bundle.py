"""The Docker bundle: a folder an engineer can `docker build`, or serve without Docker.

The service, Dockerfile and engineer's README are templates in `service/` beside this module
(package data), copied as they are apart from a few `{{placeholders}}`; this module adds what is
specific to the run: the model, its schema, the requirements pinned from this environment
(`pinned_requirements`), an example request made of real rows, and that request's actual
answer in the README (computed here with onnxruntime, so the README never shows a response the
model would not give).

For `POST /drift` the bundle carries the run's monitor reference (`monitor_reference.json`,
the file the run stores), the thresholds (`drift_options.json`, DriftOptions' defaults, which
the engineer may edit), the run's side of scoring a labelled batch (`performance_reference.json`:
each metric's folds and test score and the interval at the thresholds' `interval_level`,
computed here because the interval needs scipy, which the service has not), and
workbench.core.batch_checks copied file for file as `batch_checks/`: the service checks and
scores a batch with the workbench's own code, not a copy of its logic.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbench.core.atomic import write_bytes_atomic, write_text_atomic
from workbench.core.errors import WorkbenchError
from workbench.core.export.contract_text import columns_table, raw_input_lines
from workbench.core.export.feature_schema import FeatureSchema, SchemaColumn
from workbench.core.export.pinned_requirements import SHIPPED_PACKAGES, requirements_text
from workbench.core.monitor.options import DriftOptions
from workbench.core.monitor.performance import performance_reference
from workbench.core.steps.labels import date_label

if TYPE_CHECKING:
    from workbench.core.monitor.reference import RunReference
    from workbench.core.runs.loaded import LoadedRun

TEMPLATES = Path(__file__).resolve().parent / "service"
# Template file -> name in the bundle (a dotfile is stored without its dot: package-data globs
# skip dotfiles).
COPIED = {
    "service.py": "service.py",
    "test_request.py": "test_request.py",
    "dockerignore": ".dockerignore",
}
EXAMPLE_ROWS = 3
REFERENCE_FILE = "monitor_reference.json"
DRIFT_OPTIONS_FILE = "drift_options.json"
PERFORMANCE_FILE = "performance_reference.json"
_NO_FILES: Mapping[str, Path] = MappingProxyType({})


def write_docker_bundle(
    model_onnx: Path,
    schema: FeatureSchema,
    out_dir: Path,
    extra_files: Mapping[str, Path] = _NO_FILES,
    *,
    reference: RunReference,
    examples: pd.DataFrame | None = None,
) -> list[Path]:
    """Write the bundle into `out_dir` (created; files of an earlier bundle are replaced).

    `reference`: the run's monitor reference (monitor.run_reference), what /drift checks
    against; it must be the reference of the run the model and schema are.
    `examples`: real rows of the run's data (see `example_rows`) for example_request.json;
    without them the example is built from the schema (first category seen, 0 for numbers),
    which is a valid request but not a real record. Returns the files written, in a fixed order.
    """
    model_onnx, out_dir = Path(model_onnx), Path(out_dir)
    if reference.run_id != schema.run_id:
        raise WorkbenchError(
            f"the monitor reference is run {reference.run_id}'s, the model run {schema.run_id}'s"
        )
    try:
        model_bytes = model_onnx.read_bytes()
    except OSError as error:
        raise WorkbenchError(f"cannot read {model_onnx}: {error.strerror or error}") from error
    frame = examples if examples is not None else _made_up_rows(schema)
    records = request_records(schema, frame.head(EXAMPLE_ROWS))
    response = _answer(model_bytes, schema, records)
    request_text = json.dumps({"records": records}, indent=2, ensure_ascii=False)
    response_text = json.dumps(response, indent=2, ensure_ascii=False)
    requirements = requirements_text()
    options = DriftOptions()
    performance = performance_reference(reference, options.interval_level)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []

        def put(name: str, data: bytes | str) -> None:
            target = out_dir / name
            if isinstance(data, str):
                write_text_atomic(target, data)
            else:
                write_bytes_atomic(target, data)
            written.append(target)

        put("model.onnx", model_bytes)
        put("schema.json", schema.to_json() + "\n")
        for template, name in COPIED.items():
            put(name, (TEMPLATES / template).read_bytes())
        for package, folder in SHIPPED_PACKAGES.items():
            (out_dir / package).mkdir(exist_ok=True)
            for module in sorted(folder.glob("*.py")):
                put(f"{package}/{module.name}", module.read_bytes())
        put(REFERENCE_FILE, json.dumps(reference.to_dict(), indent=1) + "\n")
        put(DRIFT_OPTIONS_FILE, json.dumps(options.to_dict(), indent=2) + "\n")
        put(PERFORMANCE_FILE, json.dumps(performance.to_dict(), indent=1) + "\n")
        put("requirements.txt", requirements)
        put("Dockerfile", _fill((TEMPLATES / "Dockerfile").read_text("utf-8"), _python()))
        put("example_request.json", request_text + "\n")
        for name, source in extra_files.items():
            put(name, Path(source).read_bytes())
        readme = _readme(schema, request_text, response_text, extra_files.keys(), examples)
        put("README.md", readme)
    except OSError as error:
        where = error.filename or out_dir
        raise WorkbenchError(f"cannot write the bundle {where}: {error.strerror}") from error
    return written


def example_rows(run: LoadedRun, count: int = EXAMPLE_ROWS) -> pd.DataFrame:
    """A few real rows for the example request: the run's held-out test rows when it has any
    (rows the model did not train on), else the dataset's first rows; features only."""
    frame = run.frame
    rows = run.test_rows()[:count].tolist() or list(range(min(count, len(frame))))
    return frame.loc[rows, run.spec.feature_names].reset_index(drop=True)


def request_records(schema: FeatureSchema, frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as the service takes them: JSON numbers, booleans and strings, null when missing
    (whole numbers without a '.0', as a person would type them)."""
    checked = schema.validate_frame(frame)
    return [
        {
            column.name: _json_value(checked[column.name].iloc[i], column)
            for column in schema.columns
        }
        for i in range(len(checked))
    ]


def _json_value(value: Any, column: SchemaColumn) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if column.type == "bool":
        return bool(value)
    if column.type == "float":
        number = float(value)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if column.type == "datetime":
        return date_label(value)  # ISO 8601, as the model is fed dates
    return str(value)


def _made_up_rows(schema: FeatureSchema) -> pd.DataFrame:
    row: dict[str, Any] = {}
    for column in schema.columns:
        if column.type == "float":
            row[column.name] = 0.0
        elif column.type == "bool":
            row[column.name] = False
        elif column.type == "datetime":
            row[column.name] = "2000-01-01T00:00:00"
        else:
            row[column.name] = column.categories[0] if column.categories else "text"
    return pd.DataFrame([row])


def _answer(
    model_bytes: bytes, schema: FeatureSchema, records: list[dict[str, Any]]
) -> dict[str, Any]:
    """What the service answers to `records`: the same session, feeds and response layout."""
    import onnxruntime

    try:
        session = onnxruntime.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
        outputs = session.run(
            list(schema.outputs.values()), schema.onnx_feeds(pd.DataFrame(records))
        )
    except Exception as error:  # onnxruntime raises its own exception types for a bad model
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise WorkbenchError(f"the ONNX model does not run on the example rows: {first}") from error
    predictions: list[dict[str, Any]] = []
    if schema.classes is None:
        predictions = [{"prediction": float(v)} for v in np.asarray(outputs[0]).reshape(-1)]
    else:
        names = [str(c) for c in schema.classes]
        labels = np.asarray(outputs[0]).reshape(-1).tolist()
        for label, proba in zip(labels, np.asarray(outputs[1]), strict=True):
            by_class = dict(zip(names, map(float, proba), strict=True))
            predictions.append({"prediction": label, "probabilities": by_class})
    unseen = schema.unseen_categories(schema.validate_frame(pd.DataFrame(records)))
    return {
        "run_id": schema.run_id,
        "task": schema.task,
        "predictions": predictions,
        "ignored_columns": [],
        "unseen": unseen,
    }


def _python() -> dict[str, str]:
    # The base image's Python is the one the pinned wheels were tested with here.
    return {"python_version": f"{sys.version_info.major}.{sys.version_info.minor}"}


def _fill(template: str, values: Mapping[str, str]) -> str:
    """One pass, so a value that happens to contain `{{...}}` (a category name) stays as it is."""

    def value(match: re.Match[str]) -> str:
        if match.group(1) not in values:
            raise WorkbenchError(f"bundle template placeholder '{match.group(1)}' has no value")
        return values[match.group(1)]

    return re.sub(r"\{\{(\w+)\}\}", value, template)


def _readme(
    schema: FeatureSchema,
    request_text: str,
    response_text: str,
    extra: Any,
    examples: pd.DataFrame | None,
) -> str:
    has_card = "model_card.md" in extra
    if schema.classes is None:
        note = "`prediction` is the predicted value of `" + schema.target + "`."
        what = f"It predicts the value of `{schema.target}`."
    else:
        classes = ", ".join(f"`{c}`" for c in schema.classes)
        note = (
            "`prediction` is the predicted class; `probabilities` gives each class's probability "
            "(they sum to 1), by class name."
        )
        what = f"It predicts `{schema.target}`, one of {classes}."
    card = (
        f"{what} The model card, [model_card.md](model_card.md), describes the data, the "
        "preprocessing and model, how it was validated, its metrics, the parity check of this "
        "ONNX file against the workbench's own pipeline, and its known limitations."
        if has_card
        else f"{what} No model card was exported with this bundle."
    )
    values = {
        "run_id": schema.run_id,
        "target": schema.target,
        "task": schema.task,
        "workbench_version": schema.workbench_version,
        "dataset_sha256": schema.dataset_sha256,
        "image_name": re.sub(r"[^a-z0-9_.-]+", "-", schema.run_id.lower()).strip("-.") or "model",
        "first_column": schema.columns[0].name,
        "columns_table": columns_table(schema),
        "raw_input": "\n".join(raw_input_lines(schema)),
        "example_request": request_text,
        "example_note": "" if examples is not None else ", made-up values valid for the schema",
        "example_response": response_text,
        "response_note": note,
        "card_row": "| `model_card.md` | the model card |\n" if has_card else "",
        "card_text": card,
        **_python(),
    }
    return _fill((TEMPLATES / "README.md").read_text("utf-8"), values)
