"""The auto search's samplers: TPE starts from the registry defaults, learns from the scores it
is told, repeats itself for the same seed and answers, and says when a small space is spent;
the random sampler draws what core.train.search draws."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from workbench.core.automl.sampler import ModelSampler
from workbench.core.automl.search import ensemble_pool
from workbench.core.models.catalog import get_model, search_space
from workbench.core.models.registry import Tunable, register, registered_models
from workbench.core.train.events import CandidateResult
from workbench.core.train.search import candidates

SPACE = {
    "x": Tunable("x", "float", 0.0, 1.0),
    "depth": Tunable("depth", "int", 1, 8),
}


def _score(params: dict) -> float:
    """Higher is better; best at x = 0.3, depth = 3."""
    return -((params["x"] - 0.3) ** 2) - 0.01 * (params["depth"] - 3) ** 2


def _drive(sampler: ModelSampler, trials: int) -> list[dict]:
    asked = []
    for _ in range(trials):
        params = sampler.ask()
        assert params is not None
        asked.append(params)
        sampler.tell(_score(params))
    return asked


def test_tpe_starts_from_the_defaults_and_closes_in_on_the_best_region() -> None:
    tpe = ModelSampler("tpe", SPACE, 0, {"x": 0.9, "depth": 6}, _score({"x": 0.9, "depth": 6}))
    (start,) = tpe.study.trials  # the defaults, scored in round 0, are its first observation
    assert start.params == {"x": 0.9, "depth": 6}
    assert start.value == pytest.approx(-0.36 - 0.09)
    asked = _drive(tpe, 40)
    for params in asked:
        assert 0.0 <= params["x"] <= 1.0 and params["depth"] in range(1, 9)
    random = ModelSampler("random", SPACE, 0, {}, None)
    drawn = _drive(random, 40)
    assert drawn == candidates("random", SPACE, 40, 0)  # the search before TPE, unchanged

    def late_gap(found: list[dict]) -> float:  # how far the last 20 draws are from the best
        return sum(-_score(p) for p in found[20:]) / 20

    assert late_gap(asked) < late_gap(drawn) / 2
    assert max(_score(p) for p in asked) > max(_score(p) for p in drawn)


def test_tpe_with_no_startup_trials_draws_next_to_the_scored_defaults_at_once() -> None:
    """The search's few-trials mode (search.FEW_TRIALS): the first draw is TPE's, near the one
    set it knows, where with startup trials it is a random draw anywhere in the space."""
    defaults = {"x": 0.9, "depth": 6}

    def first_draws(startup: int) -> list[dict]:
        return [
            ModelSampler(
                "tpe", SPACE, seed, defaults, _score(defaults), startup_trials=startup
            ).ask()
            for seed in range(10)
        ]

    for params in first_draws(0):
        assert abs(params["x"] - 0.9) < 0.1 and abs(params["depth"] - 6) <= 2
    assert sum(abs(p["x"] - 0.9) for p in first_draws(5)) / 10 > 0.3


def test_tpe_repeats_itself_for_the_same_seed_and_answers() -> None:
    def run(seed: int) -> list[dict]:
        return _drive(ModelSampler("tpe", SPACE, seed, {}, None), 15)

    assert run(3) == run(3)
    assert run(3) != run(4)


def test_a_small_space_runs_out_and_failures_are_not_asked_again() -> None:
    space = {"weights": Tunable("weights", "choice", choices=("uniform", "distance"))}
    sampler = ModelSampler("tpe", space, 0, {"weights": "uniform"}, 0.5)
    params = sampler.ask()
    assert params == {"weights": "distance"}  # the defaults were scored already
    sampler.tell(None)  # its run failed
    assert sampler.study.trials[-1].state.name == "FAIL"
    assert sampler.ask() is None  # both choices known: nothing new to try
    # A default outside the tuning range is not observed; the space is searched all the same.
    xgb = get_model("xgboost_regressor")
    defaults = {param.name: param.default for param in xgb.params}
    outside = ModelSampler("tpe", search_space(xgb), 0, {**defaults, "max_depth": 30}, 1.0)
    assert outside.study.trials == [] and outside.ask() is not None
    inside = ModelSampler("tpe", search_space(xgb), 0, defaults, 1.0)
    assert len(inside.study.trials) == 1
    with pytest.raises(ValueError, match="unknown sampler 'grid'; use one of tpe, random"):
        ModelSampler("grid", SPACE, 0, {}, None)


def test_starting_points_come_before_the_draws_and_teach_tpe() -> None:
    xgb = get_model("xgboost_regressor")
    defaults = {param.name: param.default for param in xgb.params}
    (start,) = (dict(start) for start in xgb.tuning_starts)
    assert start == {
        "learning_rate": 0.05, "max_depth": 3, "n_estimators": 300, "subsample": 0.8,
        "colsample_bytree": 0.8, "min_child_weight": 1.0, "reg_lambda": 1.0,
    }  # fmt: skip
    space = search_space(xgb)
    random = ModelSampler("random", space, 0, defaults, 1.0, xgb.tuning_starts)
    assert random.ask() == start
    random.tell(2.0)
    assert random.ask() == candidates("random", space, 1, 0)[0]  # then the draws, as before
    tpe = ModelSampler("tpe", space, 0, defaults, 1.0, xgb.tuning_starts)
    assert tpe.ask() == start
    tpe.tell(2.0)
    assert [t.value for t in tpe.study.trials] == [1.0, 2.0]  # the defaults, then the start
    assert tpe.study.trials[1].params == start
    assert tpe.ask() != start
    failed = ModelSampler("tpe", space, 0, defaults, 1.0, xgb.tuning_starts)
    assert failed.ask() == start
    failed.tell(None)  # its run failed: nothing learnt, and it is not asked again
    assert len(failed.study.trials) == 1 and failed.ask() != start
    # A start fills what it leaves out from the defaults and skips what the space does not tune;
    # one already scored is not asked again.
    one = {"x": SPACE["x"]}
    partial = ModelSampler("tpe", one, 0, {"x": 0.9, "depth": 6}, 0.4, ({"depth": 2},))
    assert partial.ask() != {"x": 0.9}
    fresh = ModelSampler("tpe", one, 0, {"x": 0.9}, None, ({"depth": 2}, {"x": 0.2}))
    assert fresh.ask() == {"x": 0.9}
    fresh.tell(0.1)
    assert fresh.ask() == {"x": 0.2}


def test_the_ensemble_pool_adds_the_best_run_of_every_other_model() -> None:
    def run(run_id: str, model: str, rmse: float) -> CandidateResult:
        return CandidateResult(
            run_id, model, model, "finished", "rmse",
            validation={"rmse": {"mean": rmse, "std": 0.0, "values": [rmse]}},
        )  # fmt: skip

    runs = [run(f"x{i}", "xgboost_regressor", 100.0 + i) for i in range(8)]
    runs += [run("h1", "hist_gradient_boosting_regressor", 120.0), run("r", "ridge", 150.0)]
    runs += [run("h0", "hist_gradient_boosting_regressor", 110.0)]
    pool = ensemble_pool(runs, lambda r: -r.validation["rmse"]["mean"])
    assert [r.run_id for r in pool] == ["x0", "x1", "x2", "x3", "x4", "x5", "h0", "r"]
    assert math.isclose(pool[-1].validation["rmse"]["mean"], 150.0)


def test_every_starting_point_is_a_valid_setting_inside_its_tuning_space() -> None:
    started = [model for model in registered_models().values() if model.tuning_starts]
    assert sorted(model.name for model in started) == [
        "hist_gradient_boosting_classifier",
        "hist_gradient_boosting_regressor",
        "xgboost_classifier",
        "xgboost_regressor",
    ]
    for model in started:
        space = search_space(model)
        for start in model.tuning_starts:
            assert model.resolve(start)  # every value passes the parameter's own checks
            assert set(start) == set(space)  # TPE observes a start only when it is complete
            for name, value in start.items():
                assert space[name].low <= value <= space[name].high, (model.name, name)
    broken = replace(started[0], name="broken_start", tuning_starts=({"depth_of_field": 3},))
    with pytest.raises(ValueError, match="'broken_start' starts undeclared parameter"):
        register(broken)
    assert "broken_start" not in registered_models()


def test_a_random_search_tries_the_starting_points_first_inside_the_users_ranges() -> None:
    from workbench.core.train.search import starting_points

    model = get_model("xgboost_classifier")
    (start,) = model.tuning_starts
    defaults = {param.name: param.default for param in model.params}
    space = search_space(model)
    first = starting_points(model.tuning_starts, space, defaults)
    assert first == [dict(start)]
    tried = candidates("random", space, 6, 0, first)
    assert tried[0] == dict(start) and len(tried) == 6
    assert tried[1:] == candidates("random", space, 5, 0)  # then the same draws as without
    assert candidates("random", space, 1, 0, first) == [dict(start)]
    assert candidates("grid", space, 4, 0, first) == candidates("grid", space, 4, 0)
    # Tuning only the learning rate: the start gives its value, the model's settings the rest.
    rate = {"learning_rate": space["learning_rate"]}
    assert starting_points(model.tuning_starts, rate, defaults) == [{"learning_rate": 0.05}]
    # A user's range that leaves the start's value out leaves the start out.
    narrow = {"learning_rate": Tunable("learning_rate", "float", 0.1, 0.3)}
    assert starting_points(model.tuning_starts, narrow, defaults) == []
    deeper = {"max_depth": Tunable("max_depth", "int", 4, 10)}
    assert starting_points(model.tuning_starts, deeper, defaults) == []
    # A setting the start does not name comes from the model's settings as set.
    gamma = {"max_depth": space["max_depth"], "gamma": Tunable("gamma", "float", 0.0, 5.0)}
    assert starting_points(model.tuning_starts, gamma, {**defaults, "gamma": 1.5}) == [
        {"max_depth": 3, "gamma": 1.5}
    ]
