"""Writing a run's report: the facts and the HTML here, without Qt; the plots by a renderer.

The report's plots are the Results panel's own widgets rendered to PNG, which needs Qt, and
core never imports Qt. So `write_report` takes the renderer as an argument, and each caller
passes one that draws where Qt may live:
- the window's report job (gui.report.writer) already runs in a child process, and renders
  there, in process;
- the CLI must never import gui, not even indirectly: it renders in a child process whose
  function it names by module path (cli.report), the way the step registry names its lazy
  factories. A job, rather than `python -m ...` as a subprocess, because the job runner
  already gives what a report needs: the plot numbers go in and the PNGs come back as values,
  a failure comes back as a message, and Ctrl+C kills the child.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from workbench.core.atomic import write_text_atomic
from workbench.core.errors import WorkbenchError
from workbench.core.explain.run_explanations import REPORT_CURVES, default_explanations
from workbench.core.metrics.plot_data import RunPlotData
from workbench.core.progress import (
    NEVER_CANCELLED,
    CancelToken,
    ProgressFn,
    no_progress,
    sub_progress,
)
from workbench.core.report.document import ReportImage, report_html
from workbench.core.runs.facts import gather_facts
from workbench.core.runs.loaded import LoadedRun

REPORTS_FOLDER = "reports"
# (the run's plot numbers, progress, cancel) -> the report's plots
Renderer = Callable[[RunPlotData, ProgressFn, CancelToken], list[ReportImage]]


def default_report_path(project_root: str | Path, run_id: str) -> Path:
    """Where a run's report goes unless the user says otherwise: <project>/reports/<run>.html."""
    return Path(project_root) / REPORTS_FOLDER / f"{run_id}.html"


def write_report(
    project_root: str | Path,
    run_id: str,
    out: str | Path,
    render: Renderer,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> Path:
    """Write the report of finished run `run_id` to `out` (.html), its plots drawn by
    `render`, and return its path.

    The run's explanations (SHAP values, partial dependence of its most important columns,
    slices) are the ones saved beside it, completed and saved first when parts are missing.
    A WorkbenchError says why when the run failed, was cancelled, is still running, or its
    prediction files are gone. The file is written atomically: a cancelled or failed report
    leaves the previous file or none.
    """
    target = Path(out)
    if target.suffix.lower() not in (".html", ".htm"):
        raise WorkbenchError(f"a report is an .html file, not '{target.name}'")
    progress(0.0, f"reading run {run_id}")
    with LoadedRun.open(project_root, run_id) as run:
        facts = gather_facts(run)
        progress(0.05, "computing the curves")
        numbers = run.plot_numbers
        explanations = default_explanations(
            run, REPORT_CURVES, progress=sub_progress(progress, 0.1, 0.5), cancel=cancel
        )
    numbers = replace(numbers, explanations=explanations)
    cancel.raise_if_cancelled()
    images = render(numbers, sub_progress(progress, 0.5, 0.95), cancel)
    cancel.raise_if_cancelled()
    progress(0.95, f"writing {target.name}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(target, report_html(facts, images, explanations))
    except OSError as error:
        raise WorkbenchError(f"cannot write {target}: {error.strerror or error}") from error
    progress(1.0, "done")
    return target
