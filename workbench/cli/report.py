"""`workbench report PROJECT RUN --out FILE.html`: a run's self-contained HTML report, headless.

The same `write_run_report` the Results panel runs: it draws the panel's plots with Qt, on the
offscreen platform when there is no display, so it runs on a server or in CI.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from workbench.core.errors import WorkbenchError


def add_parser(sub: Any) -> None:
    report = sub.add_parser(
        "report", help="write a run's report: one HTML file with its data, scores and plots"
    )
    report.add_argument("project", type=Path)
    report.add_argument("run", help="run id (see `workbench runs PROJECT`)")
    report.add_argument(
        "--out",
        type=Path,
        metavar="FILE.html",
        help="where to write it (default: PROJECT/reports/RUN.html)",
    )
    report.set_defaults(handler=cmd)


def cmd(args: argparse.Namespace) -> int:
    """Write the report and print its path; a WorkbenchError (exit 2 in cli.main) otherwise."""
    if not args.project.is_dir():
        raise WorkbenchError(f"project folder not found: {args.project}")
    from workbench.gui.report.writer import default_report_path, write_run_report

    out = args.out if args.out is not None else default_report_path(args.project, args.run)
    path = write_run_report(args.project, args.run, out)
    print(path)
    return 0
