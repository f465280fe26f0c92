"""What a training job reports while it runs and when each model is done.

Plain frozen values with no scikit-learn in them: they cross from the training child process to
the window (pickled by the job runner) and the GUI imports this module without loading any ML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FINISHED = "finished"
FAILED = "failed"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class RunStarted:
    """A model's run began; `index` counts from 0 among `total` models (the baseline first)."""

    run_id: str
    model: str
    label: str
    index: int
    total: int


@dataclass(frozen=True)
class FoldDone:
    """Validation scores of one fold of the model's cross-validation (the live table)."""

    run_id: str
    model: str
    fold: int
    folds: int
    scores: dict[str, float]


@dataclass(frozen=True)
class TrialDone:
    """One search candidate was scored; `score` is the tuned metric's mean over the folds (NaN
    when the candidate failed, `message` then says why)."""

    run_id: str
    model: str
    trial: int
    trials: int
    params: dict[str, Any]
    score: float
    message: str | None = None


@dataclass(frozen=True)
class CandidateResult:
    """How one model's run ended. `validation` is summarise_folds output (mean, std, values of
    each metric); `test` the single score of the untouched test set (empty without one);
    `fit_seconds`/`predict_seconds` the mean per-fold fit and validation-predict times."""

    run_id: str
    model: str
    label: str
    status: str
    metric: str
    validation: dict[str, dict] = field(default_factory=dict)
    test: dict[str, float] = field(default_factory=dict)
    best_params: dict[str, Any] = field(default_factory=dict)
    fit_seconds: float = 0.0
    predict_seconds: float = 0.0
    message: str | None = None
