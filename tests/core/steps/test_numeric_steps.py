"""Numeric steps against hand-computed formulas on the shared insurance data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.core.io.table import read_table
from workbench.core.kinds import ColumnKind
from workbench.core.steps.catalog import get_step


def _fit(name: str, frame: pd.DataFrame, **params: object) -> pd.DataFrame:
    step = get_step(name)
    transformer = step.factory(tuple(frame.columns), step.resolve(params))
    return transformer.set_output(transform="pandas").fit_transform(frame)


@pytest.fixture(scope="module")
def insurance(shared_data: Path) -> pd.DataFrame:
    return read_table(shared_data / "clean/insurance.csv").frame


@pytest.fixture(scope="module")
def bmi(insurance: pd.DataFrame) -> np.ndarray:
    return insurance["bmi"].to_numpy()


@pytest.mark.parametrize(
    ("method", "formula"),
    [
        ("standard", lambda x: (x - x.mean()) / x.std()),
        ("minmax", lambda x: (x - x.min()) / (x.max() - x.min())),
        ("maxabs", lambda x: x / np.abs(x).max()),
        (
            "robust",
            lambda x: (x - np.median(x)) / (np.percentile(x, 75) - np.percentile(x, 25)),
        ),
    ],
)
def test_scale_matches_the_formula_on_insurance_bmi(
    insurance: pd.DataFrame, bmi: np.ndarray, method: str, formula: object
) -> None:
    out = _fit("scale", insurance[["bmi"]], method=method)
    assert list(out.columns) == ["bmi"]
    np.testing.assert_allclose(out["bmi"], formula(bmi), rtol=0, atol=1e-12)


def test_scale_keeps_missing_values_missing() -> None:
    out = _fit("scale", pd.DataFrame({"x": [1.0, np.nan, 3.0]}), method="standard")
    np.testing.assert_allclose(out["x"], [-1.0, np.nan, 1.0])


def _float32(values: object) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).astype(np.float32).astype(np.float64)


def test_log1p_is_log1p_rounded_to_float32_and_symmetric_below_zero(
    insurance: pd.DataFrame,
) -> None:
    out = _fit("log1p", insurance[["charges", "children"]])
    charges = insurance["charges"].to_numpy()
    # float32, the precision an exported model computes in: the model is fitted on its numbers.
    np.testing.assert_array_equal(out["charges"], _float32(np.log1p(charges)))
    assert np.abs(out["charges"] - np.log1p(charges)).max() < 5e-7
    np.testing.assert_array_equal(out["children"], _float32(np.log1p(insurance["children"])))
    edge = _fit("log1p", pd.DataFrame({"x": [-3.0, -1.0, 0.0, np.nan, 1.0]}))
    expected = _float32([-np.log(4), -np.log(2), 0.0, np.nan, np.log(2)])
    np.testing.assert_array_equal(edge["x"], expected)


def test_power_transform_standardizes(insurance: pd.DataFrame) -> None:
    out = _fit("power_transform", insurance[["charges", "bmi"]])
    # Computed in float64, rounded to float32 (the exported model's precision).
    np.testing.assert_array_equal(out, _float32(out))
    np.testing.assert_allclose(out.mean(), 0.0, atol=1e-6)
    np.testing.assert_allclose(out.std(ddof=0), 1.0, atol=1e-6)
    # Less skewed than the raw charges (skew 1.52).
    assert abs(out["charges"].skew()) < 0.1 < insurance["charges"].skew()
    raw = _fit("power_transform", insurance[["charges"]], method="box-cox", standardize=False)
    assert raw["charges"].std(ddof=0) != pytest.approx(1.0, abs=0.1)
    with pytest.raises(ValueError, match="strictly positive"):
        _fit("power_transform", pd.DataFrame({"x": [0.0, 1.0, 2.0]}), method="box-cox")


def test_clip_outliers_percentile_bounds(insurance: pd.DataFrame) -> None:
    charges = insurance["charges"].to_numpy()
    low, high = np.percentile(charges, [1, 99])
    out = _fit("clip_outliers", insurance[["charges"]], method="percentile", lower=1, upper=99)
    # The bounds are kept as float32 numbers, as the exported model stores them.
    low32, high32 = _float32([low, high])
    np.testing.assert_array_equal(out["charges"], np.clip(charges, low32, high32))
    assert out["charges"].min() == low32 and out["charges"].max() == high32
    assert abs(low32 - low) < 1e-3 and abs(high32 - high) < 1e-2
    assert ((charges < low) | (charges > high)).sum() == 28  # 14 rows at each end


def test_clip_outliers_iqr_bounds(insurance: pd.DataFrame, bmi: np.ndarray) -> None:
    q1, q3 = np.percentile(bmi, [25, 75])
    low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
    out = _fit("clip_outliers", insurance[["bmi"]], method="iqr", k=1.5)
    assert (bmi > high).sum() == 9 and (bmi < low).sum() == 0
    assert out["bmi"].max() == pytest.approx(high)
    np.testing.assert_array_equal(out["bmi"], np.clip(bmi, *_float32([low, high])))


def test_clip_outliers_edge_cases_and_check() -> None:
    frame = pd.DataFrame({"x": [np.nan, 1.0, 2.0, 3.0, 100.0], "empty": [np.nan] * 5})
    out = _fit("clip_outliers", frame, method="iqr", k=0.0)
    np.testing.assert_array_equal(out["x"], [np.nan, 1.75, 2.0, 3.0, 27.25])
    assert out["empty"].isna().all()
    step = get_step("clip_outliers")
    problem = step.check({"x": ColumnKind.NUMERIC}, step.resolve({"lower": 50, "upper": 50}))
    assert problem is not None and "lower percentile (50)" in problem
    assert step.check({"x": ColumnKind.NUMERIC}, step.resolve({})) is None


def test_bin_uniform_edges_and_counts(insurance: pd.DataFrame, bmi: np.ndarray) -> None:
    step = get_step("bin")
    transformer = step.factory(("bmi",), step.resolve({"strategy": "uniform", "n_bins": 4}))
    out = transformer.set_output(transform="pandas").fit_transform(insurance[["bmi"]])
    edges = np.linspace(bmi.min(), bmi.max(), 5)
    np.testing.assert_allclose(transformer.bin_edges_[0], edges)
    expected_counts = np.histogram(bmi, bins=edges)[0]
    assert np.bincount(out["bmi"].to_numpy().astype(int)).tolist() == expected_counts.tolist()
    assert expected_counts.tolist() == [260, 738, 311, 29]


def test_bin_quantile_edges_counts_and_one_hot(insurance: pd.DataFrame, bmi: np.ndarray) -> None:
    step = get_step("bin")
    transformer = step.factory(("bmi",), step.resolve({"strategy": "quantile", "n_bins": 4}))
    out = transformer.set_output(transform="pandas").fit_transform(insurance[["bmi"]])
    edges = np.percentile(bmi, [0, 25, 50, 75, 100])
    np.testing.assert_allclose(transformer.bin_edges_[0], edges)
    counts = np.bincount(out["bmi"].to_numpy().astype(int)).tolist()
    assert counts == np.histogram(bmi, bins=edges)[0].tolist() == [335, 333, 335, 335]
    onehot = _fit("bin", insurance[["bmi"]], strategy="quantile", n_bins=4, encode="onehot")
    assert list(onehot.columns) == ["bmi_0.0", "bmi_1.0", "bmi_2.0", "bmi_3.0"]
    assert (onehot.sum(axis=1) == 1.0).all()
    assert onehot.sum().tolist() == [335.0, 333.0, 335.0, 335.0]
    kmeans = _fit("bin", insurance[["bmi"]], strategy="kmeans", n_bins=3)
    assert sorted(kmeans["bmi"].unique()) == [0.0, 1.0, 2.0]


def test_polynomial_names_and_values(insurance: pd.DataFrame) -> None:
    frame = insurance[["age", "bmi"]]
    out = _fit("polynomial", frame, degree=2)
    assert list(out.columns) == ["age", "bmi", "age^2", "age bmi", "bmi^2"]
    age, bmi = frame["age"].to_numpy(float), frame["bmi"].to_numpy()
    np.testing.assert_allclose(
        out.to_numpy(), np.column_stack([age, bmi, age**2, age * bmi, bmi**2])
    )
    pairs = _fit("polynomial", insurance[["age", "bmi", "children"]], interaction_only=True)
    assert list(pairs.columns) == [
        "age",
        "bmi",
        "children",
        "age bmi",
        "age children",
        "bmi children",
    ]
    assert get_step("polynomial").combines_columns
