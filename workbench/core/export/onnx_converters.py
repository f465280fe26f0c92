"""skl2onnx converters for the XGBoost models the workbench wraps, registered with the step
converters (`converters.catalog`).

skl2onnx knows scikit-learn; XGBoost's converter lives in onnxmltools and is registered the
way skl2onnx documents it (`update_registered_converter` with
`calculate_linear_classifier_output_shapes` and onnxmltools' `convert_xgboost`).

Why XGBoost goes through stand-in classes: the workbench's `XGBClassifierLabels` trains
xgboost on class codes 0..k-1 and keeps the real labels in its own `classes_`. onnxmltools
writes the labels of the model it converts (`classes_`, a read-only range on XGBClassifier),
so the exporter converts a copy of the fitted booster whose `classes_` holds the real labels:
the ONNX `label` output then gives real class values, no index mapping needed afterwards.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

import numpy as np
from xgboost import XGBClassifier, XGBRegressor

_LOCK = threading.Lock()
_REGISTERED = False


class OnnxXGBClassifier(XGBClassifier):
    """A fitted XGBClassifier copy whose `classes_` is writable (the real class labels)."""

    classes_: Any = None


class OnnxXGBRegressor(XGBRegressor):
    """A fitted XGBRegressor copy, registered under its own name so no global XGBRegressor
    registration of another library is overridden."""


def xgboost_stand_in(wrapper: Any) -> Any:
    """The estimator skl2onnx converts in place of a workbench XGBoost wrapper."""
    from workbench.core.models.factories import XGBClassifierLabels, XGBRegressorDense

    if isinstance(wrapper, XGBClassifierLabels):
        model = copy.copy(wrapper.model_)
        model.__class__ = OnnxXGBClassifier
        model.classes_ = np.asarray(wrapper.classes_)
        return model
    if isinstance(wrapper, XGBRegressorDense):
        model = copy.copy(wrapper.model_)
        model.__class__ = OnnxXGBRegressor
        return model
    raise TypeError(f"{type(wrapper).__name__} is not a workbench XGBoost model")


def register_converters() -> None:
    """Register the converters once per process (skl2onnx keeps a global registry)."""
    global _REGISTERED
    with _LOCK:
        if _REGISTERED:
            return
        from onnxmltools.convert.xgboost.operator_converters.XGBoost import convert_xgboost
        from skl2onnx import update_registered_converter
        from skl2onnx.common.shape_calculator import (
            calculate_linear_classifier_output_shapes,
            calculate_linear_regressor_output_shapes,
        )

        from workbench.core.export.converters.catalog import register_step_converters

        update_registered_converter(
            OnnxXGBClassifier,
            "WorkbenchXGBClassifier",
            calculate_linear_classifier_output_shapes,
            convert_xgboost,
            options={"nocl": [True, False], "zipmap": [True, False, "columns"]},
        )
        update_registered_converter(
            OnnxXGBRegressor,
            "WorkbenchXGBRegressor",
            calculate_linear_regressor_output_shapes,
            convert_xgboost,
        )
        register_step_converters()
        _REGISTERED = True
