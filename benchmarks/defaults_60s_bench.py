"""Every shared file with default settings: `workbench new` then `workbench train` with random
forest and XGBoost, timed from the shell as a user would run them. The goal: each under 60 s.

For each file in ../shared/data (clean/ and messy/), in a fresh temporary folder:

    workbench new P --data FILE                       (suggested target and task, detection)
    workbench train P --model random_forest --model xgboost      (5-fold, 20% test, baseline)

The table shows the table's size, the columns each model's chain hands it (what `train` says
before it starts), the seconds of `new` and of `train`, and whether `train` stayed under 60 s.
The machine's load average is printed: other work on the same cores stretches every time.
No baseline library runs here; benchmarks/default_chain_bench.py compares the default chain
with a plain scikit-learn script on the widest tables.

    python benchmarks/defaults_60s_bench.py [--data ../shared/data] [--files NAME ...]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LIMIT_SECONDS = 60.0
WIDTH_NOTE = re.compile(r"note: (.+?) gets (.+)$")


def workbench(*args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run the installed command; (seconds, the finished process)."""
    command = [sys.executable, "-m", "workbench", *args]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--files", nargs="+", help="file names to run (default: every file)")
    args = parser.parse_args()
    files = sorted(
        path
        for path in args.data.rglob("*")
        if path.is_file() and path.suffix != ".md" and (not args.files or path.name in args.files)
    )
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| file | rows x columns | target | columns per model | new | train | < 60 s |")
    print("|---|---|---|---|---|---|---|")
    slow = 0
    with tempfile.TemporaryDirectory() as folder:
        for path in files:
            project = str(Path(folder) / path.stem)
            new_seconds, made = workbench("new", project, "--data", str(path), "--json")
            if made.returncode != 0:
                print(f"| {path.name} | | | new failed: {made.stderr.strip()} | | | no |")
                slow += 1
                continue
            size, target = _summary(made.stdout)
            train_seconds, trained = workbench(
                "train", project, "--model", "random_forest", "--model", "xgboost"
            )
            widths = "; ".join(
                f"{m.group(1)} {m.group(2)}"
                for line in trained.stderr.splitlines()
                if (m := WIDTH_NOTE.search(line))
            )
            ok = trained.returncode == 0 and train_seconds < LIMIT_SECONDS
            slow += not ok
            failed = "" if trained.returncode == 0 else f" (exit {trained.returncode})"
            verdict = "yes" if ok else "NO"
            print(
                f"| {path.parent.name}/{path.name} | {size} | {target} | {widths} "
                f"| {new_seconds:.1f} s | {train_seconds:.1f} s{failed} | {verdict} |",
                flush=True,
            )
    load = os.getloadavg()[0]
    print(f"load average at end: {load:.1f}; files over {LIMIT_SECONDS:.0f} s: {slow}")


def _summary(text: str) -> tuple[str, str]:
    import json

    summary = json.loads(text)
    dataset = summary.get("dataset") or {}
    size = f"{dataset.get('rows', '?'):,} x {dataset.get('columns', '?')}"
    return size, str(summary.get("target"))


if __name__ == "__main__":
    main()
