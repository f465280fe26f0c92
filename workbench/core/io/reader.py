"""The `Reader` base class that every format's reader subclasses, and the format registry.

A reader declares its format (the name in ReadOptions.format and project files), the label the
Import dialog shows, the file suffixes it reads and the read options that mean something for it;
defining the subclass registers it (Orange's FileFormat). The base holds what every format
shares: the resolved options, the detection warnings, the early missing-file check and the tidy
step. `formats` loads every reader and builds them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd

from workbench.core.errors import DataReadError
from workbench.core.io import detect
from workbench.core.io.tidy import tidy_frame
from workbench.core.progress import CancelToken, ProgressFn, no_progress

if TYPE_CHECKING:
    from workbench.core.io.options import ReadOptions

TIDY_SHARE = 0.1  # the last tenth of the progress bar is the tidy step


_FORMATS: dict[str, type[Reader]] = {}


class Reader:
    """Base: resolved options, detection warnings, and the shared tidy step.

    A subclass declaring `format` registers itself: `label`, `suffixes` (lower case, with the
    dot) and `option_names` (the ReadOptions fields it uses) come with it; `priority` orders
    the formats wherever they are listed (lowest first).
    """

    format: ClassVar[str] = ""
    priority: ClassVar[int] = 100
    label: ClassVar[str] = ""
    suffixes: ClassVar[tuple[str, ...]] = ()
    option_names: ClassVar[tuple[str, ...]] = ()

    sheets: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.format:
            return
        if cls.format in _FORMATS:
            raise ValueError(f"file format '{cls.format}' is registered twice")
        _FORMATS[cls.format] = cls
        ordered = sorted(_FORMATS.values(), key=lambda reader: reader.priority)
        _FORMATS.clear()
        _FORMATS.update((reader.format, reader) for reader in ordered)

    def __init__(self, path: Path, options: ReadOptions) -> None:
        self.path = path
        self.options = options
        self.warnings: list[str] = []
        detect.read_head(path, 1)  # missing, folder, empty: one clear message for every format

    def _check_width(self, width: int) -> None:
        """Refuse a table wider than MAX_COLUMNS before reading it: every later step pays per
        column, and 200,000 columns took minutes and gigabytes before any message."""
        if width > detect.MAX_COLUMNS:
            raise DataReadError(
                f"{self.path} has {width:,} columns; the workbench reads tables of up to "
                f"{detect.MAX_COLUMNS:,} columns"
            )

    def preview(self, nrows: int) -> tuple[pd.DataFrame, list[str]]:
        raise NotImplementedError

    def read(
        self, progress: ProgressFn, cancel: CancelToken
    ) -> tuple[pd.DataFrame, list[str], ReadOptions]:
        raise NotImplementedError

    def read_column(self, name: str, cancel: CancelToken) -> pd.Series:
        """One column of the whole table, read as `read` reads it (a reader that can skip the
        other columns does: the CSV reader)."""
        frame, _notes, _options = self.read(no_progress, cancel)
        return frame[name]

    def estimated_rows(self) -> int | None:
        return None

    def close(self) -> None:
        """Release the open file or connection (readers with none have nothing to do)."""

    def _tidy(
        self,
        frame: pd.DataFrame,
        *,
        names_done: bool = False,
        na_done: bool = False,
        cancel: CancelToken | None = None,
        some_columns: bool = False,
    ) -> tuple[pd.DataFrame, list[str]]:
        self._check_width(frame.shape[1])
        try:
            return tidy_frame(
                frame,
                self.options,
                names_done=names_done,
                na_done=na_done,
                cancel=cancel,
                some_columns=some_columns,
            )
        except DataReadError as failure:  # a column not of the type chosen for it
            raise DataReadError(f"{self.path.name}: {failure}") from None
        except RecursionError:  # a JSON cell of lists in lists, written back out as text
            raise DataReadError(
                f"{self.path} holds a value nested too deeply to show as text "
                "(about a thousand levels of brackets or more)"
            ) from None


def registered_formats() -> Mapping[str, type[Reader]]:
    """The readers registered so far, by format, in priority order (read-only); with every
    reader loaded: `formats.file_formats()`."""
    return MappingProxyType(_FORMATS)


def unregister_format(name: str) -> None:
    """Take a format out (a test's reader), so nothing keeps offering it."""
    del _FORMATS[name]
