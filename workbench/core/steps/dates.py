"""Date steps: a date as such means nothing to a model; its year, month or weekday can.

Decisions: weekday is 0 = Monday .. 6 = Sunday (pandas' convention); is_weekend is 1.0 on
Saturday and Sunday; a missing or unparsable date gives NaN in every part, so a later impute
step (or a model that accepts NaN) decides what it means. Text columns the user marked as dates
are parsed with pandas (mixed formats allowed); the reader already parses clean date columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.core.kinds import ColumnKind
from workbench.core.params import Param, ParamType
from workbench.core.steps.lazy import factories_in
from workbench.core.steps.registry import Stage, StepDef, register

DATE_PARTS: tuple[str, ...] = ("year", "month", "day", "weekday", "hour", "is_weekend")
DEFAULT_PARTS: tuple[str, ...] = ("year", "month", "day", "weekday")
impl = factories_in("workbench.core.steps.dates_impl")


def check_parts(kinds: Mapping[str, ColumnKind], params: Mapping[str, Any]) -> str | None:
    return None if params["parts"] else "choose at least one date part"


register(
    StepDef(
        name="datetime_parts",
        label="Date parts",
        group="Dates",
        help="Replaces a date column by numeric columns for its parts: year, month, day of the "
        "month, weekday (0 = Monday), hour, and whether it is a weekend (1 or 0). Use it so a "
        "model can pick up trends over years and seasonal or weekly patterns. Trade-off: each "
        "part is one more column, and month 12 and month 1 look far apart although they are "
        "neighbours. Missing dates give empty parts.",
        stage=Stage.COLUMNS,
        accepts=frozenset({ColumnKind.DATETIME}),
        params=(
            Param(
                "parts",
                "Parts",
                ParamType.MULTI_CHOICE,
                DEFAULT_PARTS,
                help="Which parts become columns. Hour only makes sense when the dates have times.",
                choices=DATE_PARTS,
            ),
        ),
        factory=impl("make_datetime_parts"),
        output_kind=ColumnKind.NUMERIC,
        check=check_parts,
        onnx=False,
        onnx_note="Custom transformer, and ONNX has no date type: no ONNX converter.",
    )
)
