"""Explanations of one finished run: its SHAP values, partial dependence curves and slices,
computed from the run's files and kept beside it, for the window, the command line, the report
and the model card.

Decisions:
- The rows explained are a seeded sample of the run's validation rows (the test rows when it
  has a test set, else the out-of-fold rows: `importance.evaluation_rows`), explained by the
  final fitted pipeline; the sampling estimate draws its background from the development rows.
  Partial dependence averages over the same rows, so a curve and the SHAP values describe the
  same people.
- A curve's column is categorical (bars) when the run recorded it as categorical or boolean,
  so `pclass` coded 1-3 is three bars, not a line.
- Slices read the out-of-fold predictions and may use any column of the data. The default set
  (`slice_candidates`) is every feature column that is a number, a category or a boolean, plus
  the columns set aside as ignored (a sensitive attribute is often kept out of the model and
  still checked for fairness), but not a copy of the target: cheap, no model is run.
- What was computed is written to runs/<run_id>/explanations.json (atomically, merged with what
  was there), keyed by what it depends on, so the window shows it again at once, the report
  and the model card reuse it, and reading it needs neither scikit-learn nor the experiment log.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbench.core.atomic import write_json_atomic
from workbench.core.errors import WorkbenchError
from workbench.core.explain.contributions import ShapExplanation, explain_predictions
from workbench.core.explain.partial_dependence import (
    PartialDependence,
    partial_dependence_curve,
)
from workbench.core.explain.slices import DEFAULT_MAX_GROUPS, SliceReport, slice_metrics
from workbench.core.kinds import ColumnKind, ColumnRole
from workbench.core.metrics.plot_data import RunPlotData, RunProblem
from workbench.core.metrics.positive import plain
from workbench.core.progress import (
    NEVER_CANCELLED,
    CancelToken,
    ProgressFn,
    no_progress,
    sub_progress,
)
from workbench.core.runs.log import RUNS_DIR
from workbench.core.runs.result_jobs import load_plot_data

if TYPE_CHECKING:
    from workbench.core.runs.loaded import LoadedRun

EXPLANATIONS_FILE = "explanations.json"
DEFAULT_ROWS = 100
DEFAULT_SEED = 0
# The report draws this many curves, of the columns with the largest mean |SHAP|.
REPORT_CURVES = 3
SLICED_KINDS = (ColumnKind.NUMERIC, ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
CATEGORICAL_KINDS = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)


@dataclass(frozen=True)
class ExplainedRows:
    """SHAP values of some of the run's rows with what a reader needs beside them: each
    column's value in those rows (`values[column][i]` for `shap.rows[i]`, JSON-safe), the
    true target (`actual`), which rows they were drawn from (`data`: "test" or "oof") and the
    sample's seed."""

    shap: ShapExplanation
    values: dict[str, list[Any]]
    actual: list[Any]
    data: str
    seed: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "shap": self.shap.to_dict(),
            "values": self.values,
            "actual": self.actual,
            "data": self.data,
            "seed": self.seed,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExplainedRows:
        try:
            return cls(
                ShapExplanation.from_dict(data["shap"]),
                {str(k): list(v) for k, v in data["values"].items()},
                list(data["actual"]),
                str(data["data"]),
                int(data["seed"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise WorkbenchError(f"not explained rows: {error!r}") from None


@dataclass(frozen=True)
class RunExplanations:
    """Everything explained for a run so far: the explained rows (None: not yet), curves by
    column, slice reports by their `column` ("sex", or "sex × pclass")."""

    rows: ExplainedRows | None = None
    pdp: dict[str, PartialDependence] = field(default_factory=dict)
    slices: dict[str, SliceReport] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.rows is None and not self.pdp and not self.slices

    def merged(self, newer: RunExplanations) -> RunExplanations:
        """These explanations with `newer`'s parts replacing the same parts."""
        return RunExplanations(
            newer.rows if newer.rows is not None else self.rows,
            {**self.pdp, **newer.pdp},
            {**self.slices, **newer.slices},
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": None if self.rows is None else self.rows.to_dict(),
            "pdp": {column: curve.to_dict() for column, curve in self.pdp.items()},
            "slices": {column: report.to_dict() for column, report in self.slices.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunExplanations:
        rows = data.get("rows")
        return cls(
            None if rows is None else ExplainedRows.from_dict(rows),
            {str(k): PartialDependence.from_dict(v) for k, v in data.get("pdp", {}).items()},
            {str(k): SliceReport.from_dict(v) for k, v in data.get("slices", {}).items()},
        )


# --- kept beside the run -------------------------------------------------------------------------


def read_explanations(run_folder: Path) -> RunExplanations:
    """What was explained for the run in `run_folder`; empty when nothing was, or the file is
    damaged (it is computed again, never an error). Reads JSON only: no scikit-learn."""
    path = Path(run_folder) / EXPLANATIONS_FILE
    if not path.is_file():
        return RunExplanations()
    try:
        return RunExplanations.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, WorkbenchError, AttributeError, TypeError):
        return RunExplanations()


def save_explanations(run_folder: Path, newer: RunExplanations) -> RunExplanations:
    """Merge `newer` into the run's saved explanations, write them atomically, return all.

    In a project this user cannot write (opened read-only, someone else's) the merged
    explanations are returned unsaved: explaining only reads the run, so it still works there,
    and the window's read-only banner and the CLI say nothing is kept."""
    merged = read_explanations(run_folder).merged(newer)
    if os.access(run_folder, os.W_OK | os.X_OK):
        write_json_atomic(Path(run_folder) / EXPLANATIONS_FILE, merged.to_dict())
    return merged


# --- computed from a run -------------------------------------------------------------------------


def explained_positions(
    run: LoadedRun, rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED
) -> np.ndarray:
    """A seeded sample of at most `rows` of the run's validation rows, in row order."""
    from workbench.core.explain.importance import evaluation_rows

    if rows < 1:
        raise WorkbenchError(f"explain at least 1 row, not {rows}")
    _, positions = evaluation_rows(run)
    if positions.size > rows:
        chosen = np.random.default_rng(seed).choice(positions, size=rows, replace=False)
        positions = np.sort(chosen)
    return positions


def explain_rows(
    run: LoadedRun,
    rows: int = DEFAULT_ROWS,
    seed: int = DEFAULT_SEED,
    positions: Sequence[int] | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ExplainedRows:
    """SHAP values of a seeded sample of `rows` validation rows (or of the rows at
    `positions` in the run's data) through the run's fitted pipeline."""
    from workbench.core.explain.importance import evaluation_rows

    data, _ = evaluation_rows(run)
    chosen = _checked_positions(run, positions) if positions else None
    if chosen is None:
        chosen = explained_positions(run, rows, seed)
    progress(0.0, "loading the fitted pipeline")
    pipeline = run.pipeline
    X = run.X.iloc[chosen]
    X.index = pd.Index(chosen)
    background = run.X.iloc[run.development_rows()]
    shap = explain_predictions(
        pipeline,
        X,
        run.task,
        positive=run.positive,
        background=background,
        seed=seed,
        progress=sub_progress(progress, 0.05, 1.0),
        cancel=cancel,
    )
    values = {str(column): [_json_value(v) for v in X[column]] for column in X.columns}
    actual = [_json_value(v) for v in run.y.iloc[chosen]]
    return ExplainedRows(shap, values, actual, data, seed)


def _checked_positions(run: LoadedRun, positions: Sequence[int]) -> np.ndarray:
    size = len(run.X)
    chosen = np.unique(np.asarray(list(positions), dtype=np.int64))
    outside = chosen[(chosen < 0) | (chosen >= size)]
    if outside.size:
        raise WorkbenchError(f"row {int(outside[0])} is not in the data (rows 0 to {size - 1})")
    return chosen


def _json_value(value: Any) -> Any:
    value = plain(value)
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, bool | int | float | str):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def feature_column(run: LoadedRun, column: str) -> str:
    """`column` when it is one of the run's feature columns, else a WorkbenchError naming them."""
    features = list(run.spec.feature_names)
    if column not in features:
        shown = ", ".join(features[:12]) + (", ..." if len(features) > 12 else "")
        raise WorkbenchError(
            f"column '{column}' is not one of run '{run.run_id}''s feature columns ({shown})"
        )
    return column


def run_partial_dependence(
    run: LoadedRun,
    column: str,
    rows: int = DEFAULT_ROWS,
    seed: int = DEFAULT_SEED,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> PartialDependence:
    """Partial dependence and ICE of `column` (a feature column), averaged over the same
    sample of validation rows `explain_rows` explains."""
    feature_column(run, column)
    positions = explained_positions(run, rows, seed)
    X = run.X.iloc[positions]
    X.index = pd.Index(positions)
    categorical = run.features.get(column) in CATEGORICAL_KINDS or None
    return partial_dependence_curve(
        run.pipeline,
        X,
        column,
        run.task,
        positive=run.positive,
        categorical=categorical,
        seed=seed,
        progress=progress,
        cancel=cancel,
    )


def run_slices(run: LoadedRun, columns: str | Sequence[str]) -> SliceReport:
    """The run's out-of-fold metrics per slice of one or two columns of its data."""
    names = [columns] if isinstance(columns, str) else list(columns)
    frame = run.training_frame
    for name in names:
        if name not in frame.columns:
            raise WorkbenchError(f"column '{name}' is not in the data of run '{run.run_id}'")
    predictions = run.predictions
    return slice_metrics(
        frame,
        run.oof,
        names,
        run.task,
        classes=predictions.classes,
        positive=run.positive,
        metric=run.spec.metric,
    )


def slice_candidates(run: LoadedRun) -> list[str]:
    """The columns sliced by default: see the module's docstring. A column that copies the
    target (each of its values holds one target value: titanic's `alive`) says nothing about
    the model and is left out."""
    columns = [name for name, kind in run.features.items() if kind in SLICED_KINDS]
    project = run.project
    if project.dataset is not None:
        for name, role in project.roles.items():
            kind = project.dataset.kinds.get(name)
            if role == ColumnRole.IGNORE and kind in SLICED_KINDS and name not in columns:
                columns.append(name)
    frame = run.training_frame
    target = run.spec.target
    return [
        name
        for name in columns
        if name in frame.columns and name != target and not _copies(frame[name], frame[target])
    ]


def _copies(column: pd.Series, target: pd.Series) -> bool:
    """A column of few values (a near-unique one trivially "determines" anything) each of
    which holds a single target value."""
    if column.nunique() > DEFAULT_MAX_GROUPS:
        return False
    return bool(target.groupby(column.to_numpy(), dropna=True).nunique().max() <= 1)


def missing_slices(run: LoadedRun, saved: RunExplanations) -> dict[str, SliceReport]:
    """The default slices (`slice_candidates`) not in `saved`, by column."""
    return {
        name: run_slices(run, name) for name in slice_candidates(run) if name not in saved.slices
    }


def all_slice_reports(run: LoadedRun) -> list[SliceReport]:
    """Every slice report of the run: the saved ones and the default ones not saved (computed
    now, not saved: the model card reads them while an export writes elsewhere)."""
    saved = read_explanations(run.folder)
    return [*saved.slices.values(), *missing_slices(run, saved).values()]


def default_explanations(
    run: LoadedRun,
    curves: int = 1,
    rows: int = DEFAULT_ROWS,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> RunExplanations:
    """The run's saved explanations, completed where parts are missing: the explained rows,
    every default slice, and the curves of the `curves` columns with the largest mean |SHAP|;
    what was computed is saved."""
    saved = read_explanations(run.folder)
    if not run.pipeline_trusted:
        # A received run: its pipeline is never loaded, so only what the predictions give
        # (the slices) is computed; SHAP values and curves saved by the sender are kept.
        slices = missing_slices(run, saved)
        progress(1.0, "explanations done (the fitted model was not loaded)")
        if not slices:
            return saved
        return save_explanations(run.folder, RunExplanations(None, {}, slices))
    explained = saved.rows
    if explained is None:
        explained = explain_rows(
            run, rows, progress=sub_progress(progress, 0.0, 0.5), cancel=cancel
        )
    cancel.raise_if_cancelled()
    progress(0.5, "metrics per slice")
    slices = missing_slices(run, saved)
    top = list(explained.shap.importance())[:curves]
    wanted = [column for column in top if column not in saved.pdp]
    pdp = {}
    for index, column in enumerate(wanted):
        cancel.raise_if_cancelled()
        part = sub_progress(
            progress, 0.6 + 0.4 * index / len(wanted), 0.6 + 0.4 * (index + 1) / len(wanted)
        )
        pdp[column] = run_partial_dependence(run, column, rows, progress=part, cancel=cancel)
    progress(1.0, "explanations done")
    newer = RunExplanations(explained if saved.rows is None else None, pdp, slices)
    if newer.empty:
        return saved
    return save_explanations(run.folder, newer)


# --- what the Results panel reads ---------------------------------------------------------------


def with_explanations(project_root: str | Path, data: RunPlotData) -> RunPlotData:
    """A run's plot numbers with the explanations saved beside it (empty: none yet): a JSON
    file, read in milliseconds without scikit-learn."""
    folder = Path(project_root) / RUNS_DIR / data.run_id
    return replace(data, explanations=read_explanations(folder))


def load_explained_plot_data(
    project_root: str | Path,
    run_ids: Sequence[str],
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> list[RunPlotData | RunProblem]:
    """The Results panel's loading job (runs.result_jobs.load_plot_data), with each run's
    explanations."""
    loaded = load_plot_data(project_root, run_ids, progress, cancel)
    return [
        with_explanations(project_root, item) if isinstance(item, RunPlotData) else item
        for item in loaded
    ]


# --- the window's jobs (module-level functions of plain arguments: a child process imports
# them by name) -----------------------------------------------------------------------------------


def explanations_job(
    project_root: str | Path,
    run_id: str,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> RunExplanations:
    """The Results panel's Explain job: the default explanations of the run."""
    from workbench.core.runs.loaded import LoadedRun

    with LoadedRun.open(project_root, run_id) as run:
        return default_explanations(run, progress=progress, cancel=cancel)


def rows_job(
    project_root: str | Path,
    run_id: str,
    positions: Sequence[int],
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ExplainedRows:
    """SHAP values of the rows at `positions` (one row picked in the window); not saved, the
    saved sample stays the one the summary shows."""
    from workbench.core.runs.loaded import LoadedRun

    with LoadedRun.open(project_root, run_id) as run:
        return explain_rows(run, positions=positions, progress=progress, cancel=cancel)


def partial_dependence_job(
    project_root: str | Path,
    run_id: str,
    column: str,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> RunExplanations:
    """The curve of one column, saved with the run's explanations (all of them returned)."""
    from workbench.core.runs.loaded import LoadedRun

    with LoadedRun.open(project_root, run_id) as run:
        curve = run_partial_dependence(run, column, progress=progress, cancel=cancel)
        return save_explanations(run.folder, RunExplanations(pdp={column: curve}))


def slices_job(
    project_root: str | Path,
    run_id: str,
    columns: Sequence[str],
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> RunExplanations:
    """The slices of one or two columns, saved with the run's explanations (all returned)."""
    from workbench.core.runs.loaded import LoadedRun

    progress(0.0, "metrics per slice")
    with LoadedRun.open(project_root, run_id) as run:
        report = run_slices(run, list(columns))
        cancel.raise_if_cancelled()
        return save_explanations(run.folder, RunExplanations(slices={report.column: report}))
