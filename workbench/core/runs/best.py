"""Which run a command means when the user names none: the best finished one.

`workbench export` and `workbench report` both take it, so "the best run" is one definition:
the best validation mean on the metric of the project's latest run (runs trained for another
metric are not comparable), baselines excluded.
"""

from __future__ import annotations

from pathlib import Path

from workbench.core.errors import WorkbenchError
from workbench.core.metrics.names import greater_is_better
from workbench.core.models.catalog import get_model
from workbench.core.project import open_project
from workbench.core.runs.log import LOG_FILE, ExperimentLog


def best_run(project_root: Path, purpose: str) -> str:
    """The finished, non-baseline run with the best validation mean on the latest run's metric.

    `purpose` completes the message when there is none ("to export": "project 'p' has no
    finished run to export; train one").
    """
    project = open_project(project_root)
    path = project.root / LOG_FILE
    records = []
    if path.exists():
        with ExperimentLog(path) as log:
            records = log.runs(status="finished")
    candidates = []
    for record in records:
        try:
            if get_model(record.spec.model.name, record.spec.task).baseline:
                continue
        except WorkbenchError:  # a model this version no longer knows is still a run
            pass
        candidates.append(record)
    if not candidates:
        raise WorkbenchError(f"project '{project.name}' has no finished run {purpose}; train one")
    latest = max(candidates, key=lambda record: record.started_at)
    metric = latest.spec.metric
    sign = 1.0 if greater_is_better(metric) else -1.0
    scored = []
    for record in candidates:
        summary = record.fold_summary().get(metric)
        if record.spec.metric == metric and summary and summary["mean"] is not None:
            scored.append((sign * float(summary["mean"]), record.started_at, record.run_id))
    if not scored:
        return latest.run_id
    return max(scored)[2]
