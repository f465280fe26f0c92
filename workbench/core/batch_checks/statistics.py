"""Drift statistics from counts, with numpy alone.

Why a module of its own, importing nothing but numpy and the standard library: the exported
Docker service may import only numpy, fastapi, pydantic and onnxruntime, and it answers
`POST /drift` with the same numbers as the workbench. This file is what both compute with:
the workbench's monitor counts a batch into a run's reference bins and calls these functions;
the service carries this file as it is (the package's docstring says how).

What is here and why:
- Counting: `bin_counts` (rows per reference bin) and `counts_at_points` (rows below / at most
  each reference point) work on sorted values, so a batch can be counted chunk by chunk and
  the counts added: sorting a chunk and searching the few reference edges in it is much
  cheaper than searching every row among the edges.
- Effect sizes: PSI on the reference bins, the two-sample Kolmogorov-Smirnov statistic D
  (exactly scipy's `ks_2samp` statistic on the reference points and the batch), and the total
  variation distance between category shares (what D is to numbers: the largest difference in
  probability the two distributions give any set of values).
- Significance: Pearson's chi-square for a 2 x k table of counts, and p-values with no scipy:
  `chi_square_sf` (the regularised upper incomplete gamma function) and `ks_p_value`
  (Kolmogorov's limiting distribution at D * sqrt(n1 n2 / (n1 + n2))). Both the workbench and
  the service take their p-values from these, so the two agree to the last digit; the tests
  check them equal to scipy's (`scipy.stats.chi2.sf`, `scipy.stats.kstwobign.sf`) within 1e-9.
"""

from __future__ import annotations

import math

import numpy as np

# Continued fractions and series stop when a term changes the sum by less than this.
_EPSILON = 1e-15
_MAX_TERMS = 10_000


def bin_counts(sorted_values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Rows in each bin: below edges[0], [edges[0], edges[1]), ..., at or above edges[-1].

    `sorted_values` ascending and without NaN; `edges` ascending; len(edges) + 1 counts.
    """
    below = np.searchsorted(sorted_values, edges, side="left")
    return np.diff(np.concatenate(([0], below, [sorted_values.size]))).astype(np.int64)


def counts_at_points(
    sorted_values: np.ndarray, points: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each point (ascending, distinct): rows strictly below it, and rows at or below it."""
    below = np.searchsorted(sorted_values, points, side="left").astype(np.int64)
    at_most = np.searchsorted(sorted_values, points, side="right").astype(np.int64)
    return below, at_most


def shares(counts: np.ndarray) -> np.ndarray:
    """Counts as shares of their total (zeros when the total is zero)."""
    total = counts.sum()
    return counts / total if total else np.zeros(counts.shape)


def psi(reference_counts: np.ndarray, batch_counts: np.ndarray, floor: float) -> float:
    """Population stability index: sum over bins of (batch - reference share) * ln(batch /
    reference share), each share raised to at least `floor` so an empty bin counts as rare,
    not as impossible."""
    expected = np.maximum(shares(np.asarray(reference_counts, dtype=np.float64)), floor)
    actual = np.maximum(shares(np.asarray(batch_counts, dtype=np.float64)), floor)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def total_variation(reference_counts: np.ndarray, batch_counts: np.ndarray) -> float:
    """Half the sum of the absolute differences in share: the largest difference in probability
    the two distributions give any set of categories."""
    reference = shares(np.asarray(reference_counts, dtype=np.float64))
    batch = shares(np.asarray(batch_counts, dtype=np.float64))
    return float(0.5 * np.sum(np.abs(reference - batch)))


def ks_statistic(
    point_counts: np.ndarray, below: np.ndarray, at_most: np.ndarray, batch_rows: int
) -> float:
    """The two-sample Kolmogorov-Smirnov statistic D between the reference and the batch.

    `point_counts`: how often each distinct reference point (ascending) occurs among the
    reference values; `below` / `at_most`: batch rows strictly below / at or below each point
    (`counts_at_points`, summed over chunks). Between two reference points the reference's
    distribution function is flat and the batch's rises, so the largest gap is at a point or
    just below the next one: D is exactly scipy's `ks_2samp(reference, batch).statistic`.
    """
    reference_rows = int(point_counts.sum())
    cumulative = np.cumsum(point_counts)
    at_point = cumulative / reference_rows
    before_point = np.concatenate(([0], cumulative[:-1])) / reference_rows
    gaps = np.concatenate(
        (np.abs(at_point - at_most / batch_rows), np.abs(before_point - below / batch_rows))
    )
    return float(gaps.max())


def chi_square(reference_counts: np.ndarray, batch_counts: np.ndarray) -> tuple[float, int]:
    """Pearson's chi-square statistic and degrees of freedom of the 2 x k table of counts (the
    homogeneity test: do both samples come from one distribution?). Categories empty in both
    are left out; with fewer than two left the statistic is 0 with 0 degrees of freedom."""
    table = np.vstack((reference_counts, batch_counts)).astype(np.float64)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or np.any(table.sum(axis=1) == 0):
        return 0.0, 0
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    return float(np.sum((table - expected) ** 2 / expected)), table.shape[1] - 1


def chi_square_sf(statistic: float, dof: int) -> float:
    """P(chi-square with `dof` degrees of freedom >= statistic): scipy.stats.chi2.sf."""
    if dof <= 0 or statistic <= 0:
        return 1.0
    return _upper_gamma(dof / 2.0, statistic / 2.0)


def _upper_gamma(a: float, x: float) -> float:
    """The regularised upper incomplete gamma function Q(a, x): the series of P for
    x < a + 1, else Lentz's continued fraction for Q (Numerical Recipes, 6.2)."""
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1.0:
        term = total = 1.0 / a
        denominator = a
        for _ in range(_MAX_TERMS):
            denominator += 1.0
            term *= x / denominator
            total += term
            if abs(term) < abs(total) * _EPSILON:
                break
        return max(0.0, 1.0 - total * math.exp(log_front))
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    fraction = d
    for i in range(1, _MAX_TERMS):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        step = d * c
        fraction *= step
        if abs(step - 1.0) < _EPSILON:
            break
    return math.exp(log_front) * fraction


def kolmogorov_sf(x: float) -> float:
    """P(K > x) for Kolmogorov's limiting distribution: scipy.stats.kstwobign.sf.

    Two series of the same function, each used where it converges in a few terms:
    2 sum (-1)^(k-1) exp(-2 k^2 x^2) for x >= 1, and 1 - sqrt(2 pi) / x sum
    exp(-(2k-1)^2 pi^2 / (8 x^2)) below.
    """
    if x <= 0.0:
        return 1.0
    if x >= 1.0:
        total = 0.0
        for k in range(1, 101):
            term = math.exp(-2.0 * k * k * x * x)
            total += term if k % 2 else -term
            if term < _EPSILON * abs(total):
                break
        return max(0.0, min(1.0, 2.0 * total))
    total = 0.0
    for k in range(1, 101):
        term = math.exp(-((2 * k - 1) ** 2) * math.pi**2 / (8.0 * x * x))
        total += term
        if term < _EPSILON * total or total == 0.0:
            break
    return max(0.0, min(1.0, 1.0 - math.sqrt(2.0 * math.pi) / x * total))


def ks_scale(reference_rows: int, batch_rows: int) -> float:
    """sqrt(n1 n2 / (n1 + n2)): D times this follows Kolmogorov's distribution for large n."""
    return math.sqrt(reference_rows * batch_rows / (reference_rows + batch_rows))


def ks_p_value(statistic: float, reference_rows: int, batch_rows: int) -> float:
    """The asymptotic two-sample KS p-value: kolmogorov_sf(D * ks_scale(n1, n2))."""
    return kolmogorov_sf(statistic * ks_scale(reference_rows, batch_rows))
