"""Fixtures of the monitor tests: shared datasets split and models fitted once per session
(see _monitor_runs.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from _monitor_runs import FittedRun, Split, fit_run, split_dataset

from workbench.core.kinds import TaskType


@pytest.fixture(scope="session")
def splits(shared_data: Path) -> Callable[[str], Split]:
    """Split a shared dataset once per session."""
    made: dict[str, Split] = {}

    def get(name: str) -> Split:
        if name not in made:
            made[name] = split_dataset(shared_data, name)
        return made[name]

    return get


@pytest.fixture(scope="session")
def fitted(splits: Callable[[str], Split]) -> Callable[[str, TaskType], FittedRun]:
    """Fit a model on a shared dataset once per session."""
    made: dict[str, FittedRun] = {}

    def get(name: str, task: TaskType) -> FittedRun:
        if name not in made:
            made[name] = fit_run(splits(name), task)
        return made[name]

    return get
