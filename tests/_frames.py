"""Load the shared datasets the way `workbench.core.io.table.read_table` does, for kind tests.

Plain `pd.read_csv` with the arguments each file needs (Parquet: `read_frame_parquet`, the
stored-table reader, checked against known values in tests/core/test_parquet_frames.py), then what
the io reader promises (names and string values stripped, True/False as bool, dates parsed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from pandas.api.types import is_string_dtype

from workbench.core.parquet_frames import read_frame_parquet

ADULT_NAMES = [f"column_{i}" for i in range(15)]

# file (relative to the shared data folder) -> read_csv / read_parquet keyword arguments
_READS: dict[str, tuple[str, dict[str, Any]]] = {
    "titanic": ("clean/titanic.csv", {}),
    "penguins": ("clean/penguins.csv", {}),
    "diamonds": ("clean/diamonds.csv", {}),
    "credit_data": ("clean/modeldata_credit_data.csv", {}),
    "lending_club": ("clean/modeldata_lending_club.csv", {}),
    "adult": (
        "clean/adult-train.csv",
        {"header": None, "names": ADULT_NAMES, "skipinitialspace": True, "na_values": "?"},
    ),
    "insurance": ("clean/insurance.csv", {}),
    "mushrooms": ("clean/mushrooms.csv", {"na_values": "?"}),
    "bank": ("messy/bank-additional.csv", {"sep": ";"}),
    "glassdoor": ("messy/glassdoor_jobs.csv", {}),
    "googleplaystore": ("messy/googleplaystore.csv", {}),
    "penguins_raw": ("messy/penguins-raw.csv", {"parse_dates": ["Date Egg"]}),
    "penguins_arrow": ("clean/penguins_R_arrow.parquet", {}),
}


def load(shared_data: Path, name: str) -> pd.DataFrame:
    """The named shared dataset as a DataFrame shaped like io's output."""
    relative, kwargs = _READS[name]
    path = shared_data / relative
    parquet = path.suffix == ".parquet"
    frame = read_frame_parquet(path) if parquet else pd.read_csv(path, **kwargs)
    frame.columns = [str(c).strip() for c in frame.columns]
    for column in frame.columns:
        if is_string_dtype(frame[column].dtype):
            frame[column] = frame[column].str.strip()
    return frame
