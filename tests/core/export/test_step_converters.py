"""Each step's transformer against its ONNX graph, value for value.

Every step with a transformer is fitted on real columns of the shared datasets and converted the
way the exporter converts it (the workbench's converters registered, its stand-ins swapped in,
inputs as an exported model takes them: float32 numbers, text with '' for missing, dates as ISO
8601 text). The workbench's own converters must give exactly the training code's values on the
real rows, on edge values (missing, unseen, padded, infinite, huge) and on thousands of
generated texts; the steps skl2onnx converts must agree within float32 rounding.
"""

from __future__ import annotations

import copy
import string
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import pandas as pd
import pytest
from pandas.api import types as ptypes
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from workbench.core.chain.compile import prepare_frame
from workbench.core.export.converters.catalog import CONVERTERS, target_opset
from workbench.core.export.feature_schema import input_names
from workbench.core.export.onnx_convert import STAND_INS, onnx_ready_columns
from workbench.core.export.onnx_converters import register_converters
from workbench.core.io.table import read_table
from workbench.core.steps.catalog import all_steps, get_step
from workbench.core.steps.labels import iso_dates
from workbench.core.steps.registry import Stage

FILES = {
    "titanic": "clean/titanic.csv",
    "insurance": "clean/insurance.csv",
    "adult": "clean/adult-train.csv",
    "bank": "messy/bank-additional.csv",
    "raw": "messy/penguins-raw.csv",
    "play": "messy/googleplaystore.csv",
    "jobs": "messy/glassdoor_jobs.csv",
}


@dataclass(frozen=True)
class Case:
    step: str
    data: str
    columns: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # edge values by column
    exact: bool = True  # the workbench's converters: equal values; skl2onnx's: float32 close
    target: str | None = None


TEXT_EDGES = ("", "  padded  ", "never seen", "É\u00a0é\u3000", "1,000", " -1.0 ", "\t")
CASES = [
    # (A text column's values and flags leave the step as two tensors, which one test graph
    # cannot hold side by side: test_chain_parity flags titanic's deck before the encoders.)
    Case("missing_indicator", "titanic", ("age", "alone"), extra={"age": (np.nan,)}),
    Case("mark_missing", "bank", ("pdays", "age"), {"values": ["999", "-1"]}, {"pdays": (-1.0,)}),
    Case(
        "mark_missing",
        "bank",
        ("job", "education"),
        {"values": ["999", "unknown", "-1"]},
        {"job": (" UNKNOWN ", "unknown\t", "999.0", " 9.99e2 ", "unknownx", *TEXT_EDGES)},
    ),
    Case("replace_infinite", "titanic", ("fare", "age"), extra={"fare": (np.inf, -np.inf)}),
    Case("log1p", "insurance", ("charges", "age"), extra={"charges": (-0.0, -5.5, 1e-30, 3e38)}),
    Case("clip_outliers", "titanic", ("fare", "age"), extra={"fare": (-1e30, np.inf)}),
    Case("clip_outliers", "titanic", ("fare",), {"method": "iqr", "k": 3.0}),
    Case("power_transform", "raw", ("Flipper Length (mm)", "Body Mass (g)")),
    Case("power_transform", "raw", ("Body Mass (g)",), {"method": "box-cox", "standardize": False}),
    Case("group_rare", "adult", ("column_13", "column_6"), {"min_frequency": 0.02}),
    Case("group_rare", "titanic", ("alone", "deck"), {"min_frequency": 0.05}),
    Case("hash", "adult", ("column_6", "column_13"), {"n_buckets": 16}, {"column_6": TEXT_EDGES}),
    Case("hash", "titanic", ("alone", "pclass"), {"n_buckets": 5}, {"pclass": (0.5, 1e20, -3.0)}),
    Case("feature_cross", "titanic", ("sex", "alone", "deck"), extra={"deck": TEXT_EDGES}),
    Case("feature_cross", "titanic", ("pclass", "sex"), {"encode": "hash", "n_buckets": 8}),
    Case(
        "datetime_parts",
        "raw",
        ("Date Egg",),
        {"parts": ["year", "month", "day", "weekday", "hour", "is_weekend"]},
    ),
    Case("tfidf", "raw", ("Comments",), {"ngram_max": 2}, {"Comments": TEXT_EDGES}),
    Case("tfidf", "play", ("App",), {"ngram_max": 3, "max_features": 200, "min_df": 2}),
    Case("cast", "bank", ("emp.var.rate", "age"), {"to": "numeric"}, {"emp.var.rate": TEXT_EDGES}),
    Case("cast", "raw", ("Sample Number", "Date Egg", "Sex"), {"to": "categorical"}),
    Case(
        "cast",
        "raw",
        ("Clutch Completion", "Sex"),
        {"to": "boolean"},
        {"Sex": (" yes ", "0.0", "OFF")},
    ),
    Case("parse_numbers", "play", ("Installs", "Size", "Price", "Reviews", "Android Ver")),
    Case("parse_numbers", "jobs", ("Salary Estimate", "Revenue"), extra={"Revenue": TEXT_EDGES}),
    Case(
        "strip_whitespace",
        "jobs",
        ("Company Name", "Job Description"),
        extra={"Company Name": TEXT_EDGES},
    ),
    Case(
        "drop_correlated",
        "bank",
        ("age", "campaign", "cons.price.idx", "cons.conf.idx", "euribor3m", "nr.employed"),
        {"threshold": 0.9},
    ),
    Case(
        "one_hot",
        "adult",
        ("column_3", "column_13"),
        {"min_frequency": 0.05},
        {"column_3": TEXT_EDGES},
    ),
    Case("one_hot", "titanic", ("deck", "alone", "sibsp"), {"max_categories": 4}),
    Case("one_hot", "titanic", ("embarked", "sibsp"), extra={"sibsp": (0.5, 99.0)}),
    Case("target_encode", "raw", ("Island", "Individual ID", "Sample Number"), target="Species"),
    Case("target_encode", "titanic", ("deck", "embark_town"), target="survived"),
    Case("target_encode", "insurance", ("region", "smoker"), target="charges"),
    # Converted by skl2onnx: agreement within float32 rounding.
    Case("impute", "titanic", ("age", "fare"), exact=False),
    Case("impute", "titanic", ("deck",), {"strategy": "most_frequent"}, exact=False),
    # Titanic's fares and classes tie on distance, and penguins-raw has rows with no measure.
    Case("impute_knn", "titanic", ("age", "fare", "pclass"), {"n_neighbors": 3}),
    Case("impute_knn", "raw", ("Culmen Length (mm)", "Culmen Depth (mm)", "Body Mass (g)")),
    Case("scale", "insurance", ("bmi", "charges"), {"method": "robust"}, exact=False),
    Case("bin", "insurance", ("bmi",), {"encode": "onehot"}, exact=False),
    Case("polynomial", "insurance", ("bmi", "age"), exact=False),
    Case("keep_columns", "insurance", ("bmi",), exact=False),
    Case("rename", "insurance", ("bmi",), {"new_name": "body"}, exact=False),
    Case("ordinal", "titanic", ("class",), {"order": ["First", "Second", "Third"]}, exact=False),
    Case(
        "select_k_best",
        "insurance",
        ("bmi", "age", "children"),
        {"k": 2},
        exact=False,
        target="charges",
    ),
    Case("drop_constant", "insurance", ("bmi", "age"), exact=False),
    Case("drop_low_variance", "insurance", ("bmi", "children"), {"threshold": 1.0}, exact=False),
    Case("pca", "insurance", ("bmi", "age", "children"), {"n_components": 2}, exact=False),
]


@pytest.fixture(scope="module")
def tables(shared_data: Path) -> dict[str, pd.DataFrame]:
    tables = {}
    for name, file in FILES.items():
        frame = read_table(shared_data / file).frame
        tables[name] = frame.sample(n=min(len(frame), 3000), random_state=0).reset_index(drop=True)
    return tables


def _with_edges(frame: pd.DataFrame, extra: dict[str, tuple[Any, ...]]) -> pd.DataFrame:
    """`frame` plus one row per edge value (the first row, with that one value changed)."""
    rows = [frame]
    for column, values in extra.items():
        for value in values:
            row = frame.iloc[[0]].copy()
            if ptypes.is_numeric_dtype(frame[column].dtype):
                row[column] = float(value)  # NaN for a missing number
            else:
                row[column] = np.nan if value == "" else value
            rows.append(row)
    out = pd.concat(rows, ignore_index=True)
    for column in frame.columns:
        if (
            ptypes.is_integer_dtype(frame[column].dtype)
            and out[column].dtype != frame[column].dtype
        ):
            out[column] = out[column].astype("float64")
    return out


def _feeds(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns as an exported model takes them."""
    feeds = {}
    for name, column in zip(input_names(list(frame.columns)), frame.columns, strict=True):
        series = frame[column]
        if ptypes.is_datetime64_any_dtype(series.dtype):
            values = iso_dates(series)
            values[pd.isna(values)] = ""
        elif ptypes.is_numeric_dtype(series.dtype) or ptypes.is_bool_dtype(series.dtype):
            values = series.to_numpy(dtype=np.float32, na_value=np.nan)
        else:
            values = series.to_numpy(dtype=object, na_value="")
        feeds[name] = np.asarray(values).reshape(-1, 1)
    return feeds


def _as_fed(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as the pipeline's first stages hand it to a step: numbers as float32."""
    numbers = {
        column: "float32"
        for column in frame.columns
        if ptypes.is_numeric_dtype(frame[column].dtype)
        and not ptypes.is_bool_dtype(frame[column].dtype)
    }
    return prepare_frame(frame.astype(numbers))


def converted(
    step: str, params: dict[str, Any], fit_on: pd.DataFrame, frame: pd.DataFrame, y: Any = None
) -> tuple[np.ndarray, np.ndarray, Any]:
    """(the step fitted on `fit_on` run on `frame`, the ONNX graph's output on `frame`, the
    model proto). The step sits where the chain compiler puts it: in one branch per column, in
    one branch for steps that combine columns, after the columns for selection steps."""
    register_converters()
    definition = get_step(step)
    columns = tuple(frame.columns)
    make = definition.factory
    resolved = definition.resolve(params)
    if definition.stage == Stage.MATRIX:
        branches = [("all", "passthrough", list(columns))]
    elif definition.combines_columns:
        branches = [("all", make(columns, resolved), list(columns))]
    else:
        branches = [(f"b{i}", make((c,), resolved), [c]) for i, c in enumerate(columns)]
    stages: list[tuple[str, Any]] = [("columns", ColumnTransformer(branches))]
    if definition.stage == Stage.MATRIX:
        stages.append(("matrix", make((), resolved)))
    fitted = Pipeline(stages).fit(_as_fed(fit_on), y)
    expected = np.asarray(fitted.transform(_as_fed(frame)), dtype=object)
    names = input_names(list(columns))
    ready = [
        (
            "columns",
            onnx_ready_columns(
                fitted.named_steps["columns"], dict(zip(columns, names, strict=True))
            ),
        )
    ]
    ready += [(name, copy.deepcopy(stage)) for name, stage in fitted.steps[1:]]
    onnx_ready = Pipeline(ready)
    types = [
        (
            name,
            StringTensorType([None, 1]) if values.dtype == object else FloatTensorType([None, 1]),
        )
        for name, values in _feeds(frame).items()
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        proto = convert_sklearn(
            onnx_ready, initial_types=types, target_opset=target_opset(onnx_ready)
        )
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    outputs = session.run(None, _feeds(frame))
    got = np.concatenate(
        [np.asarray(o, dtype=object).reshape(len(frame), -1) for o in outputs], axis=1
    )
    return expected, got, proto


def assert_same(expected: np.ndarray, got: np.ndarray, exact: bool = True) -> None:
    """Text equal (missing = ''), numbers equal (NaN = NaN), or within float32 rounding."""
    assert expected.shape == got.shape
    text = np.vectorize(lambda v: isinstance(v, str))(expected) | np.vectorize(
        lambda v: isinstance(v, str)
    )(got)
    missing = np.vectorize(lambda v: not isinstance(v, str) and pd.isna(v))(expected)
    want = np.where(missing & text, "", expected)
    assert (want[text] == got[text]).all(), list(
        zip(
            want[text][want[text] != got[text]][:5],
            got[text][want[text] != got[text]][:5],
            strict=True,
        )
    )
    numbers_expected = expected[~text].astype(np.float64)
    numbers_got = got[~text].astype(np.float64)
    if exact:
        np.testing.assert_array_equal(numbers_got, numbers_expected)
    else:
        np.testing.assert_allclose(numbers_got, numbers_expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "case", CASES, ids=lambda case: f"{case.step}-{case.data}-{len(case.columns)}"
)
def test_the_graph_computes_what_the_step_computes(
    tables: dict[str, pd.DataFrame], case: Case
) -> None:
    table = tables[case.data]
    real = table[list(case.columns)]
    y = None if case.target is None else table[case.target]
    expected, got, _ = converted(case.step, case.params, real, _with_edges(real, case.extra), y)
    assert_same(expected, got, case.exact)


def test_every_transformer_step_has_a_case_and_every_converter_a_step() -> None:
    with_transformer = {name for name, step in all_steps().items() if step.factory is not None}
    assert {case.step for case in CASES} == with_transformer
    assert all(
        all_steps()[name].stage in (Stage.COLUMNS, Stage.MATRIX) for name in with_transformer
    )
    fitted_classes = {
        type(get_step(case.step).factory(case.columns, get_step(case.step).resolve(case.params)))
        for case in CASES
    }
    assert {converter.model for converter in CONVERTERS} <= fitted_classes | set(STAND_INS.values())


# ---- generated texts --------------------------------------------------------------------------

ALPHABET = [
    *string.digits,
    *",.-$kKMmBbnGTtoe+()x_ ",
    *("\u2212", "\u2013", "\u20ac", "\t", "\n", "\u00a0", "\u3000", "é", "É", "😀"),
    *("unknown", "UNKNOWN", "yes", "No", " to ", "1,000", "Varies", "2021-02-28", "T10:30"),
]


def generated_texts(count: int, seed: int) -> pd.DataFrame:
    """`count` texts of up to eight pieces of ALPHABET: numbers with separators, scale words,
    ranges, currency, signs, exotic spaces, placeholders, dates."""
    rng = np.random.default_rng(seed)
    pieces = np.asarray(ALPHABET, dtype=object)
    texts = ["".join(rng.choice(pieces, size=rng.integers(0, 9))) for _ in range(count)]
    return pd.DataFrame({"text": pd.Series(texts, dtype=object).replace("", np.nan)})


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("parse_numbers", {}),
        ("cast", {"to": "numeric"}),
        ("cast", {"to": "boolean"}),
        ("strip_whitespace", {}),
        ("mark_missing", {"values": ["-1", "unknown", "n/a", "999", "5"]}),
        ("hash", {"n_buckets": 7}),
        ("group_rare", {"min_frequency": 0.0005}),
        ("tfidf", {"ngram_max": 2}),
    ],
)
def test_generated_texts_read_alike(name: str, params: dict[str, Any]) -> None:
    frame = generated_texts(4000, seed=len(name))
    expected, got, _ = converted(name, params, frame, frame)
    assert_same(expected, got)


def generated_dates(count: int, seed: int) -> list[str]:
    """ISO 8601 texts in every accepted form, with impossible days and broken ones mixed in."""
    rng = np.random.default_rng(seed)
    texts = []
    for _ in range(count):
        text = f"{rng.integers(0, 10000):04d}-{rng.integers(0, 14):02d}-{rng.integers(0, 33):02d}"
        hour = rng.integers(0, 26)
        form = rng.integers(0, 7)
        text += ["", f"T{hour:02d}:30", f" {hour:02d}:15:07.25+05:30", f"T{hour:02d}:00:00Z",
                 f"T{hour:02d}:00:00-0800", "x", ""][form]  # fmt: skip
        texts.append(text if form != 6 else text[:-1])
    return texts


def test_generated_date_texts_read_alike() -> None:
    """Dates reach a model as text: a valid ISO 8601 date gives its parts, anything else
    (2021-02-30, 0000-01-01, 2021-13-01, broken forms) NaN, in training and in the graph."""
    frame = pd.DataFrame({"day": pd.Series(generated_dates(4000, seed=3), dtype=object)})
    step = get_step("datetime_parts")
    parts = list(step.params[0].choices)
    expected, got, _ = converted("datetime_parts", {"parts": parts}, frame, frame)
    assert_same(expected, got)
    assert 0.1 < np.isnan(expected.astype(float)).all(axis=1).mean() < 0.9


def test_nonstandard_operators_are_only_hashing_and_extracting() -> None:
    """onnxruntime's own operators appear only where the step notes say: MurmurHash3 for
    hashing, Tokenizer to extract words, numbers and trimmed text."""
    frame = generated_texts(50, seed=1)
    domains: dict[str, set[str]] = {}
    steps = [
        ("hash", {}),
        ("tfidf", {}),
        ("parse_numbers", {}),
        ("strip_whitespace", {}),
        ("cast", {}),
        ("mark_missing", {"values": ["x"]}),
    ]
    for name, params in steps:
        step = get_step(name)
        _, _, proto = converted(name, params, frame, frame)
        found = {node.op_type for node in proto.graph.node if node.domain == "com.microsoft"}
        domains[name] = found
        assert bool(found) == ("com.microsoft" in step.onnx_note), name
    assert domains == {
        "hash": {"MurmurHash3"},
        "tfidf": {"Tokenizer"},
        "parse_numbers": {"Tokenizer"},
        "strip_whitespace": {"Tokenizer"},
        "cast": set(),
        "mark_missing": set(),
    }
