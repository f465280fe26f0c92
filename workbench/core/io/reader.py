"""The `Reader` base class that every format's reader subclasses.

It lives apart from `formats` (which builds readers) and from the format modules (which
subclass it), so both can import it without an import cycle. It holds what every format shares:
the resolved options, the detection warnings, the early missing-file check and the tidy step.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from workbench.core.errors import DataReadError
from workbench.core.io import detect
from workbench.core.io.tidy import tidy_frame
from workbench.core.progress import CancelToken, ProgressFn

if TYPE_CHECKING:
    from workbench.core.io.options import ReadOptions

_TIDY_SHARE = 0.1  # the last tenth of the progress bar is the tidy step


class Reader:
    """Base: resolved options, detection warnings, and the shared tidy step."""

    sheets: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()

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
    ) -> tuple[pd.DataFrame, list[str]]:
        self._check_width(frame.shape[1])
        try:
            return tidy_frame(
                frame, self.options, names_done=names_done, na_done=na_done, cancel=cancel
            )
        except RecursionError:  # a JSON cell of lists in lists, written back out as text
            raise DataReadError(
                f"{self.path} holds a value nested too deeply to show as text "
                "(about a thousand levels of brackets or more)"
            ) from None
