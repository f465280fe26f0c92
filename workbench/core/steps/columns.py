"""Column steps: drop, keep, rename, cast, parse numbers out of text, trim spaces, and drop
duplicate training rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from workbench.core.kinds import ColumnKind
from workbench.core.params import Param, ParamType
from workbench.core.steps.lazy import factories_in
from workbench.core.steps.registry import Stage, StepDef, register

GROUP = "Columns"
impl = factories_in("workbench.core.steps.columns_impl")
TOKENIZER_NOTE = (
    "Converts with standard text operators and onnxruntime's Tokenizer (com.microsoft domain, "
    "not standard ONNX) to cut the value out of the text: the exported model runs in "
    "onnxruntime."
)
FEATURE_KINDS = frozenset(ColumnKind) - {ColumnKind.IDENTIFIER}
TEXT_KINDS = frozenset({ColumnKind.CATEGORICAL, ColumnKind.TEXT})
# `cast` outputs the kind named by its `to` parameter; StepDef.output_kind is one fixed kind,
# so the chain reads this tag (see the report to the lead).
OUTPUT_KIND_FROM_TO = "output_kind_from_param:to"

register(
    StepDef(
        name="drop_columns",
        label="Drop columns",
        group=GROUP,
        help=(
            "Leaves the named columns out of the model. Use it for columns that leak the "
            "answer (a copy of the target), identifiers, constants, or anything the model "
            "should not see. Later steps can no longer use them. Free."
        ),
        stage=Stage.COLUMNS,
        accepts=frozenset(ColumnKind),
        drops_input=True,  # the chain ends the branch; there is no transformer to build
        onnx=True,
        onnx_note="Dropped columns are simply not exported.",
    )
)


register(
    StepDef(
        name="keep_columns",
        label="Keep only these columns",
        group=GROUP,
        help=(
            "Keeps the named columns and leaves every other column out of the model. Quicker "
            "than dropping many columns one by one when only a few matter. Free."
        ),
        stage=Stage.COLUMNS,
        accepts=frozenset(ColumnKind),
        factory=impl("make_keep_columns"),
        onnx=True,
        onnx_note="An identity FunctionTransformer converts.",
        tags=("keeps_only_named",),
    )
)


def _check_rename(kinds: Mapping[str, ColumnKind], params: Mapping[str, Any]) -> str | None:
    if not params["new_name"].strip():
        return "give the new name"
    return None


register(
    StepDef(
        name="rename",
        label="Rename column",
        group=GROUP,
        help=(
            "Gives a column a new name in results and exported models; its values do not "
            "change. Later steps still refer to it by its original name. Columns made from it "
            "(sex_female after one-hot encoding sex) get the new name as prefix. Free."
        ),
        stage=Stage.COLUMNS,
        accepts=frozenset(ColumnKind),
        params=(
            Param(
                "new_name",
                "New name",
                ParamType.TEXT,
                "",
                help="The name shown from this step on.",
            ),
        ),
        factory=impl("make_rename"),
        max_columns=1,
        check=_check_rename,
        onnx=True,
        onnx_note="An identity FunctionTransformer converts; only names change.",
    )
)


register(
    StepDef(
        name="cast",
        label="Change column type",
        group=GROUP,
        help=(
            "Changes how a column is treated. numeric: values read as numbers, anything that "
            "is not a plain decimal number (5, -1.5, 2e3) becomes missing (use 'Parse "
            "numbers' for '$4.99' or '5,000+'). categorical: values become labels (1, 2, 3 as "
            "categories, not amounts; 2.0 reads as '2'). boolean: yes/no, true/false, 1/0 "
            "become 1 and 0, anything else missing. Use it when a column was read with the "
            "wrong type. Cheap."
        ),
        stage=Stage.COLUMNS,
        accepts=FEATURE_KINDS,
        params=(
            Param(
                "to",
                "Treat as",
                ParamType.CHOICE,
                "numeric",
                help="numeric, categorical or boolean.",
                choices=("numeric", "categorical", "boolean"),
            ),
        ),
        factory=impl("make_cast"),
        onnx=True,
        onnx_note="Converts with standard operators (RegexFullMatch and Cast).",
        tags=(OUTPUT_KIND_FROM_TO,),
    )
)


register(
    StepDef(
        name="parse_numbers",
        label="Parse numbers from text",
        group=GROUP,
        help=(
            "Reads the number inside text values: '10,000+' -> 10000, '$4.99' -> 4.99, "
            "'19M' -> 19000000, '201k' -> 201000, '1.5 GB' -> 1500000000 (k, M, G, B, T are "
            "thousand, million, billion, billion, trillion; sizes in bytes use the same "
            "decimal multipliers), '12%' -> 12. Text from an opening parenthesis on is "
            "ignored, and a range '$53K-$91K' gives its middle, 72000. Values with no number "
            "or several unrelated numbers ('Varies with device', '4.0.3 and up') become "
            "missing. Use it on number columns stored as text. Cheap."
        ),
        stage=Stage.COLUMNS,
        accepts=frozenset({ColumnKind.CATEGORICAL, ColumnKind.TEXT, ColumnKind.NUMERIC}),
        factory=impl("make_parse_numbers"),
        output_kind=ColumnKind.NUMERIC,
        onnx=True,
        onnx_note=TOKENIZER_NOTE,
    )
)


register(
    StepDef(
        name="strip_whitespace",
        label="Trim spaces",
        group=GROUP,
        help=(
            "Removes spaces, tabs and line breaks around text values, so that 'Paris ' and "
            "'Paris' are one category. A value made only of spaces becomes missing. Spaces "
            "inside a value are kept. Cheap."
        ),
        stage=Stage.COLUMNS,
        accepts=TEXT_KINDS,
        factory=impl("make_strip_whitespace"),
        onnx=True,
        onnx_note=TOKENIZER_NOTE,
    )
)


def drop_duplicates(
    X: pd.DataFrame, y: pd.Series, params: Mapping[str, Any], seed: int
) -> tuple[pd.DataFrame, pd.Series]:
    """The training rows without repeats of an earlier row (features and target both equal).

    Rows with equal features but different targets are kept: they are conflicting examples,
    not copies.
    """
    both = X.assign(**{"\0target": y.to_numpy()}) if len(X.columns) else y.to_frame()
    keep = ~both.duplicated(keep="first").to_numpy()
    if keep.all():
        return X, y
    return X.loc[keep], y.loc[keep]


register(
    StepDef(
        name="drop_duplicates",
        label="Drop duplicate rows",
        group=GROUP,
        help=(
            "Leaves out training rows that repeat an earlier row exactly (same features and "
            "same target), so that repeated rows do not count twice. Applies to training rows "
            "only; evaluation rows are never dropped. Cheap."
        ),
        stage=Stage.ROWS,
        row_fn=drop_duplicates,
        min_columns=0,
        max_columns=0,
        onnx=True,
        onnx_note="Acts on training rows only; nothing to export.",
    )
)
