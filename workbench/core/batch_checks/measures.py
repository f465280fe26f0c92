"""Drift of one column (or one model output): its statistics, and the verdict.

Numbers get the two-sample Kolmogorov-Smirnov test (statistic D, which is also the distance)
and PSI on the reference's decile bins; categories get Pearson's chi-square test of the 2 x k
table of reference and batch counts, PSI on the categories and the total variation distance.
The statistics and p-values come from the counts (statistics.py). The verdict (`judge`) needs
every column's p-value first: significance is judged at alpha over the number of tests
(workbench.core.monitor.options explains the rule).

A column's drift is the JSON form of workbench.core.monitor.drift.ColumnDrift; the thresholds
are DriftOptions' JSON form.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .counts import KS, CategoryCounts, Counts, NumericCounts
from .statistics import (
    chi_square,
    chi_square_sf,
    ks_p_value,
    ks_statistic,
    psi,
    shares,
    total_variation,
)

# The PSI cell pooling the categories a reference does not list.
OTHER = "(other)"
# The model's outputs are named as in a predictions file (`workbench predict`): `prediction`,
# `proba_<class>`.
PREDICTION = "prediction"
PROBA_PREFIX = "proba_"


def _number(value: float) -> str:
    return f"{value:.4g}"


def bin_labels(edges: Sequence[float]) -> tuple[str, ...]:
    """Names of the bins cut at `edges`: "< a", "a to b" (from a, below b), ">= z"."""
    if not edges:
        return ("all values",)
    inner = [f"{_number(a)} to {_number(b)}" for a, b in itertools.pairwise(edges)]
    return (f"< {_number(edges[0])}", *inner, f">= {_number(edges[-1])}")


def _missing_share(missing: int, rows: int) -> float:
    return missing / rows if rows else 0.0


def measure(
    reference: Mapping[str, Any], counts: Counts | None, options: Mapping[str, Any]
) -> dict[str, Any]:
    """The statistics of one column (its reference in JSON form); `counts` is None when the
    batch lacks the column. The verdict is left to `judge`, which sees every p-value."""
    drift: dict[str, Any] = {
        "name": reference["name"],
        "kind": reference["kind"],
        "test": reference["test"],
        "statistic": None,
        "p_value": None,
        "psi": None,
        "distance": None,
        "drifted": False,
        "note": "",
        "rows": 0,
        "missing_reference": _missing_share(reference["missing"], reference["rows"]),
        "missing_batch": None,
        "bins": [],
        "reference_shares": [],
        "batch_shares": [],
    }
    if counts is None:
        return {**drift, "note": "not in the batch"}
    drift["missing_batch"] = _missing_share(counts.missing, counts.rows)
    if reference["test"] is None:
        return {**drift, "note": reference["reason"]}
    if reference["test"] == KS and isinstance(counts, NumericCounts):
        reference_counts = np.asarray(reference["counts"], dtype=np.int64)
        batch_counts = counts.bins
        labels = list(bin_labels(reference["edges"]))
    elif reference["test"] != KS and isinstance(counts, CategoryCounts):
        reference_counts = np.asarray([*reference["counts"], reference["other"]], dtype=np.int64)
        batch_counts = counts.counts
        labels = [*reference["categories"], OTHER]
    else:
        raise ValueError(f"column '{reference['name']}' was counted as the wrong kind")
    drift.update(
        rows=counts.present,
        bins=labels,
        reference_shares=[float(s) for s in shares(reference_counts)],
        batch_shares=[float(s) for s in shares(batch_counts)],
    )
    if not counts.present:
        return {**drift, "note": "no values in the batch"}
    population = psi(reference_counts, batch_counts, options["psi_floor"])
    if isinstance(counts, NumericCounts):
        distance = ks_statistic(counts.point_counts, counts.below, counts.at_most, counts.present)
        statistic = distance
        p_value = ks_p_value(distance, int(counts.point_counts.sum()), counts.present)
    else:
        distance = total_variation(reference_counts, batch_counts)
        statistic, dof = chi_square(reference_counts, batch_counts)
        p_value = chi_square_sf(statistic, dof)
    drift.update(statistic=statistic, p_value=p_value, psi=population, distance=distance)
    return drift


def judge(
    drifts: Sequence[Mapping[str, Any]], options: Mapping[str, Any], tests: int
) -> list[dict[str, Any]]:
    """The verdict on each measured column: drifted when p < alpha / tests and PSI or the
    distance reaches its threshold; `note` says which and by how much."""
    if tests < 1:
        return [dict(drift) for drift in drifts]
    level = options["alpha"] / tests
    return [_verdict(drift, options, level) for drift in drifts]


def _verdict(drift: Mapping[str, Any], options: Mapping[str, Any], level: float) -> dict[str, Any]:
    p_value, population, distance = drift["p_value"], drift["psi"], drift["distance"]
    if p_value is None or population is None or distance is None:
        return dict(drift)
    distance_name = "D" if drift["test"] == KS else "total variation"
    measures = [
        ("PSI", population, options["psi_threshold"]),
        (distance_name, distance, options["distance_threshold"]),
    ]
    large = [
        f"{name} {value:.3g} >= {limit:.3g}" for name, value, limit in measures if value >= limit
    ]
    small = " and ".join(f"{name} {value:.3g} < {limit:.3g}" for name, value, limit in measures)
    significant = p_value < level
    if significant and large:
        note = f"drifted: {', '.join(large)}, p {p_value:.3g} < {level:.3g}"
    elif significant:
        note = f"a small change: p {p_value:.3g} < {level:.3g} but {small}"
    else:
        note = f"stable: p {p_value:.3g} >= {level:.3g}"
    return {**drift, "drifted": bool(significant and large), "note": note}


def output_columns(
    task: str,
    classes: Sequence[Any] | None,
    positive: Any,
    labels: np.ndarray,
    proba: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """A model's outputs as the columns their drift is measured on: `prediction` (the class,
    or the value), and `proba_<class>`, the positive class's probability for a binary task,
    every class's for a multiclass one (`proba`'s columns are in the order of `classes`)."""
    columns = {PREDICTION: np.asarray(labels)}
    if task == "regression" or proba is None:
        return columns
    names = list(classes or [])
    if proba.shape[1] != len(names):
        raise ValueError(
            f"probabilities for {proba.shape[1]} classes, but the run has {len(names)} "
            f"({', '.join(str(c) for c in names)})"
        )
    shown = [positive] if task == "binary" else names
    for label in shown:
        columns[f"{PROBA_PREFIX}{label}"] = proba[:, names.index(label)]
    return columns
