"""The default chain on the widest shared tables, against a plain script that one-hot encodes
every text column; and the compact encodings compared, which chose the default.

For each table (googleplaystore, flights, glassdoor, Life expectancy: the shared files with
categorical columns of hundreds or thousands of labels), with 5-fold cross-validation (a 20%
test set kept aside, as `workbench train` does) of random forest and XGBoost at the registry's
defaults:

  plain one-hot   a plain scikit-learn script: every text column one-hot encoded
                  (OneHotEncoder(handle_unknown="ignore") in a ColumnTransformer, its default
                  sparse output), numbers passed through, dates and identifiers dropped,
                  scikit-learn's forest and XGBoost's own estimator with the registry's
                  parameters (no early stopping), cross_validate on 80% of the rows
  default         the workbench's default chain through the runner (`workbench new` then
                  `workbench train`): categorical columns above ONE_HOT_MAX_LABELS labels
                  target encoded inside each fold, the others one-hot
  hash 32         (--encodings) the same, those columns hashed into 32 buckets instead
  rare grouped    (--encodings) the same, those columns one-hot with at most
                  ONE_HOT_MAX_LABELS columns, the rarest labels sharing the last

Each row: wall time of the whole cross-validation (the runner's includes its final fit and test
score, the log and the artifacts), the columns the model gets, and the validation score (R²
for regression, ROC AUC for binary targets).

    python benchmarks/default_chain_bench.py [--data ../shared/data] [--tables NAME ...]
        [--models random_forest xgboost] [--encodings] [--jobs N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from xgboost import XGBClassifier, XGBRegressor

from workbench.core.chain.model_chain import many_label_columns, model_width
from workbench.core.chain.resolve import resolve_chain
from workbench.core.chain.width import LabelCounts
from workbench.core.dataset import import_table
from workbench.core.kinds import ColumnKind, TaskType
from workbench.core.models.catalog import ONE_HOT_MAX_LABELS, build_model, get_model
from workbench.core.project import Project, create_project
from workbench.core.specs import ChainSpec, ModelSpec, SplitSpec, StepSpec, TrainSpec
from workbench.core.train.runner import run_training

TABLES = {
    "googleplaystore": "messy/googleplaystore.csv",
    "flights": "clean/flights_de_bootcamp.parquet",
    "glassdoor": "messy/glassdoor_jobs.csv",
    "life_expectancy": "messy/Life_Expectancy_Data.csv",
}
SEED = 0
FOLDS = 5
TEST = 0.2
SCORERS = {TaskType.REGRESSION: ("r2", "r2"), TaskType.BINARY: ("roc_auc", "roc_auc")}


def make_project(data: Path, relative: str, folder: Path) -> Project:
    """`workbench new`: the table imported, its suggested target and task kept."""
    project = create_project(folder / Path(relative).stem)
    project.attach_dataset(import_table(project.root, data / relative))
    project.save()
    return project


# --- plain scikit-learn -----------------------------------------------------------------------


def plain_model(model_name: str, task: TaskType, jobs: int) -> Any:
    """The library's own estimator with the registry's default parameters."""
    registered = build_model(ModelSpec(model_name), task, seed=SEED, n_jobs=jobs)
    if not model_name.startswith("xgboost"):
        return registered  # scikit-learn's forest itself
    plain = XGBRegressor if task == TaskType.REGRESSION else XGBClassifier
    return plain(**registered.get_params())


def plain_run(project: Project, model_name: str, jobs: int) -> tuple[float, int, float]:
    """A plain script's cross-validation: (seconds, columns, mean score)."""
    task = TaskType(project.task)
    frame = project.load_frame()
    frame = frame[frame[project.target].notna()].reset_index(drop=True)
    kinds = project.feature_kinds()
    text = [c for c, k in kinds.items() if k in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)]
    numbers = [c for c, k in kinds.items() if k == ColumnKind.NUMERIC]
    X = frame[text + numbers].copy()
    X[text] = X[text].astype(object).where(X[text].notna(), "missing").astype(str)
    y = frame[project.target]
    encode = ColumnTransformer(
        [("text", OneHotEncoder(handle_unknown="ignore"), text)], remainder="passthrough"
    )
    model = plain_model(model_name, task, jobs)
    if task != TaskType.REGRESSION:
        y = pd.Series(pd.factorize(y, sort=True)[0])  # XGBoost takes classes as 0..k-1
    pipeline = Pipeline([("encode", encode), ("model", model)])
    stratify = None if task == TaskType.REGRESSION else y
    rest, _ = train_test_split(
        np.arange(len(y)), test_size=TEST, random_state=SEED, stratify=stratify
    )
    splitter = (
        KFold(FOLDS, shuffle=True, random_state=SEED)
        if task == TaskType.REGRESSION
        else StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
    )
    scoring = SCORERS[task][0]
    started = time.perf_counter()
    scores = cross_validate(pipeline, X.iloc[rest], y.iloc[rest], cv=splitter, scoring=scoring)
    seconds = time.perf_counter() - started
    width = clone(encode).fit(X).transform(X.iloc[:1]).shape[1]
    return seconds, int(width), float(np.mean(scores["test_score"]))


# --- the workbench ----------------------------------------------------------------------------


def workbench_run(project: Project, model_name: str, jobs: int) -> tuple[float, int, float]:
    """`workbench train --model NAME --split kfold:5`: (seconds, columns, mean score)."""
    task = TaskType(project.task)
    spec = TrainSpec(
        models=(ModelSpec(model_name),),
        split=SplitSpec(scheme="kfold", n_splits=FOLDS, test_fraction=TEST),
        seed=SEED,
        n_jobs=jobs,
        include_baseline=False,
    )
    started = time.perf_counter()
    (result,) = run_training(project.root, spec)
    seconds = time.perf_counter() - started
    if result.status != "finished":
        raise SystemExit(f"{project.name} {model_name}: {result.message}")
    chain = resolve_chain(project.chain, project.feature_kinds(), project.target)
    counts = LabelCounts.from_schema(project.dataset.schema)
    width = model_width(chain, get_model(model_name, task), counts, task)
    metric = SCORERS[task][1]
    mean = result.validation[metric]["mean"]
    return seconds, width.columns, float(mean)


def encoding_chains(project: Project) -> dict[str, ChainSpec]:
    """The user's chains that stand for the alternatives to the default's target encoding."""
    counts = LabelCounts.from_schema(project.dataset.schema)
    many = tuple(many_label_columns(project.feature_kinds(), counts))
    if not many:
        return {}
    return {
        "hash 32": ChainSpec((StepSpec("hash", many, {"n_buckets": 32}),)),
        "rare grouped": ChainSpec(
            (StepSpec("one_hot", many, {"max_categories": ONE_HOT_MAX_LABELS}),)
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--tables", nargs="+", choices=list(TABLES), default=list(TABLES))
    parser.add_argument("--models", nargs="+", default=["random_forest", "xgboost"])
    parser.add_argument("--encodings", action="store_true", help="also hash and rare grouping")
    parser.add_argument("--skip-plain", action="store_true", help="leave the plain script out")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    print(f"categorical columns above {ONE_HOT_MAX_LABELS} labels: compact encoding")
    print("| table | model | chain | time | columns | score |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for table in args.tables:
            project = make_project(args.data, TABLES[table], Path(folder))
            metric = SCORERS[TaskType(project.task)][0]
            chains: dict[str, ChainSpec] = {"default": ChainSpec()}
            if args.encodings:
                chains.update(encoding_chains(project))
            for model in args.models:
                rows: list[tuple[str, Any]] = []
                if not args.skip_plain:
                    rows.append(("plain one-hot", plain_run(project, model, args.jobs)))
                for name, chain in chains.items():
                    project.set_chain(chain)
                    project.save()
                    rows.append((name, workbench_run(project, model, args.jobs)))
                for name, (seconds, width, score) in rows:
                    print(
                        f"| {table} ({project.target}) | {model} | {name} | {seconds:.1f} s "
                        f"| {width:,} | {metric} {score:.4f} |",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
