"""Drift of one column (or one model output), as the workbench reads it: a frozen ColumnDrift.

Numbers get the two-sample Kolmogorov-Smirnov test (statistic D, which is also the distance)
and PSI on the reference's decile bins; categories get Pearson's chi-square test of the 2 x k
table of reference and batch counts, PSI on the categories and the total variation distance.
Measuring and judging are workbench.core.batch_checks (measures.py there, shared with the
exported service), which writes a column's drift as JSON; this is the typed form the report,
the window and the HTML report read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from workbench.core import json_fields
from workbench.core.kinds import ColumnKind


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
