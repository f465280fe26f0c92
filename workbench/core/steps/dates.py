"""Date steps: a date as such means nothing to a model; its year, month or weekday can.

Decisions: weekday is 0 = Monday .. 6 = Sunday (pandas' convention); is_weekend is 1.0 on
Saturday and Sunday; a missing or unparsable date gives NaN in every part, so a later impute
step (or a model that accepts NaN) decides what it means. The reader parses date columns on
import; anything else reaching the step is read as the exported model reads its date input:
ISO 8601 text (patterns.ISO_DATE) by its written fields, timestamps as they are, other values
as missing. The parts are those of the wall-clock time: a time zone offset is not applied.
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
        onnx=True,
        onnx_note="Converts with standard operators: the exported model takes the date as ISO "
        "8601 text (2007-11-11T08:30:00) and reads its parts with RegexFullMatch, StringSplit "
        "and Cast.",
    )
)
