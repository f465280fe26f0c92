"""Parquet files to and from pandas frames, through fastparquet.

Why fastparquet and not pyarrow: pyarrow's extension module links every Arrow library (compute,
acero, dataset, substrait, parquet: 78 MiB of the laptop bundle), while fastparquet and its
codecs (cramjam) weigh 10 MiB; the app only stores and reads whole local tables. Why our own
two functions and not `DataFrame.to_parquet(engine="fastparquet")`: pandas 3 deprecates that
engine, and without pyarrow fastparquet hands text back as `object` columns where pandas (and the
pyarrow engine) give the `str` dtype. `frame_from_parquet` restores what pyarrow would have
given, so a stored frame reads back with the dtypes it was written with: text as `str`,
categories with text categories, nullable integers, booleans and floats, datetimes with their
time zone. Files written by pyarrow (projects from earlier versions) read back the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd

# Snappy, as pyarrow wrote by default: fast to write and read, and every Parquet reader has it.
COMPRESSION = "SNAPPY"
UTF8 = 0  # Parquet's converted type for text (ConvertedType.UTF8)
# Pandas extension dtypes a Parquet column cannot name by itself; pandas' metadata in the file
# does, and pyarrow restores them from it (fastparquet restores the integer and boolean ones).
_EXTENSION_FLOATS = ("Float32", "Float64")


def write_frame_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write `frame` (without its index) to one Parquet file at `path`, replacing it."""
    import fastparquet

    fastparquet.write(str(path), frame, compression=COMPRESSION, write_index=False)


def open_parquet(handle: BinaryIO) -> Any:
    """A fastparquet.ParquetFile over an open binary file (its metadata read, no data yet).

    A file object, not a path: given a path, fastparquet opens the file again for each read and
    leaves those handles to the garbage collector (a ResourceWarning each). The caller closes it.
    """
    import fastparquet

    return fastparquet.ParquetFile(handle)


def read_frame_parquet(path: Path) -> pd.DataFrame:
    """The whole Parquet file at `path` as a frame, with the dtypes it was written with."""
    with open(path, "rb") as handle:
        parquet = open_parquet(handle)
        return frame_from_parquet(parquet, parquet.to_pandas())


def frame_from_parquet(parquet: Any, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame`, read from `parquet` (a fastparquet.ParquetFile), with pandas' own dtypes back:
    text columns (Parquet UTF8) as `str`, text categories as `str` categories, and the nullable
    float dtypes pandas' metadata in the file names."""
    described = {
        entry.get("name"): entry.get("numpy_type")
        for entry in (parquet.pandas_metadata or {}).get("columns", [])
    }
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            if column.cat.categories.dtype == object and _is_text(column.cat.categories):
                frame[name] = column.cat.set_categories(column.cat.categories.astype("str"))
        elif column.dtype == object and _is_text_column(parquet, name):
            frame[name] = column.astype("str")
        elif described.get(name) in _EXTENSION_FLOATS:
            frame[name] = column.astype(described[name])
    return frame


def _is_text_column(parquet: Any, name: str) -> bool:
    try:
        element = parquet.schema.schema_element(name)
    except (KeyError, TypeError):  # a nested column: left as fastparquet gives it
        return False
    logical = getattr(element, "logicalType", None)
    return element.converted_type == UTF8 or getattr(logical, "STRING", None) is not None


def _is_text(values: pd.Index) -> bool:
    return pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")
