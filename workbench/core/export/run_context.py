"""What every export of a run reads: the project, the run's log record, its model and chain."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workbench.core.chain.resolve import ResolvedChain, resolve_chain
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnKind, TaskType
from workbench.core.models.catalog import get_model
from workbench.core.models.registry import ModelDef
from workbench.core.project import Project, open_project
from workbench.core.runs.log import RunRecord, finished_record, open_log
from workbench.core.specs import ChainSpec


@dataclass(frozen=True)
class RunContext:
    """A finished run and what it was trained with.

    `full_chain` is the chain the pipeline was compiled from, resolved: the user's steps plus
    the model's default steps (pipeline.model_chain), which its steps mark as `added`.
    """

    project: Project
    record: RunRecord
    model: ModelDef
    task: TaskType
    features: dict[str, ColumnKind]
    chain: ChainSpec
    full_chain: ResolvedChain


def exportable_run(project_root: str | Path, run_id: str) -> tuple[Project, RunRecord]:
    """The project and a finished run whose feature columns are all still in its dataset."""
    project = open_project(project_root)
    with open_log(project.root) as log:
        record = finished_record(log, run_id, "model to export")
    if project.dataset is None:
        raise WorkbenchError(f"project '{project.name}' has no dataset; import it again")
    missing = [name for name in record.spec["features"] if name not in project.dataset.kinds]
    if missing:
        raise WorkbenchError(
            f"column '{missing[0]}' used by run '{run_id}' is no longer in the project's dataset"
        )
    return project, record


def run_context(project_root: str | Path, run_id: str) -> RunContext:
    from workbench.core.pipeline import model_chain

    project, record = exportable_run(project_root, run_id)
    spec = record.spec
    task = TaskType(spec["task"])
    model = get_model(str(record.params.get("model", "")), task)
    kinds = project.dataset.kinds
    features = {str(name): kinds[name] for name in spec["features"]}
    chain = ChainSpec.from_dict(spec.get("chain"))
    full = model_chain(resolve_chain(chain, features, str(spec["target"])), model)
    return RunContext(project, record, model, task, features, chain, full)
