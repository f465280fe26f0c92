"""A finished run's pieces as the tests need them, each read through LoadedRun as the product
reads them (tests/ is on sys.path through its conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.core.export.feature_schema import FeatureSchema, schema_for_run
from workbench.core.runs.loaded import LoadedRun
from workbench.core.runs.log import RunRecord


def pipeline_of(root: str | Path, run_id: str) -> Any:
    """The run's fitted pipeline, unpickled after its sha256 check."""
    with LoadedRun.open(root, run_id) as run:
        return run.pipeline


def schema_of(root: str | Path, run_id: str) -> FeatureSchema:
    """The run's model schema (schema.json)."""
    with LoadedRun.open(root, run_id) as run:
        return schema_for_run(run)


def record_of(root: str | Path, run_id: str) -> RunRecord:
    """The finished run's log record."""
    with LoadedRun.open(root, run_id) as run:
        return run.record
