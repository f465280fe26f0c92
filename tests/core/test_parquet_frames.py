"""Parquet through fastparquet: every dtype a project stores reads back as it was written, and
files written by pyarrow (projects from earlier versions, R's arrow) read as pyarrow read them."""

from __future__ import annotations

import gc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.core.io.table import read_table
from workbench.core.parquet_frames import read_frame_parquet, write_frame_parquet


def every_stored_dtype() -> pd.DataFrame:
    stamps = ["2020-01-01 00:00", None, "2021-03-04 05:06", "2022-01-01 00:00", "2023-07-01 12:00"]
    return pd.DataFrame(
        {
            "int": np.arange(5, dtype="int64"),
            "int8": np.array([1, -2, 3, -4, 5], dtype="int8"),
            "uint32": np.array([1, 2, 3, 4, 2**31], dtype="uint32"),
            "float": [1.5, np.nan, 3.0, -4.25, 5e10],
            "nullable_int": pd.array([1, None, 3, 4, -5], dtype="Int64"),
            "nullable_float": pd.array([1.5, None, 2.0, 3.0, 4.0], dtype="Float64"),
            "bool": [True, False, True, False, True],
            "nullable_bool": pd.array([True, None, False, True, None], dtype="boolean"),
            "text": ["a", None, "ç€", "", "e"],
            "category": pd.Categorical(["x", "y", None, "x", "y"]),
            "ordered": pd.Categorical(
                ["lo", "hi", "lo", None, "hi"], categories=["lo", "hi"], ordered=True
            ),
            "int_category": pd.Categorical([1, 2, 1, 2, None]),
            "datetime": pd.to_datetime(stamps),
            "datetime_tz": pd.to_datetime(stamps).tz_localize("Europe/Berlin"),
            "timedelta": pd.to_timedelta([1, 2, 3, 4, 5], unit="s"),
        }
    )


def test_every_stored_dtype_round_trips(tmp_path: Path) -> None:
    frame = every_stored_dtype()
    path = tmp_path / "frame.parquet"

    write_frame_parquet(frame, path)
    back = read_frame_parquet(path)

    pd.testing.assert_frame_equal(back, frame)
    assert str(back["text"].dtype) == "str"
    assert back["category"].cat.categories.dtype == "str"
    assert str(back["datetime_tz"].dtype) == "datetime64[us, Europe/Berlin]"
    assert path.read_bytes()[:4] == b"PAR1"


def test_an_empty_frame_keeps_its_columns(tmp_path: Path) -> None:
    frame = every_stored_dtype().iloc[:0]
    path = tmp_path / "empty.parquet"
    write_frame_parquet(frame, path)
    back = read_frame_parquet(path)
    assert list(back.columns) == list(frame.columns)
    assert back.shape == (0, 15)
    assert back["int"].dtype == "int64" and str(back["datetime_tz"].dtype).endswith("Berlin]")


def test_writing_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "frame.parquet"
    write_frame_parquet(every_stored_dtype(), path)
    write_frame_parquet(pd.DataFrame({"only": ["one"]}), path)
    pd.testing.assert_frame_equal(read_frame_parquet(path), pd.DataFrame({"only": ["one"]}))


def test_pyarrow_written_project_table_reads_as_pyarrow_read_it(repo_root: Path) -> None:
    """The demo project's table was stored by pyarrow (the workbench's engine before 0.1's
    bundle work): text comes back as `str`, numbers as floats with their NaN."""
    frame = read_frame_parquet(repo_root / "projects" / "demo" / "data" / "penguins.parquet")
    assert frame.shape == (344, 7)
    assert {name: str(dtype) for name, dtype in frame.dtypes.items()} == {
        "species": "str",
        "island": "str",
        "bill_length_mm": "float64",
        "bill_depth_mm": "float64",
        "flipper_length_mm": "float64",
        "body_mass_g": "float64",
        "sex": "str",
    }
    assert frame["species"].value_counts().to_dict() == {
        "Adelie": 152,
        "Gentoo": 124,
        "Chinstrap": 68,
    }
    assert int(frame["sex"].isna().sum()) == 11
    assert frame["body_mass_g"].sum() == pytest.approx(1437000.0)


def test_r_arrow_and_flights_files_read(shared_data: Path) -> None:
    penguins = read_frame_parquet(shared_data / "clean/penguins_R_arrow.parquet")
    assert penguins.shape == (344, 9)
    assert str(penguins["island"].dtype) == "str"
    assert penguins["island"].value_counts().to_dict() == {
        "Biscoe": 168,
        "Dream": 124,
        "Torgersen": 52,
    }
    assert penguins["year"].tolist()[:3] == [2007.0, 2007.0, 2007.0]  # R stored doubles
    flights = read_frame_parquet(shared_data / "clean/flights_de_bootcamp.parquet")
    assert flights.shape == (12715, 10)
    assert str(flights["airline"].dtype) == "str"


def test_reading_leaves_no_file_open(shared_data: Path) -> None:
    """Given a path, fastparquet reopens the file for each read and leaves the handle to the
    garbage collector; the CLI would print a ResourceWarning for each (seen in a training)."""
    path = shared_data / "clean/flights_de_bootcamp.parquet"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        frame = read_frame_parquet(path)
        table = read_table(path).frame
        del frame, table
        gc.collect()
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []
