"""Declarations a test adds for a while, to show that one entry is all a new choice takes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from workbench.core.train.schemes import (
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
