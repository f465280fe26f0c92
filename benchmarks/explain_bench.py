"""Explain benchmark: exact TreeSHAP through XGBoost against shap's TreeExplainer, and the
sampling estimate, on UCI adult.

Models fitted on the training file's rows (numbers as they are, text columns as ordinal
codes), then `--rows` rows explained, best of `--repeat` runs after one warm-up:

  workbench  explain.tree_contributions (a scikit-learn forest rewritten as XGBoost boosters)
  shap       shap.TreeExplainer(model).shap_values (tree_path_dependent), when shap is
             installed (`pip install -e ".[test]"`); the largest difference is printed too
  sampling   explain.sampled_contributions on a logistic regression (10 permutations, 50
             background rows), per explained row

    python benchmarks/explain_bench.py [--data ../shared/data] [--rows 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from workbench.core.explain.sampled_contributions import sampled_contributions
from workbench.core.explain.tree_contributions import tree_contributions

NAMES = [f"column_{i}" for i in range(15)]


def _adult(data: Path) -> tuple[pd.DataFrame, np.ndarray]:
    frame = pd.read_csv(
        data / "clean" / "adult-train.csv", header=None, names=NAMES, skipinitialspace=True
    )
    y = (frame.pop("column_14") == ">50K").to_numpy(dtype=int)
    for name in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[name]):
            frame[name] = frame[name].astype("category").cat.codes.astype("float64")
    return frame.astype("float64"), y


def _best(work: Callable[[], object], repeat: int) -> tuple[float, object]:
    result = work()  # warm-up: imports, the XGBoost model template
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        runs.append(time.perf_counter() - started)
    return min(runs), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).parents[2] / "shared" / "data")
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    X, y = _adult(args.data)
    rows = X.iloc[: args.rows]
    try:
        import shap
    except ImportError:
        shap = None
    models = {
        "random forest, 100 trees, min leaf 5": RandomForestClassifier(
            n_estimators=100, min_samples_leaf=5, n_jobs=2, random_state=0
        ),
        "hist gradient boosting, 100 iterations": HistGradientBoostingClassifier(random_state=0),
    }
    print(f"adult: {len(X):,} training rows, {args.rows} explained, {X.shape[1]} features")
    print(f"{'model':<42} {'workbench s':>12} {'shap s':>8} {'max |diff|':>11}")
    for label, model in models.items():
        model.fit(X, y)
        ours, found = _best(lambda m=model: tree_contributions(m, rows), args.repeat)
        reference, difference = "-", "-"
        if shap is not None:

            def theirs(m=model) -> np.ndarray:
                return np.asarray(shap.TreeExplainer(m).shap_values(rows, check_additivity=False))

            seconds, values = _best(theirs, args.repeat)
            values = values[:, :, 1] if values.ndim == 3 else values
            reference = f"{seconds:.2f}"
            difference = f"{np.abs(found.values[:, 0, :] - values).max():.1e}"
        print(f"{label:<42} {ours:>12.2f} {reference:>8} {difference:>11}")
    linear = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, y)
    background = X.sample(50, random_state=0)

    def sampled() -> object:
        return sampled_contributions(
            lambda frame: linear.predict_proba(frame)[:, [1]], rows, background
        )

    seconds, _ = _best(sampled, args.repeat)
    label = "sampling, logistic regression (per row)"
    print(f"{label:<42} {seconds / args.rows:>12.3f} {'-':>8} {'-':>11}")


if __name__ == "__main__":
    main()
