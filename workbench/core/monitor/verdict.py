"""One line per check of a report, in words, and the order columns are listed in: what the CLI
prints, the HTML report heads with and the Monitor panel shows. Written once so the three say
the same thing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from workbench.core.monitor.drift import ColumnDrift
from workbench.core.monitor.report import DriftReport


class Status(StrEnum):
    """How a check came out: `ok`, `warning` (something to look at, not a verdict of drift),
    `failed` (drifted, degraded or blocking), `skipped` (the check could not run)."""

    OK = "ok"
    WARNING = "warning"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Verdict:
    check: str
    status: Status
    text: str


def check_verdicts(report: DriftReport) -> list[Verdict]:
    """The verdict of validation, column drift, prediction drift and performance."""
    return [
        _validation(report),
        _columns(report),
        _predictions(report),
        _performance(report),
    ]


def _validation(report: DriftReport) -> Verdict:
    blocking = [p for p in report.validation if p.blocking]
    if blocking:
        names = ", ".join(sorted({p.column for p in blocking}))
        return Verdict("validation", Status.FAILED, f"{len(blocking)} blocking problem(s): {names}")
    if report.validation:
        return Verdict(
            "validation",
            Status.WARNING,
            f"passed with {len(report.validation)} warning(s): "
            + "; ".join(p.message for p in report.validation[:3])
            + ("; ..." if len(report.validation) > 3 else ""),
        )
    return Verdict("validation", Status.OK, "every column present, of its type, in range")


def _columns(report: DriftReport) -> Verdict:
    tested = [c for c in report.columns if c.p_value is not None]
    drifted = report.drifted_columns
    if not tested:
        return Verdict("column drift", Status.SKIPPED, "no column could be tested")
    if drifted:
        return Verdict(
            "column drift",
            Status.FAILED,
            f"{len(drifted)} of {len(tested)} tested columns drifted: {', '.join(drifted)}",
        )
    return Verdict("column drift", Status.OK, f"none of {len(tested)} tested columns drifted")


def _predictions(report: DriftReport) -> Verdict:
    if not report.prediction_drift:
        return Verdict(
            "prediction drift",
            Status.SKIPPED,
            "the model could not predict the batch (see validation)",
        )
    moved = [o.name for o in report.prediction_drift if o.drifted]
    if moved:
        return Verdict("prediction drift", Status.FAILED, f"drifted: {', '.join(moved)}")
    return Verdict("prediction drift", Status.OK, "the predictions are distributed as out of fold")


def _performance(report: DriftReport) -> Verdict:
    metrics = report.metrics
    if metrics is None:
        return Verdict("performance", Status.SKIPPED, "the batch has no labels (no target column)")
    main = next((m for m in metrics.metrics if m.name == metrics.metric), None)
    if main is None or main.batch is None:
        return Verdict("performance", Status.SKIPPED, "the run's metric cannot be computed here")
    where = (
        f"folds' interval {main.low:.4g} to {main.high:.4g}"
        if main.low is not None and main.high is not None
        else "no interval (one validation fold)"
    )
    text = f"{main.label} {main.batch:.4g} on {metrics.rows:,} labelled rows; {where}"
    return Verdict("performance", Status.FAILED if metrics.degraded else Status.OK, text)


def drift_order(columns: Sequence[ColumnDrift]) -> list[ColumnDrift]:
    """Columns sorted by drift: drifted first, then by PSI, untested last (the panel's order)."""
    return sorted(
        columns,
        key=lambda c: (not c.drifted, c.psi is None, -(c.psi or 0.0), c.name),
    )
