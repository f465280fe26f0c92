"""Declarations a test adds for a while, to show that one entry is all a new choice takes:
a split scheme, a tuning method, a read option, a file format."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd

from workbench.core.io.options import ReadOptions, read_option
from workbench.core.io.reader import Reader, unregister_format
from workbench.core.schemes import (
    GROUP_COLUMN,
    SplitScheme,
    TuneMethod,
    register_split_scheme,
    register_tune_method,
    unregister_split_scheme,
    unregister_tune_method,
)

# Group k-fold under another name and wording: it plans like group k-fold, so it trains.
SITE_SCHEME = SplitScheme(
    "kfold_by_site",
    "K-fold by site",
    "Whole sites in each fold: a model is validated on sites it never saw.",
    planner="group_kfold",
    count="folds",
    column=GROUP_COLUMN,
    column_missing="k-fold by site needs a group column",
)
QUICK_METHOD = TuneMethod(
    "quick_random",
    "Quick random search",
    "A handful of random combinations.",
    sampling="random",
    examples=("quick_random:5",),
)


@contextmanager
def declared_site_scheme_and_quick_method() -> Iterator[None]:
    """SITE_SCHEME and QUICK_METHOD registered while the block runs."""
    register_split_scheme(SITE_SCHEME)
    register_tune_method(QUICK_METHOD)
    try:
        yield
    finally:
        unregister_split_scheme(SITE_SCHEME.name)
        unregister_tune_method(QUICK_METHOD.name)


@dataclasses.dataclass(frozen=True)
class FooterOptions(ReadOptions):
    """ReadOptions and one more option, declared as every option is."""

    skip_footer: int = read_option(
        0,
        "count_or_auto",
        widget="count",
        label="Rows to skip at the &end:",
        help="Rows at the bottom of the file that are not data (totals, notes).",
    )


@contextmanager
def declared_fixed_width_format() -> Iterator[type[Reader]]:
    """A fixed-width text reader (".fwf") that uses `skip_footer`, registered while the block
    runs: defining the class is the whole registration."""

    class FixedWidthReader(Reader):
        format = "fwf"
        label = "Fixed-width text"
        suffixes = (".fwf",)
        option_names = ("encoding", "skip_footer")
        priority = 70

        def _frame(self, **kwargs: Any) -> pd.DataFrame:
            encoding = self.options.encoding or "utf-8"
            return pd.read_fwf(self.path, encoding=encoding, **kwargs)

        def preview(self, nrows: int) -> tuple[pd.DataFrame, list[str]]:
            return self._tidy(self._frame(nrows=nrows))

        def read(self, progress: Any, cancel: Any) -> tuple[pd.DataFrame, list[str], Any]:
            skip = getattr(self.options, "skip_footer", 0) or 0
            frame, warnings = self._tidy(self._frame(skipfooter=skip))
            return frame, warnings, self.options

    try:
        yield FixedWidthReader
    finally:
        unregister_format("fwf")
