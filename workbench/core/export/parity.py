"""Proof that an exported ONNX model predicts what the workbench's fitted pipeline predicts.

Both are run on the run's held-out rows: the test rows when the split kept a test set (rows no
fit ever saw), else a fixed sample of up to PARITY_SAMPLE development rows. Classification
compares the probabilities (largest absolute difference) and the labels; regression compares
predictions relative to their size: |a - b| / max(|b|, mean |b|, 1). float32 rounding grows
with the size of the numbers a model adds up, not with its result, so a prediction near zero
(a linear model cancelling large terms) is compared at the scale of the predictions.

A label may differ only where the pipeline's two best classes are tied within the threshold
(the argmax of equal numbers is decided by rounding); any other disagreement fails.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbench.core.export.feature_schema import FeatureSchema

if TYPE_CHECKING:
    from workbench.core.runs.loaded import LoadedRun

DEFAULT_THRESHOLD = 1e-4
PARITY_SAMPLE = 2000
SOURCE_TEST = "test rows"
SOURCE_SAMPLE = "development sample"


@dataclass(frozen=True)
class ParityResult:
    """How closely the ONNX model matched the fitted pipeline, and on which rows."""

    source: str
    rows: int
    measure: str  # "probability" (max absolute difference) or "relative" (regression)
    max_difference: float
    max_abs_difference: float
    worst_row: int | None  # position in the project's data of the largest difference
    label_agreement: float | None
    label_mismatches: int
    tied_mismatches: int
    threshold: float
    passed: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParityResult:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})

    def summary(self) -> str:
        """One line for the user: passed or not, the numbers, the rows."""
        what = "probability" if self.measure == "probability" else "relative"
        verdict = "parity passed" if self.passed else "parity FAILED"
        text = (
            f"{verdict} on {self.rows} {self.source}: max {what} difference "
            f"{self.max_difference:.3g} (threshold {self.threshold:g})"
        )
        if self.label_agreement is not None:
            text += f", labels agree on {self.label_agreement:.2%} of rows"
            if self.tied_mismatches:
                text += f" ({self.tied_mismatches} differ at tied probabilities)"
        return text


def parity_rows(run: LoadedRun) -> tuple[np.ndarray, str]:
    """Row positions (in the run's `frame`) to compare on: its held-out test rows, else a
    fixed sample of its development rows."""
    test = run.test_rows()
    if test.size:
        return test, SOURCE_TEST
    development = run.development_rows()
    development = development[development < len(run.frame)]
    if len(development) > PARITY_SAMPLE:
        rng = np.random.default_rng(0)
        development = np.sort(rng.choice(development, PARITY_SAMPLE, replace=False))
    return development, SOURCE_SAMPLE


def check_parity(
    pipeline: Any,
    model_bytes: bytes,
    schema: FeatureSchema,
    X: pd.DataFrame,
    source: str,
    threshold: float = DEFAULT_THRESHOLD,
    rows: np.ndarray | None = None,
) -> ParityResult:
    """Run both models on X (original feature columns) and measure how far apart they are."""
    import onnxruntime as ort

    from workbench.core.kinds import TaskType
    from workbench.core.pipeline import fitted_input
    from workbench.core.train.fit import predict

    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
    outputs = session.run(None, schema.onnx_feeds(X))
    # The workbench reads raw text as import does (stripped, NA tokens missing): so does the
    # exported graph, and the pipeline is given what the workbench would read.
    read = fitted_input(pipeline, schema.text_as_imported(X))
    expected = predict(pipeline, read, TaskType(schema.task))
    positions = rows if rows is not None else np.arange(len(X))
    if not schema.is_classifier:
        got = np.asarray(outputs[0], dtype=np.float64).reshape(-1)
        absolute = np.abs(got - expected.y_pred)
        size = np.abs(expected.y_pred)
        scale = max(float(size.mean()) if len(size) else 0.0, 1.0)
        relative = absolute / np.maximum(size, scale)
        worst = int(np.argmax(relative)) if len(relative) else None
        max_relative = float(relative.max()) if len(relative) else 0.0
        return ParityResult(
            source=source,
            rows=len(X),
            measure="relative",
            max_difference=max_relative,
            max_abs_difference=float(absolute.max()) if len(absolute) else 0.0,
            worst_row=int(positions[worst]) if worst is not None else None,
            label_agreement=None,
            label_mismatches=0,
            tied_mismatches=0,
            threshold=threshold,
            passed=bool(max_relative <= threshold),
        )
    labels = np.asarray(outputs[0]).reshape(-1)
    proba = np.asarray(outputs[1], dtype=np.float64)
    difference = np.abs(proba - expected.proba)
    per_row = difference.max(axis=1) if difference.size else np.zeros(len(X))
    worst = int(np.argmax(per_row)) if len(per_row) else None
    max_difference = float(per_row.max()) if len(per_row) else 0.0
    agree = np.asarray(
        [_same_label(a, b) for a, b in zip(labels, expected.y_pred, strict=True)], dtype=bool
    )
    top_two = np.sort(expected.proba, axis=1)[:, -2:] if len(X) else np.zeros((0, 2))
    tied = (top_two[:, 1] - top_two[:, 0]) <= threshold if top_two.shape[1] == 2 else agree
    mismatches = int((~agree).sum())
    tied_mismatches = int((~agree & tied).sum())
    return ParityResult(
        source=source,
        rows=len(X),
        measure="probability",
        max_difference=max_difference,
        max_abs_difference=max_difference,
        worst_row=int(positions[worst]) if worst is not None else None,
        label_agreement=float(agree.mean()) if len(agree) else 1.0,
        label_mismatches=mismatches,
        tied_mismatches=tied_mismatches,
        threshold=threshold,
        passed=bool(max_difference <= threshold and mismatches == tied_mismatches),
    )


def _same_label(onnx_label: Any, label: Any) -> bool:
    """ONNX gives int64 for numeric (and boolean) classes and str for text ones."""
    if isinstance(label, str) or isinstance(onnx_label, str | bytes):
        text = onnx_label.decode() if isinstance(onnx_label, bytes) else str(onnx_label)
        return text == str(label)
    return bool(onnx_label == label)
