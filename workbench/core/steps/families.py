"""Imports every family module so that their steps are registered (the palette orders groups)."""

from workbench.core.steps import (  # noqa: F401
    balance,
    categorical,
    columns,
    dates,
    impute,
    numeric,
    select,
    text,
)
