"""Auto mode benchmark: the workbench's auto search against FLAML, same budget, same folds.

For each dataset and seed, in one process: the project's data is split by the workbench's own
plan (the test rows set aside first, then 5 folds of the rest, with that seed). Then

  ours    run_auto (core.automl): successive halving over the registry's model families within
          the budget, every trial cross-validated on the plan's folds, then the soft-voting
          ensemble of the best runs; the winner's validation mean and test score
          (`--methods random` adds the same search keeping every family in every round, a
          plain search across the families: the measurement behind the halving;
          `--samplers tpe random` runs each with Optuna's TPE and with independent random
          draws of each family's next settings: the measurement behind core.automl.sampler)
  flaml   flaml.AutoML with the same time budget on the same development rows, its
          cross-validation on the same 5 folds (`split_type` given the plan's folds), the same
          metric, the same number of cores, the same seed; its best configuration's validation
          score (1 - best_loss for AUC) and the test score of its refitted model

Both get the same columns (the project's features). Validation scores are each tool's own
cross-validation mean on the same folds; the test score is the same rows for both. Binary
tasks are scored by ROC AUC, regression by RMSE (lower is better).

Why `--seeds`: one split's test score is a few hundred rows on insurance (268), where two
models a tool would call equal differ by 1-2% RMSE from the split alone. Several seeds (a new
split, new folds and new model seeds each) give each tool's mean, the figure to judge by; the
last table holds the means.

    pip install -e ".[bench]"   # FLAML
    python benchmarks/automl_bench.py [--data ../shared/data] [--budget 60] [--jobs 2]
        [--datasets adult credit insurance] [--methods halving random]
        [--samplers tpe random] [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score, root_mean_squared_error

from workbench.core.automl.result import score_of
from workbench.core.automl.sampler import DEFAULT_SAMPLER, SAMPLERS
from workbench.core.automl.search import HALVING_FACTOR, AutoSpec, run_auto
from workbench.core.dataset import import_table, load_dataset_frame
from workbench.core.project import create_project
from workbench.core.specs import TrainSpec
from workbench.core.train.runner import training_input
from workbench.core.train.splits import plan_split


@dataclass(frozen=True)
class Case:
    """A dataset of the shared data folder, its target and its task's metric."""

    name: str
    file: str
    target: str
    metric: str  # ours: roc_auc / rmse; FLAML calls them the same


CASES = {
    "adult": Case("adult", "clean/adult-train.csv", "column_14", "roc_auc"),
    "credit": Case("credit", "clean/modeldata_credit_data.csv", "Status", "roc_auc"),
    "insurance": Case("insurance", "clean/insurance.csv", "charges", "rmse"),
}


class PlanFolds:
    """The plan's folds as a scikit-learn splitter over the development rows (FLAML's
    `split_type`): the same training and validation rows the auto search used."""

    def __init__(self, folds: list[tuple[np.ndarray, np.ndarray]]) -> None:
        self.folds = folds

    def split(
        self, X: object = None, y: object = None, groups: object = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        yield from self.folds

    def get_n_splits(self, X: object = None, y: object = None, groups: object = None) -> int:
        return len(self.folds)


def make_project(data: Path, folder: Path, case: Case) -> Path:
    project = create_project(folder / case.name)
    project.attach_dataset(import_table(project.root, data / case.file, target=case.target))
    project.save()
    return project.root


# --methods: the auto search's halving factor (core.automl.search.AutoSpec) by name.
METHODS = {"halving": HALVING_FACTOR, "random": 1.0}


def ours(
    root: Path, budget: float, jobs: int, method: str, sampler: str, seed: int
) -> tuple[float, float, str, float]:
    from workbench.core.project import open_project

    inputs = training_input(open_project(root))
    started = time.monotonic()
    auto = AutoSpec(budget, halving_factor=METHODS[method], sampler=sampler)
    result = run_auto(inputs, TrainSpec(seed=seed, n_jobs=jobs), auto)
    elapsed = time.monotonic() - started
    winner = result.winner
    if winner is None:  # the budget ended before any real model finished
        return math.nan, math.nan, "none finished", elapsed
    return score_of(winner, result.metric), winner.test[result.metric], winner.label, elapsed


def flaml_run(
    root: Path, case: Case, budget: float, jobs: int, seed: int
) -> tuple[float, float, str, float]:
    from flaml import AutoML

    from workbench.core.project import open_project

    project = open_project(root)
    assert project.dataset is not None and project.task is not None
    frame = load_dataset_frame(project.root, project.dataset).reset_index(drop=True)
    plan = plan_split(frame, case.target, project.task, TrainSpec().split, seed)
    development = np.sort(plan.development_rows)
    position = {row: i for i, row in enumerate(development)}
    folds = [
        (
            np.asarray([position[r] for r in train]),
            np.asarray([position[r] for r in valid]),
        )
        for train, valid in plan.folds
    ]
    features = list(project.feature_kinds())
    X = frame[features].copy()
    for column in X.columns:  # FLAML takes text as pandas categories
        if X[column].dtype == object or str(X[column].dtype).startswith("string"):
            X[column] = X[column].astype("category")
    y = frame[case.target]
    regression = case.metric == "rmse"
    automl = AutoML()
    started = time.monotonic()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        automl.fit(
            X.iloc[development],
            y.iloc[development] if regression else y.iloc[development].astype(str),
            task="regression" if regression else "classification",
            metric=case.metric,
            time_budget=budget,
            eval_method="cv",
            split_type=PlanFolds(folds),
            n_jobs=jobs,
            seed=seed,
            verbose=0,
        )
    elapsed = time.monotonic() - started
    X_test, y_test = X.iloc[plan.test_rows], y.iloc[plan.test_rows]
    if regression:
        validation = float(automl.best_loss)
        test = float(root_mean_squared_error(y_test, automl.predict(X_test)))
    else:
        validation = 1.0 - float(automl.best_loss)
        # ROC AUC is the same whichever class is called positive (scored by its probability).
        proba = automl.predict_proba(X_test)
        positive = str(automl.classes_[1])
        test = float(roc_auc_score(y_test.astype(str) == positive, proba[:, 1]))
    return validation, test, str(automl.best_estimator), elapsed


def shown(score: float) -> str:
    """Five decimals: at four, ROC AUCs of the two tools tie on adult (0.9289 both)."""
    return f"{score:.5f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per tool per dataset")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--datasets", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--methods", nargs="+", default=["halving"], choices=list(METHODS))
    parser.add_argument("--samplers", nargs="+", default=[DEFAULT_SAMPLER], choices=SAMPLERS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0], help="one split per seed")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name in args.datasets:
            case = CASES[name]
            root = make_project(args.data, Path(folder), case)
            ours_tools = [(m, s) for m in args.methods for s in args.samplers]
            for seed in args.seeds:
                for tool in (*(f"ours ({m}, {s})" for m, s in ours_tools), "FLAML"):
                    if tool.startswith("ours"):
                        method, sampler = tool[len("ours (") : -1].split(", ")
                        validation, test, best, elapsed = ours(
                            root, args.budget, args.jobs, method, sampler, seed
                        )
                    else:
                        validation, test, best, elapsed = flaml_run(
                            root, case, args.budget, args.jobs, seed
                        )
                    rows.append((name, case.metric, tool, seed, validation, test, best, elapsed))
                    print(
                        f"{name:10} {tool:22} seed {seed} {case.metric:8} "
                        f"validation {shown(validation)} test {shown(test)}  {elapsed:5.0f} s  "
                        f"{best}",
                        flush=True,
                    )
    print()
    print(f"budget {args.budget:g} s per tool per dataset, {args.jobs} cores")
    print("| dataset | metric | tool | seed | validation | test | seconds | best model |")
    print("|---|---|---|---|---|---|---|---|")
    for name, metric, tool, seed, validation, test, best, elapsed in rows:
        print(
            f"| {name} | {metric} | {tool} | {seed} | {shown(validation)} | {shown(test)} | "
            f"{elapsed:.0f} | {best} |"
        )
    if len(args.seeds) > 1:
        print()
        print(f"mean over seeds {' '.join(map(str, args.seeds))}")
        print("| dataset | metric | tool | validation | test |")
        print("|---|---|---|---|---|")
        groups: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
        for name, metric, tool, _, validation, test, _, _ in rows:
            groups.setdefault((name, metric, tool), []).append((validation, test))
        for (name, metric, tool), scores in groups.items():
            validation = float(np.mean([v for v, _ in scores]))
            test = float(np.mean([t for _, t in scores]))
            print(f"| {name} | {metric} | {tool} | {shown(validation)} | {shown(test)} |")


if __name__ == "__main__":
    main()
