"""Scoring a labelled 1M-row batch: the monitor's numpy scoring beside scikit-learn, same run.

`workbench monitor` and the exported service's `POST /drift` score a labelled batch with
workbench.core.batch_checks.scores (numpy only: the service has no scikit-learn). This times
it against the plain library and against the experiment log's `score_all`, on real
predictions drawn to `--rows` rows, best of `--repeats`:

  binary      adult: a logistic regression on the 6 numeric columns fitted on adult-train,
              adult-test drawn with replacement; the 16 binary metrics
  regression  diamonds: a ridge regression on the 6 numeric columns fitted on the file,
              its rows drawn with replacement; the 6 regression metrics

  (a) scikit-learn  one call of scikit-learn's own function per metric
  (b) score_all     the experiment log's scoring (its counted-label and binary-curve paths)
  (c) batch_checks  score_rows, with the labels turned into class positions (class_codes)

and the largest difference of (c) from (a) over the metrics.

    python benchmarks/batch_scores_bench.py [--rows 1000000] [--data ../shared/data] [--repeats 3]
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from monitor_bench import batch_arguments, best_of

from workbench.core.batch_checks.scores import class_codes, score_rows
from workbench.core.kinds import TaskType
from workbench.core.metrics.names import metrics_for
from workbench.core.metrics.scores import score_all

ADULT = [f"column_{i}" for i in range(15)]
ADULT_NUMBERS = ["column_0", "column_2", "column_4", "column_10", "column_11", "column_12"]
DIAMOND_NUMBERS = ["carat", "depth", "table", "x", "y", "z"]


def read_adult(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    frame = pd.read_csv(path, header=None, names=ADULT, skipinitialspace=True, na_values="?")
    labels = frame["column_14"].str.rstrip(".").to_numpy()
    return frame[ADULT_NUMBERS], labels


def sklearn_binary(truth: np.ndarray, predicted: np.ndarray, proba: np.ndarray) -> dict:
    from sklearn import metrics as skm

    positive, column = ">50K", proba[:, 1]
    scores = {
        "accuracy": skm.accuracy_score(truth, predicted),
        "balanced_accuracy": skm.balanced_accuracy_score(truth, predicted),
        "mcc": skm.matthews_corrcoef(truth, predicted),
        "log_loss": skm.log_loss(truth, proba, labels=["<=50K", ">50K"]),
        "brier": skm.brier_score_loss(truth == positive, column),
        "roc_auc": skm.roc_auc_score(truth == positive, column),
        "pr_auc": skm.average_precision_score(truth == positive, column),
    }
    functions = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}
    for name, function in functions.items():
        scores[name] = function(truth, predicted, pos_label=positive, zero_division=0)
        for average in ("macro", "weighted"):
            scores[f"{name}_{average}"] = function(
                truth, predicted, average=average, zero_division=0
            )
    return scores


def sklearn_regression(truth: np.ndarray, predicted: np.ndarray) -> dict:
    from sklearn import metrics as skm

    return {
        "mae": skm.mean_absolute_error(truth, predicted),
        "mse": skm.mean_squared_error(truth, predicted),
        "rmse": skm.root_mean_squared_error(truth, predicted),
        "r2": skm.r2_score(truth, predicted),
        "mape": skm.mean_absolute_percentage_error(truth, predicted),
        "median_ae": skm.median_absolute_error(truth, predicted),
    }


def largest_difference(ours: dict, theirs: dict) -> float:
    return max(abs(value - float(theirs[name])) for name, value in ours.items())


def main() -> None:
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    args = batch_arguments(__doc__.splitlines()[0])
    warnings.simplefilter("ignore")
    draw = np.random.default_rng(0)

    train, train_labels = read_adult(args.data / "clean" / "adult-train.csv")
    test, test_labels = read_adult(args.data / "clean" / "adult-test.csv")
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(train, train_labels)
    rows = draw.integers(0, len(test), args.rows)
    truth = test_labels[rows]
    proba = model.predict_proba(test)[rows]
    predicted = model.predict(test)[rows]
    classes = list(model.classes_)

    diamonds = pd.read_csv(args.data / "clean" / "diamonds.csv")
    ridge = make_pipeline(StandardScaler(), Ridge()).fit(diamonds[DIAMOND_NUMBERS], diamonds.price)
    picked = draw.integers(0, len(diamonds), args.rows)
    prices = diamonds["price"].to_numpy(dtype=np.float64)[picked]
    guesses = ridge.predict(diamonds[DIAMOND_NUMBERS])[picked]

    binary, regression = TaskType.BINARY, TaskType.REGRESSION
    work = {
        "binary": (
            lambda: sklearn_binary(truth, predicted, proba),
            lambda: score_all(binary, truth, predicted, proba, classes, ">50K").scores,
            lambda: score_rows(
                binary.value,
                metrics_for(binary),
                classes,
                ">50K",
                class_codes(classes, truth),
                class_codes(classes, predicted),
                proba,
            )[0],
        ),
        "regression": (
            lambda: sklearn_regression(prices, guesses),
            lambda: score_all(regression, prices, guesses).scores,
            lambda: score_rows(
                regression.value, metrics_for(regression), None, None, prices, guesses, None
            )[0],
        ),
    }
    print(f"{args.rows:,} labelled rows, best of {args.repeats}\n")
    print("| task | scikit-learn, one call per metric | score_all | batch_checks | "
          "largest difference from scikit-learn |")  # fmt: skip
    print("|---|---|---|---|---|")
    for task, (plain, logged, portable) in work.items():
        plain_seconds, expected = best_of(args.repeats, plain)
        logged_seconds, _ = best_of(args.repeats, logged)
        portable_seconds, scores = best_of(args.repeats, portable)
        print(f"| {task} ({len(scores)} metrics) | {plain_seconds:.2f} s | "
              f"{logged_seconds:.2f} s ({logged_seconds / plain_seconds:.2f}x) | "
              f"{portable_seconds:.2f} s ({portable_seconds / plain_seconds:.2f}x) | "
              f"{largest_difference(scores, expected):.1e} |")  # fmt: skip


if __name__ == "__main__":
    main()
