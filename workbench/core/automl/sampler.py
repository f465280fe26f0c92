"""Where the auto search's next parameter set for a model comes from.

Two samplers with one interface (`ask` the next parameters, `tell` how they scored):

- "tpe", the default: Optuna's Tree-structured Parzen Estimator (multivariate), one study per
  model. It models which regions of the registry's tuning space scored well and draws more
  there. The model's registry defaults, already scored in round 0, are its first observation,
  so the search starts from the defaults rather than from scratch.
- Before either draws, the model's starting points (ModelDef.tuning_starts: small boosted
  trees learning slowly) are asked, and TPE learns from their scores as from the defaults'.
  Why: after round 0 a few trials decide which families keep the budget. On insurance (seed
  0, 120 s) a random forest's defaults and two random draws beat the boosting models' first
  draws, and the forest kept the budget (best 4684.8 RMSE); with the starting points the
  boosting models led from round 1 (mean validation over three splits 4552.8 against 4559.6,
  mean test 4200.6 against 4211.8).
- "random": independent draws from the tuning space (core.train.search.candidates), the
  search before TPE, kept for benchmarks/automl_bench.py (`--samplers`).

Why TPE, measured by benchmarks/automl_bench.py at 120 s (the table is in the README): on
insurance, whose small table holds about 130 trials, the search's best validation RMSE was
4606.7 with TPE against 4632.4 with random draws (FLAML: 4618.8); on adult and credit the
budget holds a few dozen trials at most and the two were within 0.0003 ROC AUC.

Why Optuna rather than a hand-written local search: it is well kept, seeded (the same answers
give the same questions) and its ask-and-tell interface lets the search keep its own budget,
trials, folds and log; only the choice of the next candidate is Optuna's.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from workbench.core.models.registry import Tunable
from workbench.core.train.search import candidates, starting_points

SAMPLERS = ("tpe", "random")
DEFAULT_SAMPLER = "tpe"
# Trials (the observed defaults and starting points among them) before TPE models the scores;
# until then its draws are random. Few, because on large tables a 2-minute budget holds only a
# handful of trials per model; the search asks for none at all where the budget holds fewer
# than search.FEW_TRIALS of a model (`startup_trials`).
TPE_STARTUP_TRIALS = 5
# A draw TPE already made is answered from memory and asked again, at most this many times:
# small spaces (a few choices) run out of new sets.
REPEAT_DRAWS = 25
# Draws the random sampler prepares: more than any budget here runs.
RANDOM_DRAWS = 200


def _distribution(tunable: Tunable) -> Any:
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    if tunable.kind == "choice":
        return CategoricalDistribution(tunable.choices)
    assert tunable.low is not None and tunable.high is not None
    if tunable.kind == "int":
        return IntDistribution(math.ceil(tunable.low), math.floor(tunable.high), log=tunable.log)
    return FloatDistribution(tunable.low, tunable.high, log=tunable.log)


def _key(params: Mapping[str, Any]) -> tuple:
    return tuple(sorted((name, repr(value)) for name, value in params.items()))


class ModelSampler:
    """The next parameter sets of one model's tuning space, in the order the sampler picks.

    `startup_trials` is how many trials (the observed defaults and starting points counted)
    TPE waits for before it models the scores: its draws until then are random.

    `ask` returns None once no new set can be drawn. `tell` is given the score of the set the
    last `ask` returned, signed so that higher is better, or None when its run did not finish
    (a failed fit: TPE learns to avoid it; a trial the budget cut is never told)."""

    def __init__(
        self,
        method: str,
        space: Mapping[str, Tunable],
        seed: int,
        defaults: Mapping[str, Any],
        default_score: float | None,
        starts: Sequence[Mapping[str, Any]] = (),
        startup_trials: int = TPE_STARTUP_TRIALS,
    ) -> None:
        if method not in SAMPLERS:
            raise ValueError(f"unknown sampler '{method}'; use one of {', '.join(SAMPLERS)}")
        self.method = method
        self.space = dict(space)
        self.seen: dict[tuple, float | None] = {}
        self.asked: Any = None  # the open Optuna trial, or the random draw
        # The model's starting points (ModelDef.tuning_starts) restricted to the space, the
        # defaults filling what a start leaves out: asked before any draw.
        self.starts = starting_points(starts, self.space, defaults)
        self.start_asked: dict[str, Any] | None = None
        if method == "random":
            self.draws = candidates("random", self.space, RANDOM_DRAWS, seed)
            return
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.distributions = {name: _distribution(t) for name, t in self.space.items()}
        with warnings.catch_warnings():  # multivariate is "experimental" in Optuna's words
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            sampler = optuna.samplers.TPESampler(
                seed=seed, multivariate=True, n_startup_trials=startup_trials
            )
        self.study = optuna.create_study(direction="maximize", sampler=sampler)
        start = {name: defaults[name] for name in self.space if name in defaults}
        if (
            default_score is not None
            and math.isfinite(default_score)
            and len(start) == len(self.space)
        ):
            self._observe(start, default_score)

    def _observe(self, params: dict[str, Any], score: float) -> None:
        """Tell TPE about a set it did not draw (the defaults), when the set lies in the space."""
        import optuna

        try:
            trial = optuna.trial.create_trial(
                params=params, distributions=self.distributions, value=score
            )
        except ValueError:  # a default outside the tuning range: nothing to learn from
            return
        self.study.add_trial(trial)
        self.seen[_key(params)] = score

    def ask(self) -> dict[str, Any] | None:
        """The next parameter set to try, or None when the space has no new one: the starting
        points first, then the sampler's draws."""
        self.start_asked = None
        while self.starts:
            start = self.starts.pop(0)
            if _key(start) not in self.seen:
                self.start_asked = start
                return dict(start)
        if self.method == "random":
            self.asked = self.draws.pop(0) if self.draws else None
            return self.asked
        from optuna.trial import TrialState

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(REPEAT_DRAWS):
                trial = self.study.ask(self.distributions)
                params = dict(trial.params)
                key = _key(params)
                if key not in self.seen:
                    self.asked = trial
                    return params
                known = self.seen[key]
                if known is None:
                    self.study.tell(trial, state=TrialState.FAIL)
                else:
                    self.study.tell(trial, known)
        self.asked = None
        return None

    def tell(self, score: float | None) -> None:
        """How the set the last `ask` returned scored (see the class docstring)."""
        start, self.start_asked = self.start_asked, None
        if start is not None:  # a starting point: TPE learns from it as from the defaults
            self.seen[_key(start)] = score
            if self.method == "tpe" and score is not None and math.isfinite(score):
                self._observe(start, score)
            return
        trial, self.asked = self.asked, None
        if self.method == "random" or trial is None:
            return
        from optuna.trial import TrialState

        finite = score is not None and math.isfinite(score)
        self.seen[_key(trial.params)] = score if finite else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if finite:
                self.study.tell(trial, score)
            else:
                self.study.tell(trial, state=TrialState.FAIL)
