"""Rows that probe an exported model where the held-out rows are thin, for the parity tests.

For every feature column, copies of a real row with that one column changed to: a missing
value (when the column had missing values in training, the only columns where the schema lets
one through), the column's smallest and largest value, and, for text, a label never seen in
training and a seen label with spaces around it. Importable from every test folder: tests/ is
on sys.path through its conftest.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.export.feature_schema import FeatureSchema

UNSEEN = "never seen in training"


def edge_rows(
    frame: pd.DataFrame,
    schema: FeatureSchema,
    base: pd.DataFrame,
    extra: Mapping[str, Sequence[Any]] | None = None,
) -> pd.DataFrame:
    """Rows of `frame`'s feature columns built from `base`'s first row (see the module
    docstring); `extra` adds values of its own per column (infinities, odd texts)."""
    row = base[schema.names].iloc[[0]]
    variants: list[pd.DataFrame] = []
    for column in schema.columns:
        values = frame[column.name]
        present = values.dropna()
        probes: list[Any] = []
        if column.nullable:
            probes.append(None)
        if column.type in ("float", "datetime") and len(present):
            probes += [present.min(), present.max()]
        if column.type == "string" and len(present):
            probes += [UNSEEN, f"  {present.iloc[0]}  "]
        probes += list((extra or {}).get(column.name, ()))
        for probe in probes:
            changed = row.copy()
            changed[column.name] = _cast_like(probe, values)
            variants.append(changed)
    out = pd.concat([row, *variants], ignore_index=True)
    for name in schema.names:
        out[name] = out[name].astype(frame[name].dtype)
    return out


def _cast_like(value: Any, column: pd.Series) -> Any:
    if value is None:
        return pd.NaT if pd.api.types.is_datetime64_any_dtype(column.dtype) else np.nan
    return value
