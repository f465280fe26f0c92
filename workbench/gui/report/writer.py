"""The window's report job: `write_run_report`, core's report writer with the plots drawn in
this process.

The Results panel runs it in a child process (drawing needs Qt widgets, which may only live on
a process's main thread, and reading the curves may need scikit-learn, which the window never
imports); the CLI renders in a child of its own instead (see core.report.writer).
"""

from __future__ import annotations

from pathlib import Path

from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress
from workbench.core.report.writer import write_report
from workbench.gui.report.images import render_report_plots


def write_run_report(
    project_root: str | Path,
    run_id: str,
    out: str | Path,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> Path:
    """Write the report of finished run `run_id` to `out` (.html) and return its path."""
    return write_report(project_root, run_id, out, render_report_plots, progress, cancel)
