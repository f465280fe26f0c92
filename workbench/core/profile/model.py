"""What a profile holds: its options, each column's statistics, the alerts, the whole profile.

The types apart from the computing (compute.py) and the judging (alerts.py): both use them, the
profile store reads them back from JSON, and the window shows them, without importing either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.core.kinds import ColumnKind, TaskType

INFO, WARNING, CRITICAL = "info", "warning", "critical"


@dataclass(frozen=True)
class Alert:
    """One finding: what, where, how bad, the measured value, and the fix.

    `handled` says why the project needs nothing more for it (a role already set, a fixing step
    already in the chain; '' while it is open). It is worked out from the project's roles and
    chain when the alerts are shown (handled.py), so it is never part of the stored profile.
    """

    kind: str
    columns: tuple[str, ...]
    severity: str
    value: float | str | None
    threshold: float | str | None
    message: str
    fix: str
    fix_step: str | None = None
    handled: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "columns": list(self.columns),
            "severity": self.severity,
            "value": self.value,
            "threshold": self.threshold,
            "message": self.message,
            "fix": self.fix,
            "fix_step": self.fix_step,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        return cls(
            kind=str(data["kind"]),
            columns=tuple(data["columns"]),
            severity=str(data["severity"]),
            value=data.get("value"),
            threshold=data.get("threshold"),
            message=str(data["message"]),
            fix=str(data["fix"]),
            fix_step=data.get("fix_step"),
        )


QUANTILES = {"p5": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95}


@dataclass(frozen=True)
class ProfileOptions:
    """How much to compute and when to alert. Fractions are of the column's rows."""

    # Rows used for the costly parts (correlations, associations, leakage); counts are exact.
    sample_rows: int = 200_000
    histogram_bins: int = 20
    top_values: int = 10
    # |Pearson r| at or above this flags a pair as redundant; the strongest
    # max_correlation_alerts pairs (these and the associations below) get an alert each, the
    # rest one summary alert. The target is in no pair: the leakage check judges it.
    correlation_threshold: float = 0.95
    max_correlation_alerts: int = 20
    # Correlations cost columns² x rows: beyond this many numeric columns only the first ones
    # are correlated (`sampled` says so).
    max_correlation_columns: int = 100
    # Categorical near-copies: Theil's U (the share of one column's uncertainty another
    # explains) between pairs of columns with at most association_max_levels distinct values,
    # one of them text. U(B|A) at or above association_threshold says A determines B: titanic
    # embarked -> embark_town, class <-> pclass and who -> adult_male (1.0), adult education
    # <-> education-num (1.0), bank nr.employed <-> emp.var.rate (0.97 / 1.0); who -> sex
    # (0.90) and sex -> adult_male (0.76) are below. A direction is measured only when A has
    # at least association_min_rows_per_level rows per value (a value seen once determines
    # anything). At most max_association_columns columns take part (`sampled` says so).
    association_threshold: float = 0.95
    association_max_levels: int = 50
    association_min_rows_per_level: int = 10
    max_association_columns: int = 100
    # Missing share: info from 5% (impute), warning from 30%, warning "drop" from 50%.
    missing_info_fraction: float = 0.05
    missing_warning_fraction: float = 0.30
    missing_drop_fraction: float = 0.50
    # A categorical column with more distinct values than this is hard to one-hot encode.
    high_cardinality: int = 50
    # |skewness| at or above this (1 = "highly skewed" by the usual rule of thumb).
    skew_threshold: float = 1.0
    # Share of zeros in a numeric column at or above this.
    zeros_fraction: float = 0.5
    # A sentinel (-1, 999, "unknown", ...) must fill at least this many rows; a high numeric
    # sentinel must be at least `sentinel_gap` times the largest other value.
    sentinel_min_rows: int = 5
    sentinel_gap: float = 1.5
    # An ambiguous word ('none', 'nil') is a sentinel beside real missing values only when it
    # fills at most this share of the rows: crash-survey `airbag` 'none' (45%) is a category.
    sentinel_rare_fraction: float = 0.05
    # A text column is "mixed" when at least this share of its rows are numbers and the rest
    # words ("19M" and "Varies with device"); all numbers gives a numbers_as_text note.
    mixed_min_number_fraction: float = 0.5
    # Imbalance: smallest class below imbalance_ratio / classes (20% for two classes) is a
    # warning, below imbalance_critical_fraction critical.
    imbalance_ratio: float = 0.4
    imbalance_critical_fraction: float = 0.01
    # Leakage: quantile bins per numeric column and CV folds of the single-column model.
    leakage_bins: int = 20
    leakage_folds: int = 5
    # Lift (0 = baseline, 1 = perfect) at or above which one column is a critical leak.
    leakage_critical_lift: float = 0.98
    # Warning: the best column's lift is at least leakage_min_lift and leakage_dominance times
    # the runner-up's. Measured lifts (best / runner-up): bank duration 0.615 / nr.employed
    # 0.502 (1.23x) flagged; titanic, once `alive` is critical, who 0.554 / adult_male 0.530
    # (1.05x), penguins 0.758 / 0.746 (1.02x), adult 0.555 / 0.534, diamonds 0.868 / 0.864 not;
    # credit_data Seniority 0.38 is below the minimum. Also flagged, as checks rather than
    # verdicts: insurance smoker (0.62 / 0.07) and mushrooms odor (0.97 / 0.78).
    leakage_min_lift: float = 0.5
    leakage_dominance: float = 1.1
    seed: int = 0


@dataclass(frozen=True)
class ColumnProfile:
    """Statistics of one column; fields that do not apply to its kind are None."""

    name: str
    kind: ColumnKind
    dtype: str
    count: int
    missing: int
    missing_fraction: float
    distinct: int
    top_values: tuple[tuple[Any, int], ...] = ()
    min: float | str | None = None
    max: float | str | None = None
    mean: float | None = None
    std: float | None = None
    quantiles: dict[str, float | None] | None = None
    skew: float | None = None
    zeros: int | None = None
    infinities: int | None = None
    # {"edges": [...], "counts": [...]} for numbers and dates (dates as ISO strings);
    # {"categories": [...], "counts": [...], "other": n} for categories and booleans.
    histogram: dict[str, Any] | None = None
    # {"min", "mean", "max"} characters per value, for text.
    text_length: dict[str, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["kind"] = self.kind.value
        data["top_values"] = [[value, count] for value, count in self.top_values]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnProfile:
        values = dict(data)
        values["kind"] = ColumnKind(values["kind"])
        values["top_values"] = tuple((v, int(c)) for v, c in values.get("top_values", ()))
        return cls(**{k: v for k, v in values.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Profile:
    """A whole table's profile; `to_dict()` is plain JSON (no NaN, no numpy).

    `columns` is the column count here; in `to_dict()` it is "n_columns" and "columns" is the
    list of column profiles (what a reader of the JSON looks for first).
    """

    rows: int
    columns: int
    memory_bytes: int
    duplicate_rows: int
    missing_cells: int
    column_profiles: tuple[ColumnProfile, ...]
    correlations: dict[str, Any]
    associations: dict[str, dict[str, Any]]
    target: str | None
    task: TaskType | None
    alerts: tuple[Alert, ...]
    sampled: dict[str, Any]
    elapsed_seconds: float
    # Cross-validated single-column score against the target: {column: {measure, score, lift}}.
    single_column_scores: dict[str, dict[str, Any]] = field(default_factory=dict)

    def column(self, name: str) -> ColumnProfile:
        for column in self.column_profiles:
            if column.name == name:
                return column
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "n_columns": self.columns,
            "memory_bytes": self.memory_bytes,
            "duplicate_rows": self.duplicate_rows,
            "missing_cells": self.missing_cells,
            "columns": [column.to_dict() for column in self.column_profiles],
            "correlations": self.correlations,
            "associations": self.associations,
            "single_column_scores": self.single_column_scores,
            "target": self.target,
            "task": self.task.value if self.task else None,
            "alerts": [alert.to_dict() for alert in self.alerts],
            "sampled": self.sampled,
            "elapsed_seconds": self.elapsed_seconds,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Profile:
        return cls(
            rows=int(data["rows"]),
            columns=int(data["n_columns"]),
            memory_bytes=int(data["memory_bytes"]),
            duplicate_rows=int(data["duplicate_rows"]),
            missing_cells=int(data["missing_cells"]),
            column_profiles=tuple(ColumnProfile.from_dict(c) for c in data["columns"]),
            correlations=dict(data["correlations"]),
            associations=dict(data["associations"]),
            target=data.get("target"),
            task=TaskType(data["task"]) if data.get("task") else None,
            alerts=tuple(Alert.from_dict(a) for a in data["alerts"]),
            sampled=dict(data["sampled"]),
            elapsed_seconds=float(data["elapsed_seconds"]),
            single_column_scores=dict(data.get("single_column_scores", {})),
        )
