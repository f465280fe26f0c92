"""Import speed: the workbench's reader against plain pandas on the same files, same run.

Tables: clean/diamonds.csv (54k rows) and a ~1M-row CSV made by repeating clean/adult-train.csv
(no header, `", "` separators, `?` for missing). For each: plain `pd.read_csv` with the right
arguments given by hand, `read_table` with detection (no progress: pandas' own multi-core
parse), `read_table` with a progress callback (the GUI's path: chunked, cancellable), and
`preview_table` (what the import dialog shows). Best of 3.
Run: `.venv/bin/python benchmarks/import_bench.py [--shared ../shared/data]`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from workbench.core.io.table import preview_table, read_table

REPO = Path(__file__).resolve().parent.parent
REPEATS = 3


def best(action: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    diamonds = args.shared / "clean" / "diamonds.csv"
    adult = args.shared / "clean" / "adult-train.csv"
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "adult_x30.csv"
        text = adult.read_bytes()
        big.write_bytes(text * 30)
        cases = [
            ("diamonds (53,940 x 10)", diamonds, lambda: pd.read_csv(diamonds)),
            (
                "adult x30 (976,830 x 15)",
                big,
                lambda: pd.read_csv(big, header=None, skipinitialspace=True, na_values="?"),
            ),
        ]
        print(f"best of {REPEATS}, seconds")
        header = f"{'table':<26} {'pandas':>8} {'read_table':>11} {'+progress':>10} {'preview':>8}"
        print(header)
        print("-" * len(header))
        for name, path, plain in cases:
            baseline = best(plain)
            detected = best(lambda p=path: read_table(p))
            watched = best(lambda p=path: read_table(p, progress=lambda f, m: None))
            preview = best(lambda p=path: preview_table(p))
            print(f"{name:<26} {baseline:>8.3f} {detected:>11.3f} {watched:>10.3f} {preview:>8.3f}")
            frame = read_table(path).frame
            assert frame.shape == plain().shape, "the reader must agree with plain pandas"


if __name__ == "__main__":
    main()
