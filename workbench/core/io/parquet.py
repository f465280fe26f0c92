"""Parquet files: `ParquetReader`, through fastparquet (workbench.core.parquet_frames)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from pandas.api.types import union_categoricals

from workbench.core.errors import DataReadError
from workbench.core.io.reader import TIDY_SHARE, Reader
from workbench.core.parquet_frames import frame_from_parquet, open_parquet
from workbench.core.progress import CancelToken, ProgressFn

if TYPE_CHECKING:
    from workbench.core.io.options import ReadOptions


class ParquetReader(Reader):
    """Parquet files: the preview reads the first rows only, the read one row group at a time."""

    format = "parquet"
    priority = 30
    label = "Parquet"
    suffixes = (".parquet", ".pq")
    option_names = ("strip_whitespace", "dtype")

    def __init__(self, path: Path, options: ReadOptions) -> None:
        super().__init__(path, options)
        self._handle = open(path, "rb")  # noqa: SIM115 (open while the reader lives; close())
        try:
            self._file = open_parquet(self._handle)
        except Exception:
            self._handle.close()
            raise DataReadError(
                f"{path} is not a readable Parquet file (damaged, or not really Parquet)"
            ) from None
        self._check_width(len(self._file.columns))

    def estimated_rows(self) -> int | None:
        return int(self._file.count())

    def preview(self, nrows: int) -> tuple[pd.DataFrame, list[str]]:
        try:
            frame = self._file.head(nrows) if self._file.row_groups else self._empty()
        except Exception:
            raise self._damaged() from None
        return self._tidy(_as_table(self._file, frame))

    def read(
        self, progress: ProgressFn, cancel: CancelToken
    ) -> tuple[pd.DataFrame, list[str], ReadOptions]:
        groups = len(self._file.row_groups)
        parts = []
        chunks = self._file.iter_row_groups()
        for i in range(groups):
            cancel.raise_if_cancelled()
            try:
                parts.append(_as_table(self._file, next(chunks)))
            except Exception:
                raise self._damaged() from None
            progress((i + 1) / groups * (1 - TIDY_SHARE), f"read row group {i + 1} of {groups}")
        frame = _concat_groups(parts) if parts else _as_table(self._file, self._empty())
        tidy, notes = self._tidy(frame, cancel=cancel)
        return tidy, notes, self.options

    def close(self) -> None:
        self._handle.close()

    def _empty(self) -> pd.DataFrame:
        return self._file.to_pandas()

    def _damaged(self) -> DataReadError:
        return DataReadError(f"{self.path}: Parquet data could not be decoded (damaged file)")


def _as_table(parquet: Any, frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame_from_parquet(parquet, frame)
    if not isinstance(frame.index, pd.RangeIndex):  # a pandas-written index is data too
        frame = frame.reset_index()
    return frame


def _concat_groups(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The row groups' frames as one; a category column keeps the union of the groups'
    categories (each group stores its own dictionary, and a plain concat would give text)."""
    frame = pd.concat(parts, ignore_index=True)
    for name in parts[0].columns:
        if isinstance(parts[0][name].dtype, pd.CategoricalDtype):
            merged = union_categoricals([part[name] for part in parts], sort_categories=False)
            frame[name] = pd.Categorical(merged, ordered=parts[0][name].cat.ordered)
    return frame
