"""Answers computed on request for a run (importance, learning curve), kept beside it.

Both jobs refit or rescore the model, which takes seconds to minutes; their answer is written to
the run's folder keyed by the settings that produced it, so asking again with the same settings
is free, and other settings compute it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.core.atomic import atomic_path
from workbench.core.parquet_frames import read_frame_parquet, write_frame_parquet

IMPORTANCE_FILE = "importance.parquet"
LEARNING_CURVE_FILE = "learning_curve.parquet"


def read_cache(path: Path, key: Mapping[str, Any]) -> pd.DataFrame | None:
    """The cached frame when every `key` column holds the wanted value in every row; None when
    there is no cache, it is unreadable, or it was computed with other settings."""
    if not path.is_file():
        return None
    try:
        frame = read_frame_parquet(path)
    except Exception:  # a damaged cache is recomputed, never an error
        return None
    if frame.empty or any(name not in frame.columns for name in key):
        return None
    for name, value in key.items():
        if not (frame[name] == value).all():
            return None
    return frame


def write_cache(path: Path, frame: pd.DataFrame) -> None:
    """Written atomically: a cancelled or killed job leaves the old cache or none."""
    with atomic_path(path) as tmp:
        write_frame_parquet(frame, tmp)


def computed_frames(run_folder: Path) -> dict[str, pd.DataFrame | None]:
    """The importance and learning-curve frames computed for the run so far (None: not yet),
    as the plot numbers' `importance` and `learning_curve`."""
    return {
        "importance": read_cache(run_folder / IMPORTANCE_FILE, {}),
        "learning_curve": read_cache(run_folder / LEARNING_CURVE_FILE, {}),
    }
