"""`workbench report PROJECT [RUN] --out FILE.html`: a run's self-contained HTML report, headless.

Without a RUN the report is of the best finished run, the one `workbench export` takes
(core.runs.best).

The report is core's `write_report`: the facts and the HTML are computed here, the plots (the
Results panel's widgets, drawn with Qt on the offscreen platform when there is no display) in
a child process whose function is named by module path, so this process never imports the GUI
package or Qt (see core.report.writer for why a job rather than a subprocess).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.core.errors import WorkbenchError
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress
from workbench.core.steps.lazy import LazyFactory

if TYPE_CHECKING:
    from workbench.core.metrics.plot_data import RunPlotData
    from workbench.core.report.document import ReportImage


POLL_SECONDS = 0.1
# Named, not imported: the child imports the gui module when it calls it, the CLI never does.
RENDER_PLOTS = LazyFactory("workbench.gui.report.images", "render_report_plots")


def render_plots(
    data: RunPlotData, progress: ProgressFn = no_progress, cancel: CancelToken = NEVER_CANCELLED
) -> list[ReportImage]:
    """The report job's function, run in the child: the GUI's renderer, imported there."""
    return RENDER_PLOTS(data, progress, cancel)


def add_parser(sub: Any) -> None:
    report = sub.add_parser(
        "report", help="write a run's report: one HTML file with its data, scores and plots"
    )
    report.add_argument("project", type=Path)
    report.add_argument(
        "run", nargs="?", help="run id (default: the best finished run; see `workbench runs`)"
    )
    report.add_argument(
        "--out",
        type=Path,
        metavar="FILE.html",
        help="where to write it (default: PROJECT/reports/RUN.html)",
    )
    report.set_defaults(handler=cmd)


def render_in_child(
    data: RunPlotData, progress: ProgressFn, cancel: CancelToken
) -> list[ReportImage]:
    """The report's plots, drawn in a child process (a Renderer for write_report); its
    progress is passed on, a cancel or Ctrl+C stops the child."""
    from workbench.jobs.events import DoneEvent, FailedEvent, ProgressEvent
    from workbench.jobs.job import Job
    from workbench.jobs.process_runner import run_in_process

    handle = run_in_process(Job(render_plots, (data,), name="Drawing the report's plots"))
    try:
        while True:
            ended = handle.wait(timeout=POLL_SECONDS)
            for event in handle.poll():
                if isinstance(event, ProgressEvent):
                    progress(event.fraction, event.message)
            if ended is not None:
                break
            if cancel.cancelled:
                handle.cancel()
    except BaseException:  # Ctrl+C: the child goes too
        handle.cancel()
        raise
    if isinstance(ended, DoneEvent):
        return list(ended.result)
    if isinstance(ended, FailedEvent):
        raise WorkbenchError(f"the report's plots could not be drawn: {ended.message}")
    cancel.raise_if_cancelled()
    raise WorkbenchError("drawing the report's plots was cancelled")


def cmd(args: argparse.Namespace) -> int:
    """Write the report and print its path; a WorkbenchError (exit 2 in cli.main) otherwise."""
    if not args.project.is_dir():
        raise WorkbenchError(f"project folder not found: {args.project}")
    # Imported here: `workbench --help` should not wait for pandas.
    from workbench.core.report.writer import default_report_path, write_report
    from workbench.core.runs.best import best_run

    run_id = args.run or best_run(args.project, "to report on")
    out = args.out if args.out is not None else default_report_path(args.project, run_id)
    path = write_report(args.project, run_id, out, render_in_child)
    print(path)
    if not args.run:
        print(f"note: the report of run {run_id}, the best finished run", file=sys.stderr)
    return 0
