"""The column steps' factories (declared in columns.py); imported only when a chain is
compiled, because it loads scikit-learn."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from sklearn.preprocessing import FunctionTransformer

from workbench.core.steps.transformers import (
    CastColumns,
    ParseNumbers,
    StripWhitespace,
    renamed_features,
)


def make_keep_columns(columns: tuple[str, ...], params: Mapping[str, Any]) -> FunctionTransformer:
    # func=None is the identity, which skl2onnx converts; the other branches are dropped by the
    # chain, not here.
    return FunctionTransformer(feature_names_out="one-to-one")


def make_rename(columns: tuple[str, ...], params: Mapping[str, Any]) -> FunctionTransformer:
    names = partial(renamed_features, original=columns[0], new_name=params["new_name"].strip())
    return FunctionTransformer(feature_names_out=names)


def make_cast(columns: tuple[str, ...], params: Mapping[str, Any]) -> CastColumns:
    return CastColumns(to=params["to"])


def make_parse_numbers(columns: tuple[str, ...], params: Mapping[str, Any]) -> ParseNumbers:
    return ParseNumbers()


def make_strip_whitespace(columns: tuple[str, ...], params: Mapping[str, Any]) -> StripWhitespace:
    return StripWhitespace()
