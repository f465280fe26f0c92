"""Chain benchmark: the preview the chain panel runs on each edit, and a full compile + fit.

On UCI adult (32,561 rows x 14 features) with a 5-step chain (impute, one-hot of 4 columns,
scale, log1p, drop 4 columns), times, best and median of `--repeat` runs after one warm-up:

  preview   resolve_chain + preview_chain on its default 2,000-row sample (5 prefix fits)
  fit       resolve_chain + build_transformer + fit_transform on every row
  baseline  the same work written by hand as one scikit-learn ColumnTransformer, every row,
            so the table shows what the compiler's own stages (casting, branches) add

    python benchmarks/chain_bench.py [--data ../shared/data] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from workbench.core.chain.compile import build_transformer
from workbench.core.chain.preview import preview_chain
from workbench.core.chain.resolve import resolve_chain
from workbench.core.io.table import read_table
from workbench.core.kinds import infer_kinds
from workbench.core.specs import ChainSpec, StepSpec

TARGET = "column_14"
CHAIN = ChainSpec(
    (
        StepSpec("impute", ("column_1", "column_6", "column_13"), {"strategy": "most_frequent"}),
        StepSpec(
            "one_hot", ("column_1", "column_3", "column_5", "column_6"), {"min_frequency": 0.01}
        ),
        StepSpec("scale", ("column_0", "column_2", "column_4", "column_12")),
        StepSpec("log1p", ("column_10", "column_11")),
        StepSpec("drop_columns", ("column_7", "column_8", "column_9", "column_13")),
    )
)


def _times(work: Callable[[], object], repeat: int) -> tuple[float, float]:
    work()  # warm-up: imports and caches
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        runs.append(time.perf_counter() - started)
    return min(runs), statistics.median(runs)


def _baseline() -> ColumnTransformer:
    encode = make_pipeline(
        SimpleImputer(strategy="most_frequent"),
        OneHotEncoder(
            min_frequency=0.01, handle_unknown="infrequent_if_exist", sparse_output=False
        ),
    )
    return ColumnTransformer(
        [
            ("encode", encode, ["column_1", "column_6"]),
            (
                "encode_plain",
                OneHotEncoder(min_frequency=0.01, sparse_output=False),
                ["column_3", "column_5"],
            ),
            ("scale", StandardScaler(), ["column_0", "column_2", "column_4", "column_12"]),
            (
                "log",
                FunctionTransformer(np.log1p, feature_names_out="one-to-one"),
                ["column_10", "column_11"],
            ),
        ],
        remainder="drop",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).parents[2] / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    frame = read_table(args.data / "clean" / "adult-train.csv").frame
    kinds = infer_kinds(frame)
    features = {k: v for k, v in kinds.items() if k != TARGET}
    X, y = frame.drop(columns=TARGET), frame[TARGET]
    rows = [
        (
            "preview (2,000-row sample)",
            lambda: preview_chain(frame, resolve_chain(CHAIN, kinds, TARGET)),
        ),
        (
            "fit (all rows)",
            lambda: build_transformer(resolve_chain(CHAIN, features)).fit_transform(X, y),
        ),
        ("baseline ColumnTransformer", lambda: _baseline().fit_transform(X, y)),
    ]
    print(f"adult: {len(frame):,} rows x {len(features)} features, 5-step chain")
    print(f"{'what':<30}{'best s':>10}{'median s':>10}")
    for name, work in rows:
        best, median = _times(work, args.repeat)
        print(f"{name:<30}{best:>10.3f}{median:>10.3f}")


if __name__ == "__main__":
    main()
