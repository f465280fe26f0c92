"""What the engineer must send, in Markdown, written from the model's schema: one text for the
model card, the README beside an exported model.onnx and the Docker bundle's README, so the
three never say different things.

It says which columns the model takes (those its chain reads; the others are ignored), each
one's ONNX input and type and how a missing value is written, and how raw values are read: as
the training file was read at import (spaces stripped, NA tokens missing), by the ONNX graph
for its text inputs and by the service for every value.
"""

from __future__ import annotations

from collections.abc import Sequence

from workbench.core.export.feature_schema import FeatureSchema

# How each wire type is written, for a person.
TYPE_WORDS = {
    "float": "number (float32)",
    "bool": "true/false (float32 1/0)",
    "string": "text",
    "datetime": "date (ISO 8601 text)",
}
MISSING_WORDS = {"NaN": "NaN", "": '`""`'}
# The categories a table shows before "and N more".
SHOWN_CATEGORIES = 12


def columns_table(schema: FeatureSchema) -> str:
    """One row per input: column, ONNX input, type, whether it may be missing and how a missing
    value is fed to the ONNX model, the values seen in training."""
    lines = [
        "| column | ONNX input | type | missing allowed (ONNX form) | values seen in training |",
        "|---|---|---|---|---|",
    ]
    for column in schema.columns:
        seen = ""
        if column.categories:
            shown = ", ".join(f"`{c}`" for c in column.categories[:SHOWN_CATEGORIES])
            extra = len(column.categories) - SHOWN_CATEGORIES
            seen = shown + (f" and {extra} more" if extra > 0 else "")
        name = column.name.replace("|", "\\|")
        missing = f"yes ({MISSING_WORDS[column.missing]})" if column.nullable else "no"
        lines.append(
            f"| `{name}` | `{column.input}` | {TYPE_WORDS[column.type]} | {missing} | {seen} |"
        )
    return "\n".join(lines)


def raw_input_lines(schema: FeatureSchema) -> list[str]:
    """Bullets: what the model ignores, how raw values are read, where the contract is."""
    raw = schema.raw_input
    tokens = ", ".join(f"`{token}`" for token in raw.na_tokens) or "none"
    marks = f"decimal mark `{raw.decimal}`" + (
        f", thousands mark `{raw.thousands}`" if raw.thousands else ", no thousands mark"
    )
    strip = (
        "spaces around a text value are stripped (`' WD '` is `'WD'`)"
        if raw.strip_whitespace
        else "spaces around a text value are kept"
    )
    return [
        f"- The model takes exactly the {len(schema.columns)} columns below; any other column "
        f"(the target `{schema.target}`, a key, a column the chain drops) is ignored and need "
        "not be sent.",
        f"- Raw values are read as the training file was read: {strip}; blank text and these "
        f"NA tokens are missing: {tokens}. The ONNX model does this to its text inputs itself, "
        "so text can be fed as it appears in such a file.",
        "- ONNX number and true/false inputs are float32 tensors: a missing value is NaN, true "
        'is 1. A missing text or date is `""`. Every input has the shape [N, 1].',
        "- The HTTP service takes JSON: `null` for a missing value, or the raw text of a file "
        f"like the training one: numbers and true/false may come as text ({marks}).",
        "- A text value the training data never had is predicted as the chain treats an unseen "
        "category; the service counts them per column in its answer's `unseen`.",
        "- `schema.json` is the contract: the ONNX model's metadata (`workbench.schema`) holds "
        "the same, but some runtimes' bindings (onnxruntime-node) cannot read ONNX metadata.",
    ]


def onnx_readme(schema: FeatureSchema, files: Sequence[str]) -> str:
    """The README beside an exported model.onnx."""
    outputs = (
        "`label` (the class) and `probabilities` ([N, classes], in the order of "
        f"`classes` in schema.json: {', '.join(f'`{c}`' for c in schema.classes or ())})"
        if schema.is_classifier
        else "`variable` (the predicted value, [N, 1])"
    )
    lines = [
        f"# Model {schema.run_id}: predicts `{schema.target}` ({schema.task})",
        "",
        f"Exported by ML Workbench {schema.workbench_version}; training data sha256 "
        f"`{schema.dataset_sha256}`.",
        "",
        "| file | what it is |",
        "|---|---|",
        *[f"| `{name}` | {_FILE_WORDS.get(name, 'exported with the model')} |" for name in files],
        "",
        "## What to send",
        "",
        "`schema.json` is the caller's contract: read the columns, their types and the "
        "missing-value forms from it, not from the ONNX file's metadata.",
        "",
        *raw_input_lines(schema),
        "",
        columns_table(schema),
        "",
        "## What comes back",
        "",
        f"Outputs: {outputs}.",
        "",
        "## Checking new data",
        "",
        "Whether a batch still looks like the training data (validation against the training "
        "schema, drift per column, drift of the predictions) is answered by `workbench monitor "
        "PROJECT RUN FILE --json`, and where the model runs by the Docker service (`workbench "
        "export PROJECT RUN --docker DIR`): `POST /drift` with the records `/predict` takes "
        "answers the same report, against the run's reference the bundle carries "
        "(`monitor_reference.json`). The bundle's README shows the call.",
        "",
    ]
    return "\n".join(lines)


_FILE_WORDS = {
    "model.onnx": "the whole fitted pipeline (preprocessing and model) as ONNX",
    "schema.json": "the columns the model takes, their types and missing-value forms, the "
    "classes: the caller's contract",
    "model_card.md": "the model card",
    "README.md": "this page",
}
