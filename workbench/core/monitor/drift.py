"""Drift of one column (or one model output): its statistics, and the verdict.

Numbers get the two-sample Kolmogorov-Smirnov test (statistic D, which is also the distance)
and PSI on the reference's decile bins; categories get Pearson's chi-square test of the 2 x k
table of reference and batch counts, PSI on the categories and the total variation distance.
The statistics come from the counts (workbench.core.monitor.statistics), the p-values from
scipy: `kstwobign.sf(D * sqrt(n1 n2 / (n1 + n2)))`, the asymptotic KS distribution, which
the exported service computes the same with numpy, and `chi2.sf`. The verdict (`judge`)
needs every column's p-value first: significance is judged at alpha over the number of
tests (options.py explains the rule).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from workbench.core import json_fields
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnKind
from workbench.core.monitor.options import DriftOptions
from workbench.core.monitor.reference import (
    KS,
    CategoryReference,
    ColumnReference,
    NumericReference,
    UntestedColumn,
)
from workbench.core.monitor.statistics import (
    chi_square,
    ks_scale,
    ks_statistic,
    psi,
    shares,
    total_variation,
)
from workbench.core.monitor.tally import CategoryTally, NumericTally, Tally

OTHER = "(other)"


@dataclass(frozen=True)
class ColumnDrift:
    """How one column of a batch compares with the reference.

    `test` is "ks", "chi2" or None (not tested: `note` says why); `statistic` is the test's (D
    or chi-square), `distance` the effect size it is judged by besides PSI (D, or the total
    variation distance); `rows` the batch rows with a value tested. `bins` name the PSI bins
    (numbers: "< 25", "25 to 30" for [25, 30), ">= 70"; categories: the listed ones and
    "(other)") and `reference_shares` / `batch_shares` are each side's share of rows in them.
    `missing_batch` is None when the column is not in the batch.
    """

    name: str
    kind: ColumnKind
    test: str | None
    statistic: float | None
    p_value: float | None
    psi: float | None
    distance: float | None
    drifted: bool
    note: str
    rows: int
    missing_reference: float
    missing_batch: float | None
    bins: tuple[str, ...] = ()
    reference_shares: tuple[float, ...] = ()
    batch_shares: tuple[float, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        for key in ("bins", "reference_shares", "batch_shares"):
            data[key] = list(data[key])
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "column") -> ColumnDrift:
        data = json_fields.mapping(data, path)
        return cls(
            name=json_fields.field(data, "name", str, path),
            kind=json_fields.member(data, "kind", ColumnKind, path),
            test=json_fields.field(data, "test", (str, type(None)), path),
            statistic=json_fields.optional_number(data, "statistic", path),
            p_value=json_fields.optional_number(data, "p_value", path),
            psi=json_fields.optional_number(data, "psi", path),
            distance=json_fields.optional_number(data, "distance", path),
            drifted=json_fields.field(data, "drifted", bool, path),
            note=json_fields.field(data, "note", str, path),
            rows=json_fields.field(data, "rows", int, path),
            missing_reference=float(json_fields.field(data, "missing_reference", float, path)),
            missing_batch=json_fields.optional_number(data, "missing_batch", path),
            bins=tuple(json_fields.text_list(data, "bins", path)),
            reference_shares=tuple(json_fields.number_list(data, "reference_shares", path)),
            batch_shares=tuple(json_fields.number_list(data, "batch_shares", path)),
        )


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


def measure(reference: ColumnReference, tally: Tally | None, options: DriftOptions) -> ColumnDrift:
    """The statistics of one column; `tally` is None when the batch lacks the column. The
    verdict is left to `judge`, which sees every column's p-value."""
    missing_reference = _missing_share(reference.missing, reference.rows)
    base = ColumnDrift(
        name=reference.name,
        kind=reference.kind,
        test=reference.test,
        statistic=None,
        p_value=None,
        psi=None,
        distance=None,
        drifted=False,
        note="",
        rows=0,
        missing_reference=missing_reference,
        missing_batch=None,
    )
    if tally is None:
        return replace(base, note="not in the batch")
    base = replace(base, missing_batch=_missing_share(tally.missing, tally.rows))
    if isinstance(reference, UntestedColumn):
        return replace(base, note=reference.reason)
    if isinstance(reference, NumericReference) and isinstance(tally, NumericTally):
        reference_counts = np.asarray(reference.counts, dtype=np.int64)
        batch_counts = tally.bins
        labels = bin_labels(reference.edges)
    elif isinstance(reference, CategoryReference) and isinstance(tally, CategoryTally):
        reference_counts = np.asarray((*reference.counts, reference.other), dtype=np.int64)
        batch_counts = tally.counts
        labels = (*reference.categories, OTHER)
    else:
        raise WorkbenchError(f"column '{reference.name}' was counted as the wrong kind")
    base = replace(
        base,
        rows=tally.present,
        bins=labels,
        reference_shares=tuple(float(s) for s in shares(reference_counts)),
        batch_shares=tuple(float(s) for s in shares(batch_counts)),
    )
    if not tally.present:
        return replace(base, note="no values in the batch")
    # scipy is imported here: the window reads reports (this module) without loading it.
    from scipy import stats

    population = psi(reference_counts, batch_counts, options.psi_floor)
    if isinstance(tally, NumericTally):
        distance = ks_statistic(tally.point_counts, tally.below, tally.at_most, tally.present)
        scale = ks_scale(int(tally.point_counts.sum()), tally.present)
        statistic, p_value = distance, float(stats.kstwobign.sf(distance * scale))
    else:
        distance = total_variation(reference_counts, batch_counts)
        statistic, dof = chi_square(reference_counts, batch_counts)
        p_value = float(stats.chi2.sf(statistic, dof)) if dof else 1.0
    return replace(base, statistic=statistic, p_value=p_value, psi=population, distance=distance)


def judge(
    drifts: Sequence[ColumnDrift], options: DriftOptions, tests: int
) -> tuple[ColumnDrift, ...]:
    """The verdict on each measured column: drifted when p < alpha / tests and PSI or the
    distance reaches its threshold; `note` says which and by how much."""
    if tests < 1:
        return tuple(drifts)
    level = options.alpha / tests
    return tuple(_verdict(drift, options, level) for drift in drifts)


def _verdict(drift: ColumnDrift, options: DriftOptions, level: float) -> ColumnDrift:
    if drift.p_value is None or drift.psi is None or drift.distance is None:
        return drift
    distance_name = "D" if drift.test == KS else "total variation"
    measures = [
        ("PSI", drift.psi, options.psi_threshold),
        (distance_name, drift.distance, options.distance_threshold),
    ]
    large = [
        f"{name} {value:.3g} >= {limit:.3g}" for name, value, limit in measures if value >= limit
    ]
    small = " and ".join(f"{name} {value:.3g} < {limit:.3g}" for name, value, limit in measures)
    significant = drift.p_value < level
    if significant and large:
        note = f"drifted: {', '.join(large)}, p {drift.p_value:.3g} < {level:.3g}"
    elif significant:
        note = f"a small change: p {drift.p_value:.3g} < {level:.3g} but {small}"
    else:
        note = f"stable: p {drift.p_value:.3g} >= {level:.3g}"
    return replace(drift, drifted=bool(significant and large), note=note)
