"""What an auto search returns and reports: plain values with no scikit-learn in them, so the
window (which never imports the ML) and the command line read the same summary."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.core.automl.budget import format_budget
from workbench.core.metrics.names import greater_is_better
from workbench.core.train.events import FINISHED, CandidateResult

# The parameter every auto search's own run logs first: what marks a run as a search.
BUDGET_PARAM = "auto.budget_seconds"

# Why the search stopped.
STOPPED_BUDGET = "budget"
STOPPED_SPACE = "space"  # every candidate of every kept family was tried before the budget
STOPPED_PERFECT = "perfect"  # a run scored the metric's best possible value on validation
STOP_REASONS = {
    STOPPED_BUDGET: "the budget ran out",
    STOPPED_SPACE: "every planned candidate was tried",
    STOPPED_PERFECT: (
        "a model scored the best possible value on validation, which no candidate can beat "
        "(check the profile's alerts: a perfect score can also mean a feature leaks the target)"
    ),
}


@dataclass(frozen=True)
class AutoStarted:
    """The search's own run began: its trials will be logged under `parent_run_id`."""

    parent_run_id: str
    budget_seconds: float


@dataclass(frozen=True)
class BudgetTick:
    """The budget's progress, sent after every trial: seconds used of the budget, trials run."""

    elapsed_seconds: float
    budget_seconds: float
    trials: int


def compared(gain: float) -> str:
    """A gain (positive is better, whichever way the metric runs) in words: "better by 0.0031"
    or "worse by 0.0031". Why words: a signed "+0.0031 rmse" reads as a higher error."""
    return f"better by {gain:.4f}" if gain >= 0 else f"worse by {-gain:.4f}"


@dataclass(frozen=True)
class AutoResult:
    """An auto search's outcome. `trials` are every run it made (the baseline first, the
    ensembles last), `best_single` the best finished non-ensemble, non-baseline run on the
    validation mean of `metric`, `ensemble` the soft-voting ensemble's run and `stacking` the
    stacking ensemble's when they were built (else their notes say why not)."""

    parent_run_id: str
    budget_seconds: float
    elapsed_seconds: float
    metric: str
    stopped: str
    trials: tuple[CandidateResult, ...] = ()
    best_single: CandidateResult | None = None
    ensemble: CandidateResult | None = None
    ensemble_note: str = ""
    families: tuple[str, ...] = field(default_factory=tuple)
    stacking: CandidateResult | None = None
    stacking_note: str = ""

    @property
    def ensembles(self) -> tuple[CandidateResult, ...]:
        """The ensembles built: soft voting, then stacking."""
        return tuple(r for r in (self.ensemble, self.stacking) if r is not None)

    @property
    def winner(self) -> CandidateResult | None:
        """The ensemble that improves most on the best single model's validation score, when
        one does, else that model."""
        best, best_gain = self.best_single, 0.0
        for result in self.ensembles:
            gain = self.gain_of(result)
            if gain is not None and gain > best_gain:
                best, best_gain = result, gain
        return best

    def gain_of(self, result: CandidateResult | None) -> float | None:
        """How much `result` improves on the best single model's validation mean (positive is
        better, whichever way the metric runs); None without either."""
        if result is None or self.best_single is None:
            return None
        ours, theirs = score_of(result, self.metric), score_of(self.best_single, self.metric)
        difference = ours - theirs
        return difference if greater_is_better(self.metric) else -difference

    def test_gain_of(self, result: CandidateResult | None) -> float | None:
        """The same improvement on the untouched test rows; None without them."""
        if result is None or self.best_single is None:
            return None
        ours = result.test.get(self.metric)
        theirs = self.best_single.test.get(self.metric)
        if ours is None or theirs is None:
            return None
        return ours - theirs if greater_is_better(self.metric) else theirs - ours

    @property
    def ensemble_gain(self) -> float | None:
        """What the soft-voting ensemble adds on validation (`gain_of`)."""
        return self.gain_of(self.ensemble)

    @property
    def test_gain(self) -> float | None:
        """What the soft-voting ensemble adds on the test rows (`test_gain_of`)."""
        return self.test_gain_of(self.ensemble)

    def summary_lines(self) -> list[str]:
        """The summary the Train panel and `workbench train --auto` both show."""
        finished = [t for t in self.trials if t.status == FINISHED]
        reason = STOP_REASONS[self.stopped]
        lines = [
            f"Auto search: {len(self.trials)} runs ({len(finished)} finished) in "
            f"{self.elapsed_seconds:.0f} s of a {format_budget(self.budget_seconds)} budget; "
            f"stopped because {reason}."
        ]
        winner = self.winner
        if winner is None:
            lines.append("No model finished: nothing to recommend.")
            return lines
        lines.append(
            f"Winner: {winner.label} (run {winner.run_id}), {self.metric} "
            f"{score_of(winner, self.metric):.4f} on validation"
            + (f", {winner.test[self.metric]:.4f} on test." if self.metric in winner.test else ".")
        )
        if self.best_single is not None and winner is not self.best_single:
            best = self.best_single
            lines.append(
                f"Best single model: {best.label} (run {best.run_id}), "
                f"{score_of(best, self.metric):.4f} on validation."
            )
        for result, note in (
            (self.ensemble, self.ensemble_note),
            (self.stacking, self.stacking_note),
        ):
            gain = self.gain_of(result)
            if result is None or gain is None:
                if note and note not in lines:
                    lines.append(note)
                continue
            name = result.label[:1].lower() + result.label[1:]
            line = (
                f"The {name} is {compared(gain)} {self.metric} than the best single model on "
                "validation"
            )
            test_gain = self.test_gain_of(result)
            line += f", {compared(test_gain)} on test." if test_gain is not None else "."
            lines.append(line)
        return lines

    def to_dict(self) -> dict[str, Any]:
        """The `--json` form."""

        def run(result: CandidateResult | None) -> dict[str, Any] | None:
            if result is None:
                return None
            validation = score_of(result, self.metric)
            return {
                "run_id": result.run_id,
                "model": result.model,
                "label": result.label,
                "status": result.status,
                "validation": None if math.isnan(validation) else validation,
                "test": result.test.get(self.metric),
                "message": result.message,
            }

        winner = self.winner
        return {
            "parent_run_id": self.parent_run_id,
            "budget_seconds": self.budget_seconds,
            "elapsed_seconds": round(self.elapsed_seconds, 3),
            "metric": self.metric,
            "stopped": self.stopped,
            "families": list(self.families),
            "trials": [run(t) for t in self.trials],
            "best_single": run(self.best_single),
            "ensemble": run(self.ensemble),
            "stacking": run(self.stacking),
            "winner": run(winner),
            "ensemble_gain": self.ensemble_gain,
            "ensemble_test_gain": self.test_gain,
            "ensemble_note": self.ensemble_note,
            "stacking_gain": self.gain_of(self.stacking),
            "stacking_test_gain": self.test_gain_of(self.stacking),
            "stacking_note": self.stacking_note,
        }


def is_auto_search(params: Mapping[str, Any]) -> bool:
    """Whether a run with these logged parameters is an auto search's own run."""
    return BUDGET_PARAM in params


def score_of(result: CandidateResult, metric: str) -> float:
    """The run's validation mean of `metric` (NaN when it has none)."""
    summary = result.validation.get(metric)
    return float(summary["mean"]) if summary else math.nan
