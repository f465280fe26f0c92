"""SQLite databases: `SqliteReader` reads one table or one SELECT, opened read-only."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.core.errors import DataReadError
from workbench.core.io.reader import TIDY_SHARE, Reader
from workbench.core.progress import CancelToken, ProgressFn

if TYPE_CHECKING:
    from workbench.core.io.options import ReadOptions


class SqliteReader(Reader):
    """One table or one SELECT from an SQLite file, opened read-only."""

    format = "sqlite"
    priority = 60
    label = "SQLite database"
    suffixes = (".sqlite", ".sqlite3", ".db")
    option_names = ("table", "query", "parse_dates", "strip_whitespace", "dtype")

    _FETCH = 50_000

    def __init__(self, path: Path, options: ReadOptions) -> None:
        super().__init__(path, options)
        try:
            self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise DataReadError(f"{path} is not a readable SQLite database ({exc})") from None
        try:
            rows = self._db.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                "AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
            ).fetchall()
        except sqlite3.Error as exc:
            self._db.close()
            raise DataReadError(f"{path} is not a readable SQLite database ({exc})") from None
        self.tables = tuple(r[0] for r in rows)
        try:
            self._choose_table(options)
        except BaseException:
            self._db.close()
            raise

    def _choose_table(self, options: ReadOptions) -> None:
        path = self.path
        listed = ", ".join(f"'{t}'" for t in self.tables)
        if options.query is None:
            if options.table is not None and options.table not in self.tables:
                raise DataReadError(f"{path} has no table '{options.table}'; tables: {listed}")
            if options.table is None:
                if not self.tables:
                    raise DataReadError(f"{path} has no tables")
                if len(self.tables) > 1:
                    raise DataReadError(
                        f"{path} has {len(self.tables)} tables; choose one with table=... "
                        f"or query=...: {listed}"
                    )
                self.options = dataclasses.replace(options, table=self.tables[0])

    @property
    def _sql(self) -> str:
        if self.options.query is not None:
            return self.options.query.strip().rstrip(";")
        name = (self.options.table or "").replace('"', '""')
        return f'SELECT * FROM "{name}"'

    def _execute(self, sql: str) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql)
        except sqlite3.Error as exc:
            what = (
                f"query failed: {exc} (query: {self.options.query})"
                if self.options.query
                else (f"table '{self.options.table}' could not be read: {exc}")
            )
            raise DataReadError(f"{self.path}: {what}") from None

    def estimated_rows(self) -> int | None:
        if self.options.query is not None:
            return None
        return int(self._execute(f"SELECT COUNT(*) FROM ({self._sql})").fetchone()[0])

    def _frame(
        self, sql: str, progress: ProgressFn | None, cancel: CancelToken | None
    ) -> pd.DataFrame:
        cursor = self._execute(sql)
        columns = [d[0] for d in cursor.description or ()]
        total = self.estimated_rows() if progress is not None else None
        rows: list[tuple[Any, ...]] = []
        while True:
            if cancel is not None:
                cancel.raise_if_cancelled()
            try:
                chunk = cursor.fetchmany(self._FETCH)
            except sqlite3.Error as exc:
                raise DataReadError(f"{self.path}: reading rows failed: {exc}") from None
            if not chunk:
                break
            rows.extend(chunk)
            if progress is not None:
                share = len(rows) / total if total else 0.5
                progress(min(share, 1.0) * (1 - TIDY_SHARE), f"read {len(rows):,} rows")
        # Built once, not per chunk, so each column is typed from all of its values.
        return pd.DataFrame.from_records(rows, columns=columns, coerce_float=True)

    def preview(self, nrows: int) -> tuple[pd.DataFrame, list[str]]:
        return self._tidy(
            self._frame(f"SELECT * FROM ({self._sql}) LIMIT {int(nrows)}", None, None)
        )

    def read(
        self, progress: ProgressFn, cancel: CancelToken
    ) -> tuple[pd.DataFrame, list[str], ReadOptions]:
        frame = self._frame(self._sql, progress, cancel)
        progress(1 - TIDY_SHARE, "tidying columns")
        tidy, notes = self._tidy(frame, cancel=cancel)
        return tidy, notes, self.options

    def close(self) -> None:
        self._db.close()
