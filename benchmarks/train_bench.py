"""Training benchmark: the runner against the same work in a plain scikit-learn script.

On UCI adult (clean/adult-train.csv, 32,561 rows, target column_14, 20% test set), in the
same process, --repeat (default 6) alternating pairs; overhead is the median pair's ratio:

  cv        5-fold stratified CV of random forest and XGBoost (registry defaults: 200 trees;
            300 rounds), then a final fit on every non-test row and one test score
  search    random search, 10 candidates x 3 folds, XGBoost, then the final fit and test score

"ours" is run_training (the project's chain compiled + the model's default chain, every metric
on every fold's training and validation rows, artifacts and the SQLite log); "plain" is the same
pipeline written by hand (float32 numbers, one SimpleImputer / OneHotEncoder per column in
column order, the same model parameters), the same folds and candidates, scored with
scikit-learn scorers (ROC AUC and accuracy), GridSearchCV over the same candidate list for the
search. The table shows both times, the overhead, and the ROC AUC of each (they must be equal).
Early stopping is off for the comparison (a plain XGBoost does not stop early).

    python benchmarks/train_bench.py [--data ../shared/data] [--jobs N] [--repeat N]
        [--work rf xgb search]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from xgboost import XGBClassifier

from workbench.core.dataset import import_table
from workbench.core.models.catalog import get_model, search_space
from workbench.core.project import create_project
from workbench.core.specs import ModelSpec, SplitSpec, TrainSpec, TuneSpec
from workbench.core.train.runner import run_training
from workbench.core.train.search import candidates
from workbench.core.train.splits import plan_split

TARGET = "column_14"
POSITIVE = ">50K"
SEED = 0
TEST = 0.2


def make_project(data: Path, folder: Path) -> Path:
    project = create_project(folder / "adult")
    project.attach_dataset(import_table(project.root, data / "clean" / "adult-train.csv"))
    project.set_target(TARGET, project.task)
    project.save()
    return project.root


# --- plain scikit-learn -------------------------------------------------------------------------


def plain_folds(y: pd.Series, n_splits: int) -> tuple[np.ndarray, list]:
    """The runner's plan written out: a stratified test set, then stratified k-fold."""
    codes, _ = pd.factorize(y, sort=True)
    rows = np.arange(len(y))
    rest, test = train_test_split(
        rows, test_size=math.ceil(TEST * len(y)), random_state=SEED, stratify=codes
    )
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=SEED)
    folds = [(np.sort(rest[a]), np.sort(rest[b])) for a, b in splitter.split(rest, codes[rest])]
    return np.sort(test), folds


def plain_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, list[str], list[str]]:
    X = frame.drop(columns=TARGET)
    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c].dtype)]
    categorical = [c for c in X.columns if c not in numeric]
    cast = {c: X[c].to_numpy(dtype=np.float32) for c in numeric}
    cast |= {c: X[c].to_numpy(dtype=object, na_value=np.nan) for c in categorical}
    y = (frame[TARGET] == POSITIVE).to_numpy().astype(int)
    return pd.DataFrame(cast)[list(X.columns)], y, numeric, categorical


def plain_pipeline(X: pd.DataFrame, numeric: list[str], model: Any, impute: bool) -> Pipeline:
    parts = []
    for column in X.columns:
        if column in numeric:
            step = SimpleImputer(strategy="median", keep_empty_features=True) if impute else None
            parts.append((column, step or "passthrough", [column]))
        else:
            encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
            parts.append((column, encoder, [column]))
    return Pipeline([("columns", ColumnTransformer(parts)), ("model", model)])


def plain_cv(pipeline: Pipeline, X: pd.DataFrame, y: np.ndarray, folds: list, test: np.ndarray):
    """Fold fits with validation and training scores, the final fit, one test score."""
    aucs = []
    for train, valid in folds:
        fitted = clone(pipeline).fit(X.iloc[train], y[train])
        for rows in (valid, train):
            proba = fitted.predict_proba(X.iloc[rows])[:, 1]
            auc = roc_auc_score(y[rows], proba)
            accuracy_score(y[rows], (proba > 0.5).astype(int))
            if rows is valid:
                aucs.append(auc)
    development = np.union1d(folds[0][0], folds[0][1])
    final = clone(pipeline).fit(X.iloc[development], y[development])
    test_auc = roc_auc_score(y[test], final.predict_proba(X.iloc[test])[:, 1])
    return aucs, test_auc


def plain_search(pipeline, X, y, folds, test, trials):
    grid = [{f"model__{k}": [v] for k, v in params.items()} for params in trials]
    development = np.union1d(folds[0][0], folds[0][1])
    position = {row: i for i, row in enumerate(development)}
    cv = [
        (np.array([position[r] for r in a]), np.array([position[r] for r in b])) for a, b in folds
    ]
    search = GridSearchCV(pipeline, grid, scoring="roc_auc", cv=cv, refit=True)
    search.fit(X.iloc[development], y[development])
    test_auc = roc_auc_score(y[test], search.predict_proba(X.iloc[test])[:, 1])
    best = search.best_index_
    aucs = [search.cv_results_[f"split{i}_test_score"][best] for i in range(len(folds))]
    return aucs, test_auc, {k.removeprefix("model__"): v for k, v in search.best_params_.items()}


# --- ours ---------------------------------------------------------------------------------------


def ours(root: Path, model: str, n_splits: int, tune: TuneSpec, jobs: int | None):
    spec = TrainSpec(
        models=(ModelSpec(model),),
        split=SplitSpec("stratified_kfold", n_splits=n_splits, test_fraction=TEST),
        tune=tune,
        seed=SEED,
        n_jobs=jobs,
        include_baseline=False,
        early_stopping=False,
    )
    (result,) = run_training(root, spec)
    assert result.status == "finished", result.message
    return result.validation["roc_auc"]["values"], result.test["roc_auc"], result.best_params


def timed(work):
    started = time.perf_counter()
    value = work()
    return time.perf_counter() - started, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).parents[2] / "shared/data")
    parser.add_argument("--jobs", type=int, default=None, help="cores (default: all)")
    parser.add_argument("--repeat", type=int, default=6, help="alternating pairs of runs")
    parser.add_argument(
        "--work", nargs="*", default=["rf", "xgb", "search"], help="rf, xgb and/or search"
    )
    args = parser.parse_args()
    jobs = args.jobs or __import__("os").cpu_count()
    with tempfile.TemporaryDirectory() as folder:
        root = make_project(args.data, Path(folder))
        dataset = next((root / "data").glob("*.parquet"))
        frame = pd.read_parquet(dataset)
        X, _, numeric, _ = plain_frame(frame)
        rows = []
        works = {
            "rf": ("random_forest_classifier", 5, "none"),
            "xgb": ("xgboost_classifier", 5, "none"),
            "search": ("xgboost_classifier", 3, "random"),
        }
        for name, n_splits, method in (works[w] for w in args.work):
            test, folds = plain_folds(frame[TARGET], n_splits)
            plan = plan_split(frame, TARGET, "binary", SplitSpec(n_splits=n_splits), SEED)
            assert np.array_equal(plan.test_rows, test)
            assert all(np.array_equal(a[1], b[1]) for a, b in zip(plan.folds, folds, strict=True))
            if name.startswith("random_forest"):
                model: Any = RandomForestClassifier(
                    n_estimators=200, max_features="sqrt", random_state=SEED, n_jobs=jobs
                )
            else:
                model = XGBClassifier(
                    n_estimators=300, learning_rate=0.1, max_depth=6, subsample=1.0,
                    colsample_bytree=1.0, min_child_weight=1.0, reg_lambda=1.0,
                    random_state=SEED, n_jobs=jobs, tree_method="hist",
                    objective="binary:logistic", eval_metric="logloss",
                )  # fmt: skip
            pipeline = plain_pipeline(X, numeric, model, impute=name.startswith("random"))
            tune = TuneSpec(method, n_trials=10, metric="roc_auc")
            space = search_space(get_model(name))
            trials = candidates(method, space, 10, SEED) if method != "none" else []

            def plain_work(p=pipeline, k=n_splits, c=trials):
                # A plain script starts from the data file too, as the runner does.
                table = pd.read_parquet(dataset)
                X, y, _, _ = plain_frame(table)
                test, folds = plain_folds(table[TARGET], k)
                if not c:
                    return (*plain_cv(p, X, y, folds, test), {})
                return plain_search(p, X, y, folds, test, c)

            def our_work(n=name, k=n_splits, tu=tune):
                return ours(root, n, k, tu, args.jobs)

            # Alternating the two and comparing each pair run back to back cancels most of the
            # noise of a shared virtual machine (its speed drifts by 20% over minutes): the
            # overhead is the median of the pairs' ratios; the times shown are each one's best.
            # The order alternates too (plain first, then ours first), so that whatever the
            # first of two runs pays (or gains) falls on both equally.
            plain_times, our_times = [], []
            for pair in range(args.repeat):
                if pair % 2:
                    our_time, (our_aucs, our_test, our_best) = timed(our_work)
                plain_time, (plain_aucs, plain_test, plain_best) = timed(plain_work)
                if not pair % 2:
                    our_time, (our_aucs, our_test, our_best) = timed(our_work)
                plain_times.append(plain_time)
                our_times.append(our_time)
            ratios = [100 * (o / p - 1) for o, p in zip(our_times, plain_times, strict=True)]
            plain_time, our_time = min(plain_times), min(our_times)
            same = (
                np.array_equal(np.asarray(plain_aucs), np.asarray(our_aucs))
                and plain_test == our_test
                and (not plain_best or plain_best == our_best)
            )
            label = f"{name.split('_classifier')[0]} {'cv' if method == 'none' else 'search'}"
            rows.append(
                (label, our_time, plain_time, float(np.median(ratios)),
                 np.mean(our_aucs), np.mean(plain_aucs), our_test, plain_test, same)
            )  # fmt: skip
            pairs = ", ".join(f"{r:+.1f}%" for r in ratios)
            print(f"  done: {label} (overhead of each pair: {pairs})", flush=True)
    print(f"\nadult, {len(frame):,} rows, {jobs} cores")
    header = (
        f"{'work':<22}{'ours s':>9}{'plain s':>9}{'overhead':>10}"
        f"{'cv auc ours':>13}{'plain':>9}{'test ours':>11}{'plain':>9}  equal"
    )
    print(header)
    print("-" * len(header))
    for label, ours_s, plain_s, over, cv_o, cv_p, t_o, t_p, same in rows:
        print(
            f"{label:<22}{ours_s:>9.2f}{plain_s:>9.2f}{over:>9.1f}%"
            f"{cv_o:>13.5f}{cv_p:>9.5f}{t_o:>11.5f}{t_p:>9.5f}  {same}"
        )


if __name__ == "__main__":
    main()
