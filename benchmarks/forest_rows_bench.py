"""Rows per tree for the default random forest: the fit time and the error it costs, which
chose FOREST_ROWS_PER_TREE (core/models/shared_params.py).

On the largest shared tables (diamonds, regression; adult, binary) with 5-fold
cross-validation on 80% of the rows (the 20% test set `workbench train` keeps aside is left
out), each fold fits scikit-learn's RandomForestClassifier/Regressor at the registry's defaults
(200 trees, unlimited depth, max_features sqrt for classes and all for numbers), the text
columns one-hot encoded:

  every row       plain scikit-learn: max_samples=None, each tree a bootstrap of every row
  N rows          max_samples = N / training rows of the fold, as the workbench sets it

Each row: the wall time of the five fits, its ratio to every row's, the validation score
(RMSE for regression, lower is better; ROC AUC for binary, higher is better), its change
against every row's, and the forest's nodes (what the ONNX file grows with).

    python benchmarks/forest_rows_bench.py [--data ../shared/data] [--limits 10000 20000 ...]
        [--tables diamonds adult] [--jobs N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

TABLES = {
    "diamonds": ("clean/diamonds.csv", "price"),
    "adult": ("clean/adult-train.csv", None),  # no header row: the label is the last column
}


def _matrix(path: Path, target: str | None) -> tuple[np.ndarray, np.ndarray, bool]:
    frame = pd.read_csv(path, skipinitialspace=True, header=0 if target else None)
    y = frame.pop(target if target else frame.columns[-1])
    regression = pd.api.types.is_numeric_dtype(y)
    X = pd.get_dummies(frame, dtype=np.float32).to_numpy(np.float32)
    labels = (
        y.to_numpy(float)
        if regression
        else (y.astype(str) == sorted(y.astype(str).unique())[-1]).to_numpy(int)
    )
    return X, labels, regression


def _cross_validate(
    X: np.ndarray, y: np.ndarray, regression: bool, limit: int | None, jobs: int
) -> tuple[float, float, int]:
    splitter = (
        KFold(5, shuffle=True, random_state=0)
        if regression
        else StratifiedKFold(5, shuffle=True, random_state=0)
    )
    seconds, scores, nodes = 0.0, [], 0
    for train, valid in splitter.split(X, y):
        share = None if limit is None or len(train) <= limit else limit / len(train)
        if regression:
            model = RandomForestRegressor(
                200, max_features=1.0, max_samples=share, n_jobs=jobs, random_state=0
            )
        else:
            model = RandomForestClassifier(200, max_samples=share, n_jobs=jobs, random_state=0)
        started = time.perf_counter()
        model.fit(X[train], y[train])
        seconds += time.perf_counter() - started
        if regression:
            scores.append(float(np.sqrt(np.mean((model.predict(X[valid]) - y[valid]) ** 2))))
        else:
            scores.append(float(roc_auc_score(y[valid], model.predict_proba(X[valid])[:, 1])))
        nodes += sum(tree.tree_.node_count for tree in model.estimators_)
    return seconds, float(np.mean(scores)), nodes // 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).parents[1] / "../shared/data")
    parser.add_argument("--limits", type=int, nargs="+", default=[10_000, 15_000, 20_000, 25_000])
    parser.add_argument("--tables", nargs="+", default=list(TABLES), choices=list(TABLES))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    print("| table | rows per tree | fit, 5 folds | vs every row | score | change | nodes |")
    print("|---|---|---|---|---|---|---|")
    for name in args.tables:
        relative, target = TABLES[name]
        X, y, regression = _matrix(args.data / relative, target)
        development, _ = train_test_split(np.arange(len(y)), test_size=0.2, random_state=0)
        X, y = X[development], y[development]
        metric = "RMSE" if regression else "ROC AUC"
        base_seconds, base_score, base_nodes = _cross_validate(X, y, regression, None, args.jobs)
        print(
            f"| {name} ({len(y):,} rows) | every row (plain scikit-learn) | {base_seconds:.1f} s "
            f"| 1.00x | {metric} {base_score:.4g} | | {base_nodes:,} |",
            flush=True,
        )
        for limit in args.limits:
            seconds, score, nodes = _cross_validate(X, y, regression, limit, args.jobs)
            change = (score - base_score) / base_score
            print(
                f"| {name} | {limit:,} | {seconds:.1f} s | {seconds / base_seconds:.2f}x "
                f"| {metric} {score:.4g} | {change:+.2%} | {nodes:,} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
