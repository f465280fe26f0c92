"""Every step exports with parity: alone, in realistic chains, and all together.

Each case is a project on a shared dataset with a chain, trained with logistic (or ridge)
regression, a random forest and XGBoost on one hold-out split, then exported through
`export_run` with the parity threshold at 1e-5 (probabilities; relative for regression). The
exported model is then run on edge rows (`_edge_rows`: missing values, unseen and padded
labels, each numeric column's extremes) against the fitted pipeline, at the same threshold.
Datasets are sampled with a fixed seed so the whole module trains in about a minute.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pandas as pd
import pytest
from _edge_rows import edge_rows
from _projects import SMALL

from workbench.core.dataset import import_table
from workbench.core.export.export_run import ExportRequest, export_run
from workbench.core.export.feature_schema import schema_for_run
from workbench.core.export.onnx_convert import NONSTANDARD_KEY
from workbench.core.export.parity import check_parity
from workbench.core.kinds import ColumnRole
from workbench.core.project import create_project
from workbench.core.runs.loaded import LoadedRun
from workbench.core.specs import ChainSpec, ModelSpec, SplitSpec, StepSpec, TrainSpec
from workbench.core.steps.catalog import all_steps
from workbench.core.train.runner import run_training

THRESHOLD = 1e-5
CLASSIFIERS = ("logistic_regression", "random_forest_classifier", "xgboost_classifier")
REGRESSORS = ("ridge", "random_forest_regressor", "xgboost_regressor")
S = StepSpec


@dataclass(frozen=True)
class Data:
    file: str
    target: str
    ignore: tuple[str, ...] = ()
    rows: int | None = None  # a seeded sample of this many rows


DATA = {
    "titanic": Data("clean/titanic.csv", "survived", ("alive",)),
    "adult": Data("clean/adult-train.csv", "column_14", rows=1500),
    "bank": Data("messy/bank-additional.csv", "y", ("duration",), rows=2000),
    "penguins_raw": Data("messy/penguins-raw.csv", "Species", ("studyName", "Region", "Stage")),
    "playstore": Data("messy/googleplaystore.csv", "Rating", rows=2500),
}
PENGUIN_MEASURES = (
    "Culmen Length (mm)",
    "Culmen Depth (mm)",
    "Flipper Length (mm)",
    "Body Mass (g)",
    "Delta 15 N (o/oo)",
    "Delta 13 C (o/oo)",
)
PLAY_NUMBERS = ("Reviews", "Size", "Installs", "Price", "Android Ver")


@dataclass(frozen=True)
class Case:
    data: str
    chain: tuple[StepSpec, ...]
    # Values of their own for the edge rows, by column (infinities for replace_infinite...).
    extra: dict[str, tuple[Any, ...]] = field(default_factory=dict)


# One case per step the issue named, each step alone (with what its columns need to reach a
# model: a fill for the numbers it may leave missing).
ALONE = {
    "missing_indicator": Case(
        "titanic", (S("missing_indicator", ("age", "deck")), S("impute", ("age",)))
    ),
    "mark_missing": Case(
        "bank",
        (
            S("mark_missing", ("pdays",), {"values": ["999"]}),
            S("mark_missing", ("job", "education"), {"values": ["unknown"]}),
            S("impute", ("pdays",)),
        ),
        {"job": ("UNKNOWN ",), "pdays": (999.0,)},
    ),
    "replace_infinite": Case(
        "titanic",
        (S("replace_infinite", ("fare", "age")), S("impute", ("fare", "age"))),
        {"fare": (np.inf, -np.inf)},
    ),
    "log1p": Case(
        "titanic", (S("log1p", ("fare", "age")), S("impute", ("age",))), {"fare": (-5.0, 1e30)}
    ),
    "clip_outliers": Case(
        "titanic",
        (
            S("clip_outliers", ("fare",)),
            S("clip_outliers", ("age",), {"method": "iqr"}),
            S("impute", ("age",)),
        ),
        {"fare": (-1e30, 1e30)},
    ),
    "group_rare": Case(
        "adult", (S("group_rare", ("column_13", "column_6"), {"min_frequency": 0.02}),)
    ),
    "hash": Case("adult", (S("hash", ("column_6", "column_13"), {"n_buckets": 16}),)),
    "feature_cross": Case(
        "titanic",
        (
            S("feature_cross", ("sex", "class")),
            S("feature_cross", ("embarked", "alone"), {"encode": "hash", "n_buckets": 8}),
        ),
    ),
    "datetime_parts": Case(
        "penguins_raw",
        (
            S(
                "datetime_parts",
                ("Date Egg",),
                {"parts": list(all_steps()["datetime_parts"].params[0].choices)},
            ),
            S("impute", PENGUIN_MEASURES),
        ),
    ),
    "tfidf": Case(
        "penguins_raw",
        (
            S("tfidf", ("Comments",), {"ngram_max": 2, "max_features": 60}),
            S("impute", PENGUIN_MEASURES),
        ),
        {"Comments": ("NEST never observed", "É—é…  ")},
    ),
    "cast": Case(
        "bank",
        (S("cast", ("emp.var.rate",), {"to": "numeric"}), S("impute", ("emp.var.rate",))),
        {"emp.var.rate": (" -1.8 ", "1e2", "###")},
    ),
    "parse_numbers": Case(
        "playstore",
        (S("drop_missing_target"), S("parse_numbers", PLAY_NUMBERS), S("impute", PLAY_NUMBERS)),
        {"Installs": ("1,000,000,000+", "$53K-$91K (est.)", "4.0.3 and up")},
    ),
    "strip_whitespace": Case("adult", (S("strip_whitespace", ("column_1", "column_5")),)),
    "drop_correlated": Case("bank", (S("drop_correlated", (), {"threshold": 0.8}),)),
    "one_hot_grouped": Case(
        "adult",
        (
            S("one_hot", ("column_3",), {"min_frequency": 0.05}),
            S("one_hot", ("column_13",), {"max_categories": 4}),
        ),
    ),
    "target_encode_multiclass": Case(
        "penguins_raw",
        (S("target_encode", ("Island", "Sex")), S("impute", PENGUIN_MEASURES)),
    ),
}

# Realistic chains an analyst would build, one per dataset.
REALISTIC = {
    # No chain: the model's default steps alone, which target encode googleplaystore's columns
    # of more than 50 labels (Reviews, Size, Price, Genres, Last Updated, Current Ver).
    "playstore_defaults": Case("playstore", ()),
    "titanic": Case(
        "titanic",
        (
            S("missing_indicator", ("age", "deck")),
            S("impute", ("age",)),
            S("clip_outliers", ("fare",), {"method": "iqr", "k": 3.0}),
            S("log1p", ("fare",)),
            S("group_rare", ("deck",), {"min_frequency": 0.05}),
            S("one_hot", ("embark_town",), {"min_frequency": 0.1}),
            S("target_encode", ("who",)),
            S("cast", ("pclass",), {"to": "categorical"}),
            S("feature_cross", ("sex", "pclass")),
            S("cast", ("alone",), {"to": "numeric"}),
        ),
    ),
    "adult": Case(
        "adult",
        (
            S("mark_missing", ("column_1", "column_6", "column_13"), {"values": ["?"]}),
            S("group_rare", ("column_13",), {"min_frequency": 0.01}),
            S("hash", ("column_6",), {"n_buckets": 16}),
            S("feature_cross", ("column_8", "column_9"), {"encode": "hash", "n_buckets": 8}),
            S("one_hot", ("column_3",), {"max_categories": 8}),
            S("log1p", ("column_10", "column_11")),
            S("target_encode", ("column_5",)),
            S("impute", ("column_1",), {"strategy": "most_frequent"}),
        ),
    ),
    "bank": Case(
        "bank",
        (
            S("mark_missing", ("pdays",), {"values": ["999"]}),
            S("missing_indicator", ("pdays",)),
            S("impute", ("pdays",)),
            S(
                "mark_missing",
                ("job", "marital", "education", "default", "housing", "loan"),
                {"values": ["unknown"]},
            ),
            S("cast", ("emp.var.rate",), {"to": "numeric"}),
            S("impute", ("emp.var.rate",)),
            S("clip_outliers", ("campaign",)),
            S("one_hot", ("job",), {"min_frequency": 0.05}),
            S("target_encode", ("education",)),
            S("drop_correlated", (), {"threshold": 0.9}),
        ),
    ),
    "penguins_raw": Case(
        "penguins_raw",
        (
            S("strip_whitespace", ("Comments",)),
            S("tfidf", ("Comments",), {"max_features": 40, "ngram_max": 2}),
            S("cast", ("Sample Number",), {"to": "categorical"}),
            S("missing_indicator", ("Sex",)),
            S("hash", ("Sex",), {"n_buckets": 4}),
            S("target_encode", ("Island", "Clutch Completion")),
            S(
                "datetime_parts",
                ("Date Egg",),
                {"parts": ["year", "month", "day", "weekday", "is_weekend"]},
            ),
            S("impute", PENGUIN_MEASURES),
        ),
    ),
    "playstore": Case(
        "playstore",
        (
            S("drop_missing_target"),
            S("parse_numbers", PLAY_NUMBERS),
            S("impute", PLAY_NUMBERS),
            S("log1p", ("Reviews", "Installs")),
            S("strip_whitespace", ("Genres",)),
            S("hash", ("Genres",), {"n_buckets": 32}),
            S("group_rare", ("Category",), {"min_frequency": 0.02}),
            S("cast", ("Type",), {"to": "categorical"}),
            S("drop_columns", ("Last Updated", "Current Ver")),
        ),
    ),
}

# Every step of the registry in one chain on penguins-raw (numbers, text categories, a date, free
# text): the columns steps, then the selection steps, the row steps and class weights. Two
# penguins have no measurement at all: the nearest-neighbour fill gives them the averages.
EVERY_STEP = Case(
    "penguins_raw_all",
    (
        S("drop_missing_target"),
        S("drop_duplicates"),
        S(
            "keep_columns",
            (
                "studyName",
                "Sample Number",
                "Region",
                "Island",
                "Stage",
                "Clutch Completion",
                "Date Egg",
                *PENGUIN_MEASURES,
                "Sex",
                "Comments",
            ),
        ),
        S("strip_whitespace", ("Comments",)),
        S("mark_missing", ("Sex",), {"values": [".", "unknown"]}),
        S("missing_indicator", ("Delta 15 N (o/oo)",)),
        S("replace_infinite", ("Delta 13 C (o/oo)",)),
        S("impute_knn", ("Culmen Length (mm)", "Culmen Depth (mm)"), {"n_neighbors": 3}),
        S("impute", PENGUIN_MEASURES[2:]),
        S("log1p", ("Body Mass (g)",)),
        S("power_transform", ("Flipper Length (mm)",)),
        S("clip_outliers", ("Delta 15 N (o/oo)",)),
        S("bin", ("Delta 13 C (o/oo)",), {"n_bins": 4, "encode": "onehot"}),
        S("polynomial", ("Culmen Length (mm)", "Culmen Depth (mm)")),
        S("scale", ("Culmen Length (mm)",)),
        S("cast", ("Sample Number",), {"to": "categorical"}),
        S("group_rare", ("Sample Number",), {"min_frequency": 0.01}),
        S("hash", ("Sample Number",), {"n_buckets": 16}),
        S("cast", ("Clutch Completion",), {"to": "boolean"}),
        S("feature_cross", ("Island", "Clutch Completion")),
        S("ordinal", ("studyName",), {"order": ["PAL0708", "PAL0809", "PAL0910"]}),
        S("one_hot", ("Sex",), {"min_frequency": 0.1}),
        S("target_encode", ("Region",)),
        S("datetime_parts", ("Date Egg",), {"parts": ["year", "month", "day", "weekday"]}),
        S("tfidf", ("Comments",), {"max_features": 30}),
        S("parse_numbers", ("Stage",)),
        S("drop_columns", ("Stage",)),
        S("rename", ("Flipper Length (mm)",), {"new_name": "flipper"}),
        S("drop_constant"),
        S("drop_low_variance", (), {"threshold": 1e-6}),
        S("drop_correlated", (), {"threshold": 0.97}),
        S("select_k_best", (), {"k": 40}),
        S("pca", (), {"n_components": 25}),
        S("class_weights"),
        S("oversample", (), {"ratio": 0.9}),
        S("undersample", (), {"ratio": 0.95}),
    ),
)
DATA["penguins_raw_all"] = Data("messy/penguins-raw.csv", "Species")


@dataclass
class Exported:
    """A trained case: the project, and per model its run id and the exported ONNX bytes."""

    root: Path
    runs: dict[str, str]
    onnx: dict[str, bytes]


def _source(data: Data, shared: Path, folder: Path) -> Path:
    source = shared / data.file
    if data.rows is None:
        return source
    header = None if "adult" in data.file else "infer"
    separator = ";" if "bank" in data.file else ","
    frame = pd.read_csv(source, header=header, dtype=str, keep_default_na=False, sep=separator)
    path = folder / Path(data.file).name
    frame.sample(n=data.rows, random_state=0).to_csv(
        path, index=False, header=header is not None, sep=separator
    )
    return path


@pytest.fixture(scope="module")
def exported(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[Case], Exported]:
    done: dict[int, Exported] = {}

    def make(case: Case) -> Exported:
        if id(case) in done:
            return done[id(case)]
        data = DATA[case.data]
        folder = tmp_path_factory.mktemp(case.data)
        project = create_project(folder / "project")
        project.attach_dataset(
            import_table(project.root, _source(data, shared_data, folder), target=data.target)
        )
        for column in data.ignore:
            project.set_role(column, ColumnRole.IGNORE)
        project.set_chain(ChainSpec(case.chain))
        project.save()
        regression = data.target == "Rating"
        models = REGRESSORS if regression else CLASSIFIERS
        spec = TrainSpec(
            models=tuple(ModelSpec(m, SMALL.get(m, {})) for m in models),
            split=SplitSpec("holdout", validation_fraction=0.25, test_fraction=0.2),
            n_jobs=1,
            include_baseline=False,
        )
        runs: dict[str, str] = {}
        onnx_bytes: dict[str, bytes] = {}
        for result in run_training(project.root, spec):
            assert result.status == "finished", result.message
            target = folder / f"{result.model}.onnx"
            request = ExportRequest(onnx=target, card=False, threshold=THRESHOLD)
            parity = export_run(project.root, result.run_id, request).parity
            assert parity is not None and parity.passed and parity.rows > 0, parity
            runs[result.model] = result.run_id
            onnx_bytes[result.model] = target.read_bytes()
        done[id(case)] = Exported(project.root, runs, onnx_bytes)
        return done[id(case)]

    return make


def _edge_parity(trained: Exported, model: str, case: Case) -> Any:
    run_id = trained.runs[model]
    with LoadedRun.open(trained.root, run_id) as run:
        pipeline, schema = run.pipeline, schema_for_run(run)
        frame = run.frame.reset_index(drop=True)
    rows = edge_rows(frame, schema, frame.iloc[[len(frame) // 2]], case.extra)
    return check_parity(pipeline, trained.onnx[model], schema, rows, "edge rows", THRESHOLD)


def _assert_parity(trained: Exported, case: Case) -> None:
    for model in trained.runs:
        parity = _edge_parity(trained, model, case)
        assert parity.passed, (model, parity)
        assert parity.max_difference <= THRESHOLD, (model, parity)


@pytest.mark.parametrize("name", sorted(ALONE))
def test_each_step_alone_exports_with_parity(exported: Callable, name: str) -> None:
    _assert_parity(exported(ALONE[name]), ALONE[name])


@pytest.mark.parametrize("name", sorted(REALISTIC))
def test_realistic_chains_export_with_parity(exported: Callable, name: str) -> None:
    _assert_parity(exported(REALISTIC[name]), REALISTIC[name])


def test_a_chain_of_every_step_exports_with_parity(exported: Callable) -> None:
    used = {spec.step for spec in EVERY_STEP.chain}
    assert used == set(all_steps()), sorted(set(all_steps()) - used)
    _assert_parity(exported(EVERY_STEP), EVERY_STEP)


def test_every_step_declares_that_it_converts() -> None:
    """No 'no ONNX' badge is left: every step converts or acts on training rows only."""
    assert [name for name, step in all_steps().items() if not step.onnx] == []


def _metadata(model_bytes: bytes) -> tuple[dict[str, list[str]], int]:
    proto = onnx.load_model_from_string(model_bytes)
    entries = {prop.key: prop.value for prop in proto.metadata_props}
    main = next(entry.version for entry in proto.opset_import if entry.domain in ("", "ai.onnx"))
    return json.loads(entries[NONSTANDARD_KEY]), main


@pytest.mark.parametrize(
    ("name", "operators", "opset"),
    [
        # Every text input is trimmed as import trimmed the file (onnxruntime's Tokenizer):
        # the models of tables with text inputs name it.
        ("log1p", {"com.microsoft": ["Tokenizer"]}, 17),
        ("missing_indicator", {"com.microsoft": ["Tokenizer"]}, 20),
        ("hash", {"com.microsoft": ["MurmurHash3", "Tokenizer"]}, 20),
        ("tfidf", {"com.microsoft": ["Tokenizer"]}, 20),
        ("datetime_parts", {"com.microsoft": ["Tokenizer"]}, 20),
    ],
)
def test_models_name_their_nonstandard_operators_and_keep_the_lowest_opset(
    exported: Callable, name: str, operators: dict[str, Sequence[str]], opset: int
) -> None:
    trained = exported(ALONE[name])
    for model_bytes in trained.onnx.values():
        assert _metadata(model_bytes) == (operators, opset)


def test_edge_rows_cover_missing_unseen_and_extreme_values(exported: Callable) -> None:
    """The probes the parity tests rely on really reach the model: titanic's age is missing,
    its deck unseen, its fare at both extremes, each in its own row."""
    trained = exported(ALONE["missing_indicator"])
    run_id = trained.runs["logistic_regression"]
    with LoadedRun.open(trained.root, run_id) as run:
        schema = schema_for_run(run)
        frame = run.frame.reset_index(drop=True)
    rows = edge_rows(frame, schema, frame.iloc[[0]])
    assert rows["age"].isna().sum() == 1 and (rows["deck"] == "never seen in training").sum() == 1
    assert {frame["fare"].min(), frame["fare"].max()} <= set(rows["fare"])
    assert len(rows) == 1 + sum(
        c.nullable + 2 * (c.type in ("float", "datetime", "string")) for c in schema.columns
    )
    np.testing.assert_array_equal(rows.dtypes, frame[schema.names].dtypes)
