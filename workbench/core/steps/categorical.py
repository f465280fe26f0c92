"""Categorical steps: turn labels into numbers a model can use, or tame too many labels.

scikit-learn's encoders are used where they fit the contract (OneHotEncoder, OrdinalEncoder,
TargetEncoder). Grouping rare labels, hashing and crossing need custom transformers (in
categorical_impl.py, with the factories); they are picklable, clonable and name their outputs.
Every one converts to ONNX (workbench.core.export.converters.categorical).

Decisions:
- `one_hot` without grouping uses handle_unknown="ignore" (an unseen label is a row of zeros);
  with grouping (min_frequency / max_categories) it uses "infrequent_if_exist" (an unseen
  label counts as infrequent).
- `ordinal`: labels not in the order, and missing cells, become -1: one step below the first
  label, a position every model accepts (NaN would break models that refuse missing values).
- `hash`, `feature_cross` and `group_rare` read every value as text first (`labels`: 1 and
  1.0 -> "1", 0.5 -> "0.5"), and hash it with scikit-learn's FeatureHasher (MurmurHash3, seed
  0): the same value lands in the same bucket on every run and machine. A missing value lands
  in no bucket (a row of zeros). The exported model hashes with onnxruntime's MurmurHash3
  operator (com.microsoft): ONNX has no standard string hash.
- `target_encode` keeps its learned encodings as float32 numbers, the precision the exported
  model stores them in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.core.kinds import ColumnKind
from workbench.core.params import Param, ParamType
from workbench.core.steps.lazy import factories_in
from workbench.core.steps.registry import Stage, StepDef, register

GROUP = "Categorical"
LABELS = frozenset({ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN})
impl = factories_in("workbench.core.steps.categorical_impl")


def check_ordinal(kinds: Mapping[str, ColumnKind], params: Mapping[str, Any]) -> str | None:
    order = [label.strip() for label in params["order"]]
    repeated = sorted({label for label in order if order.count(label) > 1})
    if repeated:
        return f"the order lists '{repeated[0]}' more than once"
    return None


def check_group_rare(kinds: Mapping[str, ColumnKind], params: Mapping[str, Any]) -> str | None:
    if not params["other"].strip():
        return "give the label for the rare categories (an empty label would read as missing)"
    return None


HASH_NOTE = (
    "Converts with onnxruntime's MurmurHash3 operator (com.microsoft domain, not standard "
    "ONNX): the exported model runs in onnxruntime."
)

# --- declarations ---------------------------------------------------------------------------

N_BUCKETS = Param(
    "n_buckets",
    "Buckets",
    ParamType.INT,
    32,
    help="How many columns the hashed values are spread over. Fewer buckets: a narrower table, "
    "but more unrelated values share a bucket (a collision) and the model cannot tell them "
    "apart. More buckets: fewer collisions, a wider table. Around twice the number of "
    "distinct values keeps collisions rare.",
    minimum=2,
    maximum=4096,
)


register(
    StepDef(
        name="one_hot",
        label="One-hot encode",
        group=GROUP,
        help="Makes one 0/1 column per category (island -> island_Biscoe, island_Dream, ...). "
        "The safest encoding for labels with no order, and what linear models need. Trade-off: "
        "one column per category, so a column with hundreds of categories makes a very wide "
        "table; group the rare ones (minimum frequency) or use hashing instead. A category not "
        "seen in training becomes a row of zeros, or counts as infrequent when rare ones are "
        "grouped.",
        stage=Stage.COLUMNS,
        accepts=LABELS,
        params=(
            Param(
                "min_frequency",
                "Minimum frequency",
                ParamType.FLOAT,
                0.0,
                help="Categories in fewer than this fraction of the rows (0.01 = 1%) share one "
                "'infrequent' column instead of getting their own. 0 keeps every category.",
                minimum=0.0,
                maximum=0.5,
            ),
            Param(
                "max_categories",
                "Maximum columns",
                ParamType.INT,
                None,
                help="At most this many columns per input column, the least frequent "
                "categories sharing the last one. Empty: no limit.",
                minimum=2,
                maximum=1000,
                optional=True,
            ),
        ),
        factory=impl("make_one_hot"),
        output_kind=ColumnKind.NUMERIC,
        onnx=True,
        onnx_note="Converts with standard operators (ai.onnx.ml OneHotEncoder; Equal for "
        "numeric categories), rare categories grouped or not.",
    )
)

register(
    StepDef(
        name="group_rare",
        label="Group rare categories",
        group=GROUP,
        help="Replaces categories that appear in fewer than a given fraction of the rows with "
        "one label ('other'), keeping the column categorical. Use it before one-hot encoding "
        "a column with many rare labels, so they do not each become a nearly empty column. "
        "Trade-off: the model can no longer tell the grouped labels apart.",
        stage=Stage.COLUMNS,
        accepts=LABELS,
        params=(
            Param(
                "min_frequency",
                "Minimum frequency",
                ParamType.FLOAT,
                0.01,
                help="Categories in fewer than this fraction of the training rows (0.01 = 1%) "
                "become 'other'; so do categories never seen in training.",
                minimum=0.0,
                maximum=0.5,
            ),
            Param(
                "other",
                "Label for rare ones",
                ParamType.TEXT,
                "other",
                help="The label the rare categories get.",
            ),
        ),
        factory=impl("make_group_rare"),
        output_kind=ColumnKind.CATEGORICAL,
        check=check_group_rare,
        onnx=True,
        onnx_note="Converts with standard operators (ai.onnx.ml LabelEncoder).",
    )
)

register(
    StepDef(
        name="ordinal",
        label="Ordinal encode",
        group=GROUP,
        help="Replaces each category by its position in an order you give (Fair=0, Good=1, "
        "Very Good=2, ...): one numeric column that keeps the order. Use it for ranked labels "
        "(sizes, grades, ratings) and for tree models, which handle it well. Trade-off: a "
        "linear model reads the positions as evenly spaced numbers, which is wrong for labels "
        "without an order. Labels not in the order, and missing cells, become -1.",
        stage=Stage.COLUMNS,
        accepts=frozenset({ColumnKind.CATEGORICAL}),
        params=(
            Param(
                "order",
                "Order",
                ParamType.TEXT_LIST,
                (),
                help="The labels from lowest to highest, exactly as they are written in the "
                "data. Empty: alphabetical order.",
            ),
        ),
        factory=impl("make_ordinal"),
        output_kind=ColumnKind.NUMERIC,
        check=check_ordinal,
        onnx=True,
    )
)

register(
    StepDef(
        name="hash",
        label="Hash encode",
        group=GROUP,
        help="Spreads the categories over a fixed number of 0/1 columns by hashing the label "
        "text. Use it for columns with very many categories (zip codes, product ids) where "
        "one-hot would be too wide. The same value always lands in the same bucket, on every "
        "run and machine, and new values need no refit. Trade-off: a collision. With fewer "
        "buckets, more unrelated values share a bucket and the model cannot tell them apart; "
        "with more buckets, the table gets wider.",
        stage=Stage.COLUMNS,
        accepts=LABELS,
        params=(N_BUCKETS,),
        factory=impl("make_hash"),
        output_kind=ColumnKind.NUMERIC,
        onnx=True,
        onnx_note=HASH_NOTE,
    )
)

register(
    StepDef(
        name="feature_cross",
        label="Cross categories",
        group=GROUP,
        help="Combines two or more category columns into one crossed label (island Biscoe and "
        "sex FEMALE -> 'Biscoe|FEMALE') and encodes it. Use it when the combination matters "
        "more than each part, especially for linear models that cannot learn interactions "
        "alone. Trade-off: the number of combinations multiplies, so one-hot can get wide; "
        "hashing keeps the width fixed at the cost of collisions.",
        stage=Stage.COLUMNS,
        accepts=LABELS,
        params=(
            Param(
                "encode",
                "Encoding",
                ParamType.CHOICE,
                "onehot",
                help="onehot: one column per combination seen in training. hash: a fixed "
                "number of buckets.",
                choices=("onehot", "hash"),
            ),
            N_BUCKETS,
        ),
        factory=impl("make_feature_cross"),
        min_columns=2,
        combines_columns=True,
        output_kind=ColumnKind.NUMERIC,
        onnx=True,
        onnx_note="Converts: StringConcat and ai.onnx.ml OneHotEncoder (standard); with hash "
        "encoding, " + HASH_NOTE[0].lower() + HASH_NOTE[1:],
    )
)

register(
    StepDef(
        name="target_encode",
        label="Target encode",
        group=GROUP,
        help="Replaces each category by the average target of the training rows with that "
        "category (for classes: one column per class with its share), shrunk toward the "
        "overall average when the category is rare. One compact numeric column even for "
        "thousands of categories. Trade-off: it learns from the target, so on the training "
        "rows it is computed out-of-fold (cross-fitting) to avoid leaking the answer; a "
        "category never seen in training gets the overall average.",
        stage=Stage.COLUMNS,
        accepts=LABELS,
        params=(
            Param(
                "smooth",
                "Smoothing",
                ParamType.FLOAT,
                None,
                help="How strongly rare categories are pulled toward the overall average; "
                "larger = stronger. Empty: chosen from the data.",
                minimum=0.0,
                maximum=1e6,
                optional=True,
            ),
            Param(
                "cv",
                "Cross-fitting folds",
                ParamType.INT,
                5,
                help="The training rows are split in this many parts; each part is encoded "
                "with averages from the other parts, so no row sees its own target.",
                minimum=2,
                maximum=20,
            ),
        ),
        factory=impl("make_target_encode"),
        output_kind=ColumnKind.NUMERIC,
        onnx=True,
        onnx_note="Converts for every target, two classes, more, or numbers (ai.onnx.ml "
        "LabelEncoder).",
    )
)
