"""OpenMP's wait policy for the training's gradient boosting, on quiet and on busy cores:
why the workbench leaves OMP_WAIT_POLICY alone.

Each case is a fresh Python process (the runtime reads OMP_WAIT_POLICY once, when it loads)
that cross-validates one model, 5 folds, two threads, the registry's defaults, text columns
one-hot encoded, and prints its seconds:

  hgb insurance   scikit-learn HistGradientBoostingRegressor, insurance (1,338 rows)
  xgb insurance   XGBRegressor (hist), insurance
  hgb adult       HistGradientBoostingClassifier, adult-train (32,561 rows)

under two policies (the GNU OpenMP default, which spins before sleeping; PASSIVE, which
sleeps at once) and two machine states: quiet, and busy (`--busy N` processes spinning in
pure Python beside it; default N = the number of cores).

What it showed on the reference machine (a 2-core VM): on quiet cores PASSIVE is 3 to 16
times slower (each of hist gradient boosting's many short parallel regions pays a sleep and
a wake-up); with the cores oversubscribed by other training processes the default was 10 to
37 times slower instead (threads spinning on the cores the working ones need). The quiet case
is the usual one, so the default stays; on a shared machine set OMP_WAIT_POLICY=PASSIVE in
the environment before starting the workbench (the README says so).

    python benchmarks/openmp_wait_bench.py [--data ../shared/data] [--busy N] [--repeats 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

CASES = {
    "hgb insurance": ("clean/insurance.csv", "charges", "hgb"),
    "xgb insurance": ("clean/insurance.csv", "charges", "xgb"),
    "hgb adult": ("clean/adult-train.csv", None, "hgb"),
}

CHILD = r"""
import sys, time
import numpy as np, pandas as pd
from sklearn.model_selection import cross_validate
path, target, kind = sys.argv[1], sys.argv[2], sys.argv[3]
frame = pd.read_csv(path, skipinitialspace=True, header=0 if target != "-" else None)
y = frame.pop(target if target != "-" else frame.columns[-1])
regression = pd.api.types.is_numeric_dtype(y)
if not regression:
    y = (y.astype(str) == sorted(y.astype(str).unique())[-1]).astype(int)
X = pd.get_dummies(frame, dtype=np.float32).to_numpy(np.float32)
if kind == "hgb":
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    model = (HistGradientBoostingRegressor if regression else HistGradientBoostingClassifier)(
        random_state=0)
else:
    from xgboost import XGBClassifier, XGBRegressor
    model = (XGBRegressor if regression else XGBClassifier)(
        n_estimators=300, tree_method="hist", n_jobs=2, random_state=0)
started = time.perf_counter()
cross_validate(model, X, y, cv=5)
print(time.perf_counter() - started)
"""


def _spin(stop_at: float) -> None:
    while time.monotonic() < stop_at:
        pass


def _run(data: Path, case: str, policy: str | None) -> float:
    relative, target, kind = CASES[case]
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    env["OMP_NUM_THREADS"] = "2"
    if policy:
        env["OMP_WAIT_POLICY"] = policy
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(data / relative), target or "-", kind],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).parents[1] / "../shared/data")
    parser.add_argument("--busy", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"median of {args.repeats}; busy = {args.busy} spinning processes beside the fit")
    print("| case | machine | libgomp default | PASSIVE | default / PASSIVE |")
    print("|---|---|---|---|---|")
    for case in CASES:
        for busy in (0, args.busy):
            spinners = []
            if busy:
                stop_at = time.monotonic() + 3600
                spinners = [
                    multiprocessing.Process(target=_spin, args=(stop_at,), daemon=True)
                    for _ in range(busy)
                ]
                for spinner in spinners:
                    spinner.start()
            try:
                times = {}
                for policy in (None, "PASSIVE"):
                    runs = sorted(_run(args.data, case, policy) for _ in range(args.repeats))
                    times[policy] = runs[len(runs) // 2]
            finally:
                for spinner in spinners:
                    spinner.terminate()
            state = f"busy ({busy})" if busy else "quiet"
            print(
                f"| {case} | {state} | {times[None]:.2f} s | {times['PASSIVE']:.2f} s "
                f"| {times[None] / times['PASSIVE']:.1f}x |",
                flush=True,
            )


if __name__ == "__main__":
    main()
