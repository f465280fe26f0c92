"""Trained runs on the shared datasets, made once per test session for the export tests.

Each dataset gets one project and one training job over the models asked for (small versions
of the slow ones, 3 folds, a 20% test set, one core); `trained(dataset, models)` returns model
name -> run id, training only the models not trained yet. Big datasets are subsampled with a
fixed seed so the whole export suite trains in seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
from _projects import SMALL

from workbench.core.dataset import import_table
from workbench.core.kinds import ColumnRole
from workbench.core.project import create_project
from workbench.core.specs import ChainSpec, ModelSpec, SplitSpec, StepSpec, TrainSpec
from workbench.core.train.runner import run_training


@dataclass(frozen=True)
class DatasetCase:
    """How a shared file becomes a project: target, ignored columns, rows kept, chain."""

    file: str
    target: str | None = None
    ignore: tuple[str, ...] = ()
    rows: int | None = None  # a seeded sample of this many rows; None keeps them all
    no_header: bool = False
    chain: tuple[StepSpec, ...] = ()
    split: SplitSpec = field(default_factory=lambda: SplitSpec("stratified_kfold", n_splits=3))


CASES = {
    "penguins": DatasetCase("penguins.csv"),
    "penguins_no_test": DatasetCase(
        "penguins.csv", split=SplitSpec("stratified_kfold", n_splits=3, test_fraction=0.0)
    ),
    "penguins_target_encode": DatasetCase(
        "penguins.csv", chain=(StepSpec("target_encode", ("island",)),)
    ),
    "titanic": DatasetCase("titanic.csv", "survived", ignore=("alive",)),
    "credit": DatasetCase("modeldata_credit_data.csv", "Status", rows=1500),
    "adult": DatasetCase("adult-train.csv", "column_14", rows=1200, no_header=True),
    "diamonds": DatasetCase("diamonds.csv", "price", rows=1000, split=SplitSpec("kfold", 3)),
}


@dataclass
class TrainedProject:
    root: Path
    runs: dict[str, str] = field(default_factory=dict)


def _source(case: DatasetCase, clean: Path, folder: Path) -> Path:
    source = clean / case.file
    if case.rows is None:
        return source
    header = None if case.no_header else "infer"
    frame = pd.read_csv(source, header=header, dtype=str, keep_default_na=False)
    sample = frame.sample(n=case.rows, random_state=0)
    path = folder / case.file
    sample.to_csv(path, index=False, header=not case.no_header)
    return path


@pytest.fixture(scope="session")
def trained(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str, Sequence[str]], TrainedProject]:
    projects: dict[str, TrainedProject] = {}

    def train(name: str, models: Sequence[str]) -> TrainedProject:
        case = CASES[name]
        if name not in projects:
            folder = tmp_path_factory.mktemp(f"export_{name}")
            project = create_project(folder / "project")
            source = _source(case, shared_data / "clean", folder)
            project.attach_dataset(import_table(project.root, source, target=case.target))
            for column in case.ignore:
                project.set_role(column, ColumnRole.IGNORE)
            project.set_chain(ChainSpec(case.chain))
            project.save()
            projects[name] = TrainedProject(project.root)
        trained_project = projects[name]
        missing = [m for m in models if m not in trained_project.runs]
        if missing:
            spec = TrainSpec(
                models=tuple(ModelSpec(m, SMALL.get(m, {})) for m in missing),
                split=case.split,
                n_jobs=1,
                include_baseline=False,
            )
            for result in run_training(trained_project.root, spec):
                assert result.status == "finished", result.message
                trained_project.runs[result.model] = result.run_id
        return trained_project

    return train
