"""Monitor benchmark: checking a 1M-row batch against a run's reference, beside plain scipy calls
on the same columns, in the same run.

The reference is built from UCI adult's training file (32,561 rows, 14 feature columns: 6
numeric, 8 categorical); the batch is adult's test file (16,281 rows, a separate sample of the
same population) drawn with replacement to 1,000,000 rows. Timed, best of `--repeats`:

  (a) scipy     per numeric column `scipy.stats.ks_2samp(train, batch)` and a numpy histogram
                on decile edges (PSI's counts); per categorical column `value_counts` of both
                and `scipy.stats.chi2_contingency` of the table: the statistics alone
  (b) check     workbench.core.monitor.check.check_batch: the same statistics from counts
                made in chunks of 100,000 rows (progress and cancel between them), plus
                validation of every row against the training schema (types, ranges, unseen
                categories, missing values) and the verdicts
  (c) reference build_reference on the training rows (once per run, stored with it)

It also prints how many columns each way calls drifted: plain p < 0.05 on a million rows flags
columns of an unchanged population; the monitor's rule (significance after Bonferroni AND an
effect size) should flag none.

    python benchmarks/monitor_bench.py [--rows 1000000] [--data ../shared/data] [--repeats 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from workbench.core.kinds import ColumnKind, TaskType, infer_kinds
from workbench.core.monitor.check import check_batch
from workbench.core.monitor.reference import build_reference

REPO = Path(__file__).resolve().parent.parent
NAMES = [f"column_{i}" for i in range(15)]
TARGET = "column_14"


def read_adult(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, header=None, names=NAMES, skipinitialspace=True, na_values="?")
    return frame.drop(columns=[TARGET])


def plain_scipy(train: pd.DataFrame, batch: pd.DataFrame, kinds: dict[str, ColumnKind]) -> int:
    """The statistics with plain scipy calls; returns the columns with p < 0.05."""
    flagged = 0
    for name, kind in kinds.items():
        if kind == ColumnKind.NUMERIC:
            reference = train[name].dropna().to_numpy(dtype=np.float64)
            values = batch[name].dropna().to_numpy(dtype=np.float64)
            p_value = stats.ks_2samp(reference, values).pvalue
            edges = np.unique(np.quantile(reference, np.arange(1, 10) / 10))
            np.histogram(values, bins=[-np.inf, *edges, np.inf])
        else:
            table = pd.concat(
                [train[name].value_counts(), batch[name].value_counts()], axis=1
            ).fillna(0)
            p_value = stats.chi2_contingency(table.to_numpy().T, correction=False).pvalue
        flagged += bool(p_value < 0.05)
    return flagged


def best_of(repeats: int, work: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def batch_arguments(description: str) -> argparse.Namespace:
    """The options of a benchmark on a drawn batch: --rows, --data, --repeats."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--repeats", type=int, default=3)
    return parser.parse_args()


def main() -> None:
    args = batch_arguments(__doc__.splitlines()[0])

    train = read_adult(args.data / "clean" / "adult-train.csv")
    test = read_adult(args.data / "clean" / "adult-test.csv")
    rows = np.random.default_rng(0).integers(0, len(test), args.rows)
    batch = test.iloc[rows].reset_index(drop=True)
    kinds = infer_kinds(train)
    numeric = sum(kind == ColumnKind.NUMERIC for kind in kinds.values())
    print(
        f"reference: adult-train, {len(train):,} rows; batch: adult-test drawn to "
        f"{len(batch):,} rows; {len(kinds)} columns ({numeric} numeric, "
        f"{len(kinds) - numeric} categorical)\n"
    )

    build_seconds, reference = best_of(
        args.repeats,
        lambda: build_reference(train, kinds, run_id="bench", task=TaskType.REGRESSION),
    )
    plain_seconds, plain_flagged = best_of(args.repeats, lambda: plain_scipy(train, batch, kinds))
    check_seconds, report = best_of(args.repeats, lambda: check_batch(reference, batch))

    print("| step | time | vs plain scipy | columns called drifted |")
    print("|---|---|---|---|")
    print(f"| plain scipy: ks_2samp / chi2_contingency + histograms | {plain_seconds:.2f} s "
          f"| 1.00x | {plain_flagged} of {len(kinds)} (p < 0.05) |")  # fmt: skip
    print(f"| workbench `check_batch` (validation included) | {check_seconds:.2f} s "
          f"| {check_seconds / plain_seconds:.2f}x | {len(report.drifted_columns)} of "
          f"{len(kinds)} |")  # fmt: skip
    print(f"| workbench `build_reference` (once per run) | {build_seconds:.2f} s | "
          f"{build_seconds / plain_seconds:.2f}x | |")  # fmt: skip
    significant = sum(
        1 for c in report.columns if c.p_value is not None and c.p_value < report.alpha_per_test
    )
    print(
        f"\nThe monitor's own tests found {significant} columns significant at "
        f"{report.alpha_per_test:.2g} (0.05 over {report.tests} tests); effect sizes "
        f"(PSI >= {report.options.psi_threshold}, distance >= "
        f"{report.options.distance_threshold}) left {len(report.drifted_columns)} drifted."
    )


if __name__ == "__main__":
    main()
