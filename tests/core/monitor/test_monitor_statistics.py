"""The numpy-only drift statistics equal scipy's and numpy's own on the same arrays."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _monitor_runs import Split
from scipy import stats

from workbench.core.batch_checks import statistics
from workbench.core.batch_checks.statistics import (
    bin_counts,
    chi_square,
    chi_square_sf,
    counts_at_points,
    kolmogorov_sf,
    ks_p_value,
    ks_statistic,
    psi,
    total_variation,
)


def _ks_from_chunks(reference: np.ndarray, batch: np.ndarray, chunk: int) -> float:
    points, point_counts = np.unique(reference, return_counts=True)
    below = np.zeros(points.size, dtype=np.int64)
    at_most = np.zeros(points.size, dtype=np.int64)
    for start in range(0, batch.size, chunk):
        part_below, part_at_most = counts_at_points(np.sort(batch[start : start + chunk]), points)
        below += part_below
        at_most += part_at_most
    return ks_statistic(point_counts, below, at_most, batch.size)


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("dataset", "column"),
    [
        ("adult", "column_0"),  # ages: whole numbers, many ties
        ("adult", "column_10"),  # capital gain: 92% zeros
        ("diamonds", "carat"),
        ("insurance", "bmi"),
        ("titanic", "fare"),
    ],
)
def test_ks_statistic_from_counts_is_scipys(
    splits: Callable[[str], Split], dataset: str, column: str
) -> None:
    split = splits(dataset)
    reference = split.train[column].dropna().to_numpy(dtype=np.float64)
    batch = split.batch[column].dropna().to_numpy(dtype=np.float64)
    expected = stats.ks_2samp(reference, batch).statistic
    assert _ks_from_chunks(reference, batch, batch.size) == pytest.approx(expected, rel=1e-12)
    assert _ks_from_chunks(reference, batch, 97) == pytest.approx(expected, rel=1e-12)
    shifted = batch * 1.1
    assert _ks_from_chunks(reference, shifted, 500) == pytest.approx(
        stats.ks_2samp(reference, shifted).statistic, rel=1e-12
    )


def test_ks_statistic_with_the_batch_beyond_the_reference() -> None:
    reference = np.array([1.0, 2.0, 3.0])
    for batch in (np.array([10.0, 11.0]), np.array([-5.0, -4.0]), np.array([2.0, 2.0, 2.0])):
        assert _ks_from_chunks(reference, batch, 1) == pytest.approx(
            stats.ks_2samp(reference, batch).statistic, rel=1e-12
        )


@pytest.mark.shared_data
def test_chi_square_is_scipys_contingency_test(splits: Callable[[str], Split]) -> None:
    split = splits("adult")
    for column in ("column_1", "column_5", "column_9", "column_13"):
        reference = split.train[column].value_counts()
        batch = split.batch[column].value_counts()
        categories = sorted(set(reference.index) | set(batch.index))
        table = np.array(
            [reference.reindex(categories, fill_value=0), batch.reindex(categories, fill_value=0)]
        )
        expected = stats.chi2_contingency(table, correction=False)
        statistic, dof = chi_square(table[0], table[1])
        assert statistic == pytest.approx(expected.statistic, rel=1e-10)
        assert dof == expected.dof
        assert chi_square_sf(statistic, dof) == pytest.approx(expected.pvalue, rel=1e-9)


def test_chi_square_leaves_out_empty_categories_and_degenerate_tables() -> None:
    statistic, dof = chi_square(np.array([10, 0, 5]), np.array([3, 0, 9]))
    expected = stats.chi2_contingency(np.array([[10, 5], [3, 9]]), correction=False)
    assert (statistic, dof) == (pytest.approx(expected.statistic), 1)
    assert chi_square(np.array([10, 0]), np.array([4, 0])) == (0.0, 0)
    assert chi_square_sf(0.0, 0) == 1.0


@pytest.mark.parametrize("dof", [1, 2, 3, 7, 20, 49, 199, 1000])
def test_chi_square_p_value_is_scipys(dof: int) -> None:
    for statistic in (1e-6, 0.01, 0.5, 1.0, 3.0, 10.0, 50.0, 200.0, 1000.0, 2500.0):
        expected = stats.chi2.sf(statistic, dof)
        if expected > 1e-300:  # below, both underflow toward zero
            assert chi_square_sf(statistic, dof) == pytest.approx(expected, rel=1e-9, abs=0)


def test_kolmogorov_distribution_is_scipys() -> None:
    for x in np.concatenate([np.linspace(0.02, 4.0, 400), [0.999999, 1.0, 1.000001, 6.0, 8.0]]):
        expected = stats.kstwobign.sf(x)
        if expected > 1e-300:
            assert kolmogorov_sf(float(x)) == pytest.approx(expected, rel=1e-10, abs=0)
    assert kolmogorov_sf(0.0) == 1.0


@pytest.mark.shared_data
def test_ks_p_value_is_the_asymptotic_two_sample_p_value(splits: Callable[[str], Split]) -> None:
    split = splits("diamonds")
    reference = split.train["depth"].to_numpy(dtype=np.float64)
    batch = split.batch["depth"].to_numpy(dtype=np.float64) + 0.1
    d = stats.ks_2samp(reference, batch).statistic
    n1, n2 = reference.size, batch.size
    expected = stats.kstwobign.sf(d * np.sqrt(n1 * n2 / (n1 + n2)))
    assert ks_p_value(d, n1, n2) == pytest.approx(expected, rel=1e-10)
    # Against scipy's own asymptotic method (the exact finite-n distribution): close, not equal.
    assert ks_p_value(d, n1, n2) == pytest.approx(
        stats.ks_2samp(reference, batch, method="asymp").pvalue, rel=0.05
    )


@pytest.mark.shared_data
def test_bin_counts_are_numpys_histogram(splits: Callable[[str], Split]) -> None:
    values = splits("adult").train["column_0"].to_numpy(dtype=np.float64)
    edges = np.unique(np.quantile(values, np.arange(1, 10) / 10))
    expected, _ = np.histogram(values, bins=[-np.inf, *edges, np.inf])
    assert bin_counts(np.sort(values), edges).tolist() == expected.tolist()


def test_psi_and_total_variation_by_their_formulas() -> None:
    reference = np.array([50, 30, 20, 0])
    batch = np.array([20, 30, 40, 10])
    p = np.maximum(reference / 100, 1e-4)
    q = np.maximum(batch / 100, 1e-4)
    assert psi(reference, batch, 1e-4) == pytest.approx(float(np.sum((q - p) * np.log(q / p))))
    assert psi(reference, reference * 3, 1e-4) == 0.0
    assert total_variation(reference, batch) == pytest.approx(0.5 * (0.3 + 0 + 0.2 + 0.1))


def test_the_batch_checks_import_nothing_but_numpy_and_the_standard_library() -> None:
    """The exported service carries workbench.core.batch_checks: its modules may import numpy, the
    standard library and each other (relatively), not scipy, pandas or the workbench."""
    folder = Path(statistics.__file__).parent
    imported: dict[str, set[str]] = {}
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported[path.name] = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            (node.module or "").split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level == 0
        }
    assert imported["statistics.py"] == {"__future__", "math", "numpy"}
    assert set(imported) == {
        "__init__.py", "batch.py", "counts.py", "measures.py", "performance.py", "scores.py",
        "statistics.py", "validation.py", "values.py",
    }  # fmt: skip
    allowed = {"__future__", "collections", "dataclasses", "itertools", "math", "re", "typing"}
    for name, modules in imported.items():
        assert modules <= allowed | {"numpy"}, name


def test_counts_of_a_frame_column_with_missing_values() -> None:
    values = pd.Series([3.0, None, 1.0, 2.0, 2.0]).dropna().to_numpy()
    below, at_most = counts_at_points(np.sort(values), np.array([1.0, 2.0, 2.5, 3.0]))
    assert below.tolist() == [0, 1, 3, 3]
    assert at_most.tolist() == [1, 3, 3, 4]
