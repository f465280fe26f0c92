"""The sentences a model card's "Limitations" section quotes from slice reports.

Plain sentences with the numbers in them, so a reader who never opens the workbench learns
where the model is weaker: the largest gap of each report (with whether the folds' spread
could explain it), and for binary tasks the two fairness differences with the groups' rates.
Nothing is said about a report without a gap (fewer than two groups of enough rows).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from workbench.core.explain.fairness import (
    DEMOGRAPHIC_PARITY_DIFFERENCE,
    EQUALIZED_ODDS_DIFFERENCE,
    SELECTION_RATE,
)
from workbench.core.explain.slices import SliceGap, SliceGroup, SliceReport, by_largest_gap
from workbench.core.metrics.names import METRIC_LABELS, greater_is_better


def limitation_sentences(reports: Sequence[SliceReport], top: int = 3) -> list[str]:
    """Sentences for the `top` largest gaps (relative to their metric's scale: the larger of
    the two values), largest first, then for the `top` largest demographic parity
    differences of binary tasks."""
    sentences = [
        _gap_sentence(report, report.gap)
        for report in by_largest_gap(reports, top)
        if report.gap is not None
    ]
    fair = [r for r in reports if math.isfinite(_parity(r))]
    fair.sort(key=_parity, reverse=True)
    sentences += [s for s in (_fairness_sentence(report) for report in fair[:top]) if s]
    return sentences


def _parity(report: SliceReport) -> float:
    return report.fairness.get(DEMOGRAPHIC_PARITY_DIFFERENCE, math.nan)


def _gap_sentence(report: SliceReport, gap: SliceGap) -> str:
    label = METRIC_LABELS.get(gap.metric, gap.metric)
    best, worst = _group(report, gap.best), _group(report, gap.worst)
    direction = "higher is better" if greater_is_better(gap.metric) else "lower is better"
    sentence = (
        f"By {report.column}: {label} is {_number(gap.worst_value)} for {_named(report, worst)} "
        f"against {_number(gap.best_value)} for {_named(report, best)} ({direction}), "
        f"a gap of {_number(gap.difference)} in out-of-fold predictions"
    )
    return sentence + _confidence(gap) + "."


def _confidence(gap: SliceGap) -> str:
    if gap.standard_error is None or not math.isfinite(gap.standard_error):
        return ""
    error = _number(gap.standard_error)
    if gap.clear:
        return f", more than twice its standard error across folds ({error})"
    return f", within twice its standard error across folds ({error}): it may be noise"


def _fairness_sentence(report: SliceReport) -> str:
    if not report.fairness:
        return ""
    parity = report.fairness.get(DEMOGRAPHIC_PARITY_DIFFERENCE, math.nan)
    odds = report.fairness.get(EQUALIZED_ODDS_DIFFERENCE, math.nan)
    rated = [g for g in report.groups if math.isfinite(g.rates.get(SELECTION_RATE, math.nan))]
    if not rated or not (math.isfinite(parity) or math.isfinite(odds)):
        return ""
    low = min(rated, key=lambda g: g.rates[SELECTION_RATE])
    high = max(rated, key=lambda g: g.rates[SELECTION_RATE])
    return (
        f"By {report.column}: the model predicts the positive class for "
        f"{_percent(low.rates[SELECTION_RATE])} of {_named(report, low)} and "
        f"{_percent(high.rates[SELECTION_RATE])} of {_named(report, high)} "
        f"(demographic parity difference {_number(parity)}); its true and false positive "
        f"rates differ between groups by up to {_number(odds)} (equalized odds difference)."
    )


def _group(report: SliceReport, value: str) -> SliceGroup:
    return next(group for group in report.groups if group.value == value)


def _named(report: SliceReport, group: SliceGroup) -> str:
    parts = " and ".join(
        f"{column} = {value}" for column, value in zip(report.columns, group.values, strict=True)
    )
    return f"{parts} ({group.count} rows)"


def _number(value: float) -> str:
    if not math.isfinite(value):
        return "undefined"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3f}"


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%"
