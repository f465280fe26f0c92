"""Parquet files: `ParquetReader`, through pyarrow (imported lazily, only when one is read)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.core.errors import DataReadError
from workbench.core.io.reader import TIDY_SHARE, Reader
from workbench.core.progress import CancelToken, ProgressFn

if TYPE_CHECKING:
    from workbench.core.io.options import ReadOptions


class ParquetReader(Reader):
    """Parquet through pyarrow: the preview reads one batch, the read one row group at a time."""

    format = "parquet"
    priority = 30
    label = "Parquet"
    suffixes = (".parquet", ".pq")
    option_names = ("strip_whitespace", "dtype")

    def __init__(self, path: Path, options: ReadOptions) -> None:
        super().__init__(path, options)
        import pyarrow.parquet as pq

        try:
            self._file = pq.ParquetFile(path)
        except Exception:
            raise DataReadError(
                f"{path} is not a readable Parquet file (damaged, or not really Parquet)"
            ) from None
        self._check_width(len(self._file.schema_arrow))

    def estimated_rows(self) -> int | None:
        return int(self._file.metadata.num_rows)

    def preview(self, nrows: int) -> tuple[pd.DataFrame, list[str]]:
        import pyarrow as pa

        try:
            batch = next(self._file.iter_batches(batch_size=nrows), None)
        except Exception:
            raise self._damaged() from None
        table = pa.Table.from_batches([batch]) if batch else self._file.schema_arrow.empty_table()
        return self._tidy(_arrow_to_pandas(table))

    def read(
        self, progress: ProgressFn, cancel: CancelToken
    ) -> tuple[pd.DataFrame, list[str], ReadOptions]:
        import pyarrow as pa

        groups = self._file.metadata.num_row_groups
        parts = []
        for i in range(groups):
            cancel.raise_if_cancelled()
            try:
                parts.append(self._file.read_row_group(i))
            except Exception:
                raise self._damaged() from None
            progress((i + 1) / groups * (1 - TIDY_SHARE), f"read row group {i + 1} of {groups}")
        table = pa.concat_tables(parts) if parts else self._file.schema_arrow.empty_table()
        tidy, notes = self._tidy(_arrow_to_pandas(table), cancel=cancel)
        return tidy, notes, self.options

    def close(self) -> None:
        self._file.close()

    def _damaged(self) -> DataReadError:
        return DataReadError(f"{self.path}: Parquet data could not be decoded (damaged file)")


def _arrow_to_pandas(table: Any) -> pd.DataFrame:
    frame = table.to_pandas()
    if not isinstance(frame.index, pd.RangeIndex):  # a pandas-written index is data too
        frame = frame.reset_index()
    return frame
