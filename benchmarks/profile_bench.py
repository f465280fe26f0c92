"""Profile benchmark: profile_frame against the plain-pandas essentials, in the same run.

Builds a ~1M-row x 20-column mixed table (UCI adult's 15 columns + 5 derived: a boolean, a
datetime, two floats, an integer), writes it as CSV, then times three things, each in a fresh
child process so one cannot inherit another's memory:

  (a) read     plain `pd.read_csv` of the table
  (b) pandas   describe(include="all"), value_counts per column, a numpy histogram per numeric
               column, corr(pearson) and corr(spearman)
  (c) profile  workbench.core.profile.compute.profile_frame(frame, target) with every alert

Peak memory is the child's peak resident set size (Linux VmHWM, reset through
/proc/self/clear_refs just before the measured step) minus its resident size at that moment:
the extra memory the step needed on top of the loaded table, counting numpy and Arrow buffers
alike (tracemalloc would miss Arrow's allocations).

    python benchmarks/profile_bench.py [--rows 1000000] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
ADULT_NAMES = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status", "occupation",
    "relationship", "race", "sex", "capital_gain", "capital_loss", "hours_per_week",
    "native_country", "income",
]  # fmt: skip
TARGET = "income"


def build_table(data: Path, rows: int) -> pd.DataFrame:
    """adult-train repeated to `rows` rows, plus derived columns up to 20."""
    adult = pd.read_csv(
        data / "clean" / "adult-train.csv",
        header=None,
        names=ADULT_NAMES,
        skipinitialspace=True,
        na_values="?",
    )
    repeats = -(-rows // len(adult))
    frame = pd.concat([adult] * repeats, ignore_index=True).iloc[:rows].copy()
    rng = np.random.default_rng(0)
    frame["high_income"] = frame["income"] == ">50K"
    frame["interview_date"] = pd.Timestamp("2015-01-01") + pd.to_timedelta(
        rng.integers(0, 3650, size=rows), unit="D"
    )
    frame["hours_noise"] = frame["hours_per_week"] + rng.normal(0, 2, size=rows)
    frame["log_fnlwgt"] = np.log1p(frame["fnlwgt"])
    frame["capital_net"] = frame["capital_gain"] - frame["capital_loss"]
    return frame


def _peak_reset() -> int:
    """Reset the peak-RSS mark; return the current RSS in bytes."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_kb("VmRSS") * 1024


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, parse_dates=["interview_date"])


def _pandas_essentials(frame: pd.DataFrame) -> None:
    frame.describe(include="all")
    for column in frame.columns:
        frame[column].value_counts()
    numeric = frame.select_dtypes("number")
    for column in numeric.columns:
        values = numeric[column].to_numpy(dtype="float64")
        np.histogram(values[np.isfinite(values)], bins=20)
    numeric.corr(method="pearson")
    numeric.corr(method="spearman")


def _profile(frame: pd.DataFrame) -> dict[str, object]:
    from workbench.core.profile.compute import profile_frame  # imported before the clock starts

    profile = profile_frame(frame, target=TARGET)
    return {"alerts": len(profile.alerts), "sampled": profile.sampled}


def child(step: str, path: Path) -> None:
    """Run one measured step and print its figures as JSON."""
    frame = None
    if step != "read":
        frame = _read(path)
    if step == "profile":
        import workbench.core.profile.compute  # noqa: F401 - module import time is not profiling time
    extra: dict[str, object] = {}
    before = _peak_reset()
    started = time.perf_counter()
    if step == "read":
        frame = _read(path)
    elif step == "pandas":
        _pandas_essentials(frame)
    else:
        extra = _profile(frame)
    seconds = time.perf_counter() - started
    peak = _status_kb("VmHWM") * 1024 - before
    assert frame is not None
    result = {
        "seconds": seconds,
        "peak_extra_bytes": peak,
        "frame_bytes": int(frame.memory_usage(deep=True).sum()),
        "rows": len(frame),
        "columns": frame.shape[1],
        **extra,
    }
    print(json.dumps(result))


def _run_child(step: str, path: Path) -> dict[str, object]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", step, str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--child", nargs=2, metavar=("STEP", "CSV"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        build_table(args.data, args.rows).to_csv(path, index=False)
        results = {step: _run_child(step, path) for step in ("read", "pandas", "profile")}
    frame_bytes = results["profile"]["frame_bytes"]
    mib = 1024 * 1024
    print(
        f"table: {results['profile']['rows']:,} rows x {results['profile']['columns']} columns, "
        f"DataFrame memory {frame_bytes / mib:,.0f} MiB (memory_usage(deep=True))"
    )
    print("peak = child's peak RSS (VmHWM) above its RSS before the step\n")
    print(f"{'step':<34}{'time s':>9}{'peak MiB':>10}{'x pandas':>10}{'peak/frame':>12}")
    labels = {
        "read": "(a) pd.read_csv",
        "pandas": "(b) pandas essentials",
        "profile": "(c) profile_frame (alerts incl.)",
    }
    base = float(results["pandas"]["seconds"])
    for step, figures in results.items():
        seconds = float(figures["seconds"])
        peak = float(figures["peak_extra_bytes"])
        print(
            f"{labels[step]:<34}{seconds:>9.2f}{peak / mib:>10.0f}"
            f"{seconds / base:>10.2f}{peak / frame_bytes:>12.2f}"
        )
    print(
        f"\nprofile: {results['profile']['alerts']} alerts, sampled {results['profile']['sampled']}"
    )


if __name__ == "__main__":
    main()
