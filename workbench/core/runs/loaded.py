"""A finished run, loaded once: what results, export, the report, predict and the explanations
all take.

`LoadedRun.open(project_root, run_id)` opens the project and its experiment log once and checks
the run finished; everything else is read on first use and kept: the project's data (its
Parquet hashed once), the fitted pipeline, the two prediction sets, the plot numbers. A job that
needs only the predictions never unpickles the model; an export that needs everything reads
each file once.

Why it is built this way:
- The run is described by what it recorded (its RunSpec), not by today's code: the chain is the
  one the pipeline was compiled from, the features carry the kinds they had. A run logged
  before those were recorded is completed from the project and today's model defaults, once,
  here, and `chain_rebuilt` says so (the card and the report print it).
- The fitted pipeline is unpickled in one place, `pipeline`, after its sha256 matched the log
  and the trust store (core.trust): a project received from elsewhere is data, never code.
- The held-out rows are read in one place, `test_rows`: parity, the Docker example and
  permutation importance all use them.
- It keeps the experiment log open (close it, or use it as a context manager), so an export
  records its parity result on the same connection.
"""

from __future__ import annotations

import dataclasses
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.chain.model_chain import model_chain
from workbench.core.chain.resolve import ResolvedChain, resolve_chain
from workbench.core.chain.width import LabelCounts
from workbench.core.errors import ProjectError, WorkbenchError
from workbench.core.io.options import ReadOptions
from workbench.core.kinds import ColumnKind, TaskType
from workbench.core.metrics.plot_data import RunPlotData
from workbench.core.metrics.predictions import RunPredictions, run_predictions
from workbench.core.models.catalog import get_model
from workbench.core.models.registry import ModelDef
from workbench.core.project import Project, open_project
from workbench.core.runs.log import (
    RUNS_DIR,
    ExperimentLog,
    RunRecord,
    finished_record,
    open_log,
    read_artifact_frame,
    verified_artifact,
)
from workbench.core.runs.plot_numbers import save_plot_numbers, saved_plot_numbers
from workbench.core.runs.spec import RecordedChain, RunSpec
from workbench.core.trust import UntrustedPickle, is_trusted

OOF_ARTIFACT = "oof"
TEST_ARTIFACT = "test_predictions"
PIPELINE_ARTIFACT = "pipeline"


def pipeline_is_trusted(record: RunRecord) -> bool:
    """Whether the run has a fitted pipeline this installation wrote (core.trust), so it may
    be loaded: the one check before a run's pickle is opened, here and by the ensembles that
    reuse their members' fits (automl.ensemble.final_member)."""
    artifact = record.artifacts.get(PIPELINE_ARTIFACT)
    return artifact is not None and is_trusted(artifact.sha256)


class LoadedRun:
    """One finished run: its record and spec, the project it belongs to, and lazily its data,
    fitted pipeline, predictions and plot numbers."""

    def __init__(self, project: Project, log: ExperimentLog, record: RunRecord) -> None:
        self.project = project
        self.log = log
        self.record = record

    @classmethod
    def open(cls, project_root: str | Path, run_id: str, wanted: str = "results") -> LoadedRun:
        """The finished run `run_id` of the project; a WorkbenchError saying why it has no
        `wanted` (results, model to export...) when it failed, was cancelled or still runs."""
        project = open_project(project_root)
        log = open_log(project.root)
        try:
            record = finished_record(log, run_id, wanted)
        except BaseException:
            log.close()
            raise
        return cls(project, log, record)

    def close(self) -> None:
        self.log.close()

    def __enter__(self) -> LoadedRun:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- what the run recorded --------------------------------------------------------------

    @property
    def root(self) -> Path:
        return self.project.root

    @property
    def run_id(self) -> str:
        return self.record.run_id

    @property
    def spec(self) -> RunSpec:
        return self.record.spec

    @property
    def task(self) -> TaskType:
        return self.spec.task

    @property
    def name(self) -> str:
        """How the run is named: its name in the log, else its model's."""
        return self.record.name or self.spec.model.name

    @property
    def folder(self) -> Path:
        """runs/<run_id>/: the run's files and the caches of what was computed for it."""
        return self.root / RUNS_DIR / self.run_id

    @cached_property
    def model(self) -> ModelDef:
        """The registered model the run trained (a WorkbenchError if this version lost it)."""
        return get_model(self.spec.model.name, self.task)

    @cached_property
    def features(self) -> dict[str, ColumnKind]:
        """The feature columns in the run's order, with the kinds it recorded (a run logged
        before kinds were recorded takes the project's)."""
        dataset = self.project.dataset
        if dataset is None:
            raise WorkbenchError(f"project '{self.project.name}' has no dataset; import it again")
        features = {}
        for feature in self.spec.features:
            if feature.name not in dataset.kinds:
                raise WorkbenchError(
                    f"column '{feature.name}' used by run '{self.run_id}' is no longer in the "
                    "project's dataset"
                )
            features[feature.name] = feature.kind or dataset.kinds[feature.name]
        return features

    @cached_property
    def inputs(self) -> dict[str, ColumnKind]:
        """The features the fitted chain reads (`ResolvedChain.reads`), with their kinds: what
        an exported model takes. A feature a step dropped is not among them."""
        reads = set(self.resolved_chain.reads)
        return {name: kind for name, kind in self.features.items() if name in reads}

    @property
    def chain_rebuilt(self) -> bool:
        """The run did not record its compiled chain (logged before version 2): `chain` was
        rebuilt from its user's chain with this version's model defaults."""
        return self.spec.chain.compiled is None

    @cached_property
    def chain(self) -> RecordedChain:
        """The chain the pipeline was compiled from, the model's default steps marked."""
        recorded = self.spec.chain
        if recorded.compiled is not None:
            return recorded
        # Only runs logged before version 2 get here: rebuilt with today's model defaults.
        user = resolve_chain(recorded.user, self.features, self.spec.target)
        dataset = self.project.dataset
        counts = LabelCounts.from_schema(dataset.schema) if dataset is not None else None
        full = model_chain(user, self.model, counts or LabelCounts({}, {}))
        return RecordedChain.from_compiled(recorded.user, full.chain)

    @cached_property
    def resolved_chain(self) -> ResolvedChain:
        """The recorded compiled chain resolved against the run's feature columns, the model's
        steps marked as added: what the blockers, the card and the report walk."""
        recorded = self.chain
        flags = recorded.added_for_model
        user = resolve_chain(recorded.user, self.features, self.spec.target)
        added = [spec for spec, flag in recorded.steps() if flag]
        return user.with_steps_added(flags.index(True) if any(flags) else len(flags), added)

    # --- the data ---------------------------------------------------------------------------

    def batch_read_options(self, options: ReadOptions | None) -> ReadOptions:
        """How to read a new batch for this run (predict, monitor): the caller's options, plus
        the column types the project's file was read with for every column the caller did not
        type. A code read as text at import ('1.50') must not come back as a number ('1.5'),
        a category the model never saw. The file's other options (delimiter, decimal mark)
        are not carried over: a batch may be another format."""
        options = options or ReadOptions()
        dataset = self.project.dataset
        if dataset is None or not dataset.read_options:
            return options
        stored = ReadOptions.from_dict(dataset.read_options).dtype
        types = {**dict(stored), **dict(options.dtype)}
        return dataclasses.replace(options, dtype=tuple(types.items()))

    @cached_property
    def frame(self) -> pd.DataFrame:
        """The project's data, rows in the positions the run's files use (its sha256 checked
        against the project's reference as it is read, once)."""
        return self.project.load_frame().reset_index(drop=True)

    @cached_property
    def training_frame(self) -> pd.DataFrame:
        """`frame`, refused when it is not the data the run trained on (re-imported since) or
        lacks a column the run used."""
        dataset = self.project.dataset
        if dataset is None:
            raise WorkbenchError(
                f"project '{self.project.name}' has no dataset; run '{self.run_id}' needs it"
            )
        if dataset.data_sha256 != self.spec.dataset_sha256:
            raise WorkbenchError(
                f"the project's dataset changed since run '{self.run_id}' was trained "
                f"(sha256 {self.spec.dataset_sha256[:12]}... then, {dataset.data_sha256[:12]}... "
                "now); this needs the data the run was trained on"
            )
        frame = self.frame
        missing = [c for c in [*self.spec.feature_names, self.spec.target] if c not in frame]
        if missing:
            raise WorkbenchError(
                f"run '{self.run_id}' used column '{missing[0]}', which the data lacks"
            )
        return frame

    @property
    def X(self) -> pd.DataFrame:
        """The run's feature columns of the data it trained on, in the run's order."""
        return self.training_frame[self.spec.feature_names]

    @property
    def y(self) -> pd.Series:
        return self.training_frame[self.spec.target]

    # --- the predictions --------------------------------------------------------------------

    @cached_property
    def oof(self) -> pd.DataFrame:
        """Out-of-fold predictions: row, fold, y_true, y_pred, proba_<class>..."""
        return read_artifact_frame(self.root, self.record, OOF_ARTIFACT)

    @cached_property
    def test(self) -> pd.DataFrame | None:
        """The held-out rows' predictions; None when the run kept no test set."""
        if TEST_ARTIFACT not in self.record.artifacts:
            return None
        return read_artifact_frame(self.root, self.record, TEST_ARTIFACT)

    @cached_property
    def predictions(self) -> RunPredictions:
        """Both prediction sets, with the classes and the positive class."""
        return run_predictions(
            self.run_id, self.task, self.oof, self.test, self.spec.positive,
            self.record.fold_metrics,
        )  # fmt: skip

    @property
    def positive(self) -> Any:
        """The binary positive class as training chose it; None for other tasks."""
        if self.task != TaskType.BINARY:
            return None
        if self.spec.positive is not None:
            return self.spec.positive
        return self.predictions.positive  # a run logged before it was recorded

    def test_rows(self) -> np.ndarray:
        """The run's held-out test rows (positions in `frame`), sorted; empty without a test
        set. The one place they are read."""
        if self.test is None:
            return np.empty(0, dtype=np.int64)
        return np.unique(self.test["row"].to_numpy(dtype=np.int64))

    def development_rows(self) -> np.ndarray:
        """The rows the folds predicted out of fold, sorted."""
        return np.unique(self.oof["row"].to_numpy(dtype=np.int64))

    # --- the fitted pipeline ----------------------------------------------------------------

    def pipeline_file(self) -> Path:
        """The pickled pipeline's path, after its sha256 matched the log's and the trust store
        (see core.trust) says this installation wrote it: an UntrustedPickle otherwise, which
        names the run to re-fit."""
        path = verified_artifact(self.root, self.record, PIPELINE_ARTIFACT)
        if not pipeline_is_trusted(self.record):
            raise UntrustedPickle(
                f"run '{self.run_id}' ({self.name}) was not trained by this installation (its "
                "fitted pipeline is a pickle, which could run someone else's code): re-fit it "
                f"from its recorded settings (Experiments > Re-fit, or `workbench rerun "
                f"{self.root} {self.run_id}`), then predict or export the new run",
                self.run_id,
            )
        return path

    @property
    def pipeline_trusted(self) -> bool:
        """Whether this installation wrote the run's pipeline (so it may be loaded): what needs
        the fitted model (SHAP values, partial dependence) is left out of a received run's
        report instead of failing it."""
        return pipeline_is_trusted(self.record)

    @cached_property
    def pipeline(self) -> Any:
        """The fitted scikit-learn Pipeline. The one place a run's pickle is loaded: only after
        its sha256 matched the log's and this installation's trust store."""
        import joblib

        path = self.pipeline_file()
        try:
            return joblib.load(path)
        except Exception as error:  # unpickling raises many types for a damaged or foreign file
            raise ProjectError(f"cannot load the fitted pipeline {path}: {error}") from error

    # --- computed from the run --------------------------------------------------------------

    @cached_property
    def plot_numbers(self) -> RunPlotData:
        """The numbers behind the Results panel's plots: saved by the runner, else computed
        and saved now (see runs.plot_numbers)."""
        saved = saved_plot_numbers(self.folder, self.record)
        if saved is not None:
            return saved
        keep = not self.project.read_only
        return save_plot_numbers(self.folder, self.record, self.predictions, keep)

    def cache_file(self, name: str) -> Path:
        """Where an answer computed on request for this run is kept (see runs.cache)."""
        return self.folder / name
