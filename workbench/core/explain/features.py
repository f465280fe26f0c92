"""Which original column each of a fitted pipeline's transformed features comes from.

Built-in importance, SHAP contributions and anything else measured per transformed feature
(one-hot outputs, binned or scaled copies) is reported per ORIGINAL column, summed over the
features a column became; this is the one mapping all of them use. A feature that mixes
columns (PCA, polynomial products) has no source column: the caller decides what that means.
"""

from __future__ import annotations

from typing import Any


def output_feature_names(pipeline: Any) -> list[str]:
    """The names of the matrix the model is fitted on (the chain's output)."""
    try:
        return [str(name) for name in pipeline[:-1].get_feature_names_out()]
    except Exception:  # a step without get_feature_names_out: numbered names instead
        width = getattr(pipeline.steps[-1][1], "n_features_in_", 0)
        return [f"feature {i}" for i in range(int(width))]


def feature_columns(pipeline: Any, names: list[str], original: list[str]) -> list[str | None]:
    """The original column each output feature comes from, None when it mixes columns (PCA)
    or cannot be told. A ColumnTransformer branch built on one column gives all its outputs to
    that column; otherwise a name equal to a column, or starting with `column_`, is that
    column's (the longest such column, so 'age_group_x' is 'age_group', not 'age')."""
    by_output = _column_transformer_outputs(pipeline, set(original))
    return [by_output.get(name) or _by_prefix(name, original) for name in names]


def _column_transformer_outputs(pipeline: Any, original: set[str]) -> dict[str, str]:
    from sklearn.compose import ColumnTransformer

    found: dict[str, str] = {}
    for _, step in _walk(pipeline):
        if not isinstance(step, ColumnTransformer) or not hasattr(step, "output_indices_"):
            continue
        try:
            outputs = list(step.get_feature_names_out())
        except Exception:
            continue
        for name, _, columns in step.transformers_:
            chosen = list(columns) if isinstance(columns, list | tuple) else []
            span = step.output_indices_.get(name)
            if span is None or len(chosen) != 1 or str(chosen[0]) not in original:
                continue
            for output in outputs[span]:
                found[str(output)] = str(chosen[0])
    return found


def _walk(estimator: Any) -> list[tuple[str, Any]]:
    """Every step of nested pipelines, depth first."""
    steps = []
    for name, step in getattr(estimator, "steps", []):
        steps.append((name, step))
        steps.extend(_walk(step))
    return steps


def _by_prefix(name: str, original: list[str]) -> str | None:
    matches = [c for c in original if name == c or name.startswith(f"{c}_")]
    return max(matches, key=len) if matches else None
