"""Numeric steps: scale, log, power transform, clip outliers, bin, polynomial features."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.core.kinds import ColumnKind
from workbench.core.params import Param, ParamType
from workbench.core.steps.lazy import factories_in
from workbench.core.steps.registry import Stage, StepDef, register

GROUP = "Numeric"
NUMERIC_KINDS = frozenset({ColumnKind.NUMERIC, ColumnKind.BOOLEAN})

# The `method` choices of scale (numeric_impl.SCALERS implements them).
SCALER_NAMES = ("standard", "minmax", "maxabs", "robust")
impl = factories_in("workbench.core.steps.numeric_impl")


register(
    StepDef(
        name="scale",
        label="Scale",
        group=GROUP,
        help=(
            "Puts numbers on a comparable scale, learned from the training rows. standard: "
            "mean 0 and standard deviation 1; minmax: between 0 and 1; maxabs: between -1 and "
            "1 keeping zeros at zero; robust: median 0 and quartile range 1, hardly moved by "
            "extreme values. Needed by models that compare distances or use penalties "
            "(k-nearest neighbours, SVM, linear and logistic regression, neural networks); "
            "tree models do not need it. Cheap. Missing values stay missing."
        ),
        stage=Stage.COLUMNS,
        accepts=NUMERIC_KINDS,
        params=(
            Param(
                "method",
                "Method",
                ParamType.CHOICE,
                "standard",
                help="standard, minmax, maxabs or robust (for columns with outliers).",
                choices=SCALER_NAMES,
            ),
        ),
        factory=impl("make_scale"),
        onnx=True,
        onnx_note="All four scalers convert.",
    )
)


register(
    StepDef(
        name="log1p",
        label="Log transform",
        group=GROUP,
        help=(
            "Replaces x by log(1 + x), which pulls in a long right tail (incomes, prices, "
            "counts) so that a few huge values stop dominating. Use it on skewed columns, "
            "mostly for linear models and neural networks. Values below 0 get -log(1 + |x|), "
            "so the order of values is kept and nothing fails; for columns with many negative "
            "values prefer 'Power transform'. Cheap; learns nothing from the data."
        ),
        stage=Stage.COLUMNS,
        accepts=NUMERIC_KINDS,
        factory=impl("make_log1p"),
        onnx=True,
        onnx_note="Converts with standard operators (Log in double precision, Where).",
    )
)


register(
    StepDef(
        name="power_transform",
        label="Power transform",
        group=GROUP,
        help=(
            "Reshapes a skewed column towards a bell curve, choosing the best power from the "
            "training rows. yeo-johnson takes any number; box-cox needs every value above 0 "
            "and fails otherwise. With 'standardize' the result also gets mean 0 and standard "
            "deviation 1. Use it instead of the log transform when the column has negative "
            "values or you do not know which curve fits. Computed in double precision and "
            "rounded to float32, like the exported model. Slightly slower than scaling."
        ),
        stage=Stage.COLUMNS,
        accepts=frozenset({ColumnKind.NUMERIC}),
        params=(
            Param(
                "method",
                "Method",
                ParamType.CHOICE,
                "yeo-johnson",
                help="yeo-johnson: any values; box-cox: only values above 0.",
                choices=("yeo-johnson", "box-cox"),
            ),
            Param(
                "standardize",
                "Standardize",
                ParamType.BOOL,
                True,
                help="Also rescale the result to mean 0, standard deviation 1.",
            ),
        ),
        factory=impl("make_power_transform"),
        onnx=True,
        onnx_note="Converts with standard operators (Log, Exp in double precision); missing "
        "values stay missing.",
    )
)


def _check_clip(kinds: Mapping[str, ColumnKind], params: Mapping[str, Any]) -> str | None:
    if params["method"] == "percentile" and params["lower"] >= params["upper"]:
        return (
            f"the lower percentile ({params['lower']:g}) must be below the upper one "
            f"({params['upper']:g})"
        )
    return None


register(
    StepDef(
        name="clip_outliers",
        label="Clip outliers",
        group=GROUP,
        help=(
            "Caps extreme values at bounds learned from the training rows: values beyond them "
            "are set to the bound, not removed. percentile: below the lower or above the upper "
            "percentile (1 and 99 by default). iqr: further than k times the quartile range "
            "outside the middle half (Tukey's fences, k = 1.5). Use it when a few wild values "
            "(typos, sensor glitches) would pull a linear model. Cheap."
        ),
        stage=Stage.COLUMNS,
        accepts=frozenset({ColumnKind.NUMERIC}),
        params=(
            Param(
                "method",
                "Bounds from",
                ParamType.CHOICE,
                "percentile",
                help="percentile: the two percentiles below; iqr: quartiles -/+ k x range.",
                choices=("percentile", "iqr"),
            ),
            Param(
                "lower",
                "Lower percentile",
                ParamType.FLOAT,
                1.0,
                help="percentile method: values below this percentile are raised to it.",
                minimum=0.0,
                maximum=50.0,
            ),
            Param(
                "upper",
                "Upper percentile",
                ParamType.FLOAT,
                99.0,
                help="percentile method: values above this percentile are lowered to it.",
                minimum=50.0,
                maximum=100.0,
            ),
            Param(
                "k",
                "k (iqr)",
                ParamType.FLOAT,
                1.5,
                help="iqr method: how many quartile ranges beyond the quartiles are allowed. "
                "1.5 is usual, 3 clips only far outliers.",
                minimum=0.0,
                maximum=10.0,
            ),
        ),
        factory=impl("make_clip_outliers"),
        check=_check_clip,
        onnx=True,
        onnx_note="Converts with standard operators (Clip).",
    )
)


register(
    StepDef(
        name="bin",
        label="Bin into ranges",
        group=GROUP,
        help=(
            "Cuts a number into ranges (bins) learned from the training rows: uniform: equal "
            "widths; quantile: about the same number of rows in each; kmeans: ranges around "
            "clusters of values. ordinal gives the bin number (0, 1, 2...), onehot one 0/1 "
            "column per bin. Use it when the effect of a number comes in steps (age groups) "
            "or for linear models that should bend. Loses detail inside each bin. Missing "
            "values are not allowed: fill them first."
        ),
        stage=Stage.COLUMNS,
        accepts=frozenset({ColumnKind.NUMERIC}),
        params=(
            Param(
                "strategy",
                "Bin edges",
                ParamType.CHOICE,
                "quantile",
                help="uniform: equal widths; quantile: equal counts; kmeans: around clusters.",
                choices=("uniform", "quantile", "kmeans"),
            ),
            Param(
                "n_bins",
                "Number of bins",
                ParamType.INT,
                5,
                help="How many ranges. Quantile bins that would be empty are merged.",
                minimum=2,
                maximum=100,
            ),
            Param(
                "encode",
                "Output",
                ParamType.CHOICE,
                "ordinal",
                help="ordinal: one column with the bin number; onehot: one 0/1 column per bin.",
                choices=("ordinal", "onehot"),
            ),
        ),
        factory=impl("make_bin"),
        output_kind=ColumnKind.NUMERIC,
        onnx=True,
        onnx_note="KBinsDiscretizer converts (ordinal and one-hot).",
    )
)


register(
    StepDef(
        name="polynomial",
        label="Polynomial features",
        group=GROUP,
        help=(
            "Adds products and powers of the columns you name together (a, b -> a, b, a², "
            "a·b, b²), so that a linear model can fit curves and interactions. 'Interactions "
            "only' keeps the products of different columns and drops the powers. The number "
            "of columns grows fast (10 columns at degree 2 give 65, at degree 3 give 285): "
            "use it on a few columns, and scale them afterwards. Missing values are not "
            "allowed: fill them first."
        ),
        stage=Stage.COLUMNS,
        accepts=NUMERIC_KINDS,
        params=(
            Param(
                "degree",
                "Degree",
                ParamType.INT,
                2,
                help="Highest total power: 2 gives squares and pairwise products.",
                minimum=2,
                maximum=4,
            ),
            Param(
                "interaction_only",
                "Interactions only",
                ParamType.BOOL,
                False,
                help="Keep only products of different columns (no squares).",
            ),
        ),
        factory=impl("make_polynomial"),
        combines_columns=True,
        output_kind=ColumnKind.NUMERIC,
        onnx=True,
        onnx_note="PolynomialFeatures converts.",
    )
)
