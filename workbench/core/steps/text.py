"""Text steps: free text as word weights (TF-IDF).

scikit-learn's TfidfVectorizer takes a flat list of documents and returns a sparse matrix; the
chain gives each step a DataFrame and wants dense, named columns. `ColumnTfidf` (text_impl.py)
wraps one vectorizer per column to bridge the two: missing text counts as an empty document,
outputs are named `<column>_<term>`. Its words are found the way the exported model finds them
(patterns.WORD; ASCII capitals lowered), not with scikit-learn's default token pattern.
"""

from __future__ import annotations

from workbench.core.kinds import ColumnKind
from workbench.core.params import Param, ParamType
from workbench.core.steps.lazy import factories_in
from workbench.core.steps.registry import Stage, StepDef, register

impl = factories_in("workbench.core.steps.text_impl")


register(
    StepDef(
        name="tfidf",
        label="TF-IDF words",
        group="Text",
        help="Turns free text into one column per frequent word (or short phrase), weighted by "
        "how often it appears in the row and how rare it is over all rows, so telling words "
        "count more than common ones. A word is two or more characters between spaces and "
        "punctuation; capitals A-Z count as lower case (accented capitals keep their case). "
        "Use it on comments, descriptions or titles. Trade-off: word order and meaning are "
        "lost, and every kept word is a column; limit the vocabulary to keep the table "
        "manageable.",
        stage=Stage.COLUMNS,
        accepts=frozenset({ColumnKind.TEXT}),
        params=(
            Param(
                "max_features",
                "Vocabulary size",
                ParamType.INT,
                1000,
                help="Keep only this many of the most frequent words (columns) per text column.",
                minimum=1,
                maximum=100_000,
            ),
            Param(
                "ngram_max",
                "Longest phrase",
                ParamType.INT,
                1,
                help="1: single words. 2: also pairs of words ('not good'). 3: also triples. "
                "Longer phrases catch more meaning but make many more candidates.",
                minimum=1,
                maximum=3,
            ),
            Param(
                "min_df",
                "Minimum rows",
                ParamType.INT,
                1,
                help="Ignore words found in fewer than this many training rows (typos, names).",
                minimum=1,
                maximum=1000,
            ),
        ),
        factory=impl("make_tfidf"),
        output_kind=ColumnKind.NUMERIC,
        onnx=True,
        onnx_note="Converts with StringNormalizer and TfIdfVectorizer (standard) and "
        "onnxruntime's Tokenizer (com.microsoft domain, not standard ONNX) to find the words: "
        "the exported model runs in onnxruntime.",
    )
)
