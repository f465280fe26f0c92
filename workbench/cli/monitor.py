"""`workbench monitor PROJECT RUN FILE`: check a new batch against a run, for a scheduled job.

    workbench monitor PROJECT RUN FILE [--out REPORT.html] [--json] [-o KEY=VALUE ...]
                      [--threshold NAME=VALUE ...] [--no-keep]

Exit code 0 when nothing drifted and the batch passed validation, 1 when a column, the
predictions or (with labels) the run's metric moved beyond the thresholds or validation found
a blocking problem (a missing column, a wrong type), 2 for bad input (no such project, run or
file; an unreadable file; an unknown option). The file is read with the same detection and
`-o` read options as `workbench new`; the check is kept in PROJECT/monitor/RUN/ (listed by
`workbench monitor-history`) unless --no-keep.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.cli.output import print_json, print_table
from workbench.cli.read_options import add_read_options, read_options
from workbench.core.errors import WorkbenchError

if TYPE_CHECKING:
    from workbench.core.monitor.history import StoredCheck
    from workbench.core.monitor.options import DriftOptions

EXIT_STABLE = 0
EXIT_DRIFTED = 1


def add_parsers(sub: Any) -> None:
    monitor = sub.add_parser(
        "monitor",
        help="check a new batch file against a run: validation, drift, prediction drift",
        description="Exit code 0: nothing drifted; 1: something drifted or the batch failed "
        "validation; 2: bad input.",
    )
    monitor.add_argument("project", type=Path)
    monitor.add_argument("run", help="run id (see `workbench runs PROJECT`)")
    monitor.add_argument("file", type=Path, help="the batch: a table file of new rows")
    monitor.add_argument(
        "--out", type=Path, metavar="REPORT.html", help="also write the check as an HTML report"
    )
    monitor.add_argument("--json", action="store_true", help="print the report as JSON")
    monitor.add_argument(
        "--threshold",
        "-t",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=f"a drift threshold, e.g. psi_threshold=0.25; names: {_threshold_names()}",
    )
    monitor.add_argument(
        "--no-keep", action="store_true", help="do not keep the check in the project"
    )
    add_read_options(monitor)
    monitor.set_defaults(handler=cmd)

    history = sub.add_parser("monitor-history", help="list the kept checks of a run by date")
    history.add_argument("project", type=Path)
    history.add_argument("run", help="run id")
    history.add_argument("--json", action="store_true", help="print the checks as JSON")
    history.set_defaults(handler=cmd_history)


def _threshold_names() -> str:
    from dataclasses import fields

    from workbench.core.monitor.options import DriftOptions

    return ", ".join(item.name for item in fields(DriftOptions))


def drift_options(pairs: list[str]) -> DriftOptions:
    """The thresholds with `NAME=VALUE` overrides (checked as a report's options are)."""
    from workbench.core.monitor.options import DriftOptions

    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name.strip():
            raise WorkbenchError(f"--threshold expects NAME=VALUE, got '{pair}'")
        try:
            number = float(text)
        except ValueError:
            raise WorkbenchError(f"--threshold {name.strip()}: '{text}' is not a number") from None
        values[name.strip()] = int(number) if number.is_integer() else number
    return DriftOptions.from_dict(values, "--threshold")


def cmd(args: argparse.Namespace) -> int:
    """Check the batch, print the verdict (or the JSON), write the HTML when asked."""
    from workbench.core.export.batch_check import check_file
    from workbench.core.monitor.html_report import write_check_report

    if not args.project.is_dir():
        raise WorkbenchError(f"project folder not found: {args.project}")
    if args.out is not None and args.out.suffix.lower() not in (".html", ".htm"):
        raise WorkbenchError(f"the report is an .html file, not '{args.out.name}'")
    options = drift_options(args.threshold)
    check = check_file(
        args.project,
        args.run,
        args.file,
        read_options(args.option),
        options,
        keep=not args.no_keep,
    )
    if args.out is not None:
        write_check_report(check, args.out)
    if args.json:
        print_json(check.report.to_dict())
    else:
        _print_check(check, args.out)
    return EXIT_DRIFTED if check.report.drifted or check.report.blocking else EXIT_STABLE


def _print_check(check: StoredCheck, out: Path | None) -> None:
    from workbench.core.monitor.verdict import check_verdicts, drift_order

    report = check.report
    print(f"{check.file_name}: {report.rows:,} rows against run {report.run_id}")
    for verdict in check_verdicts(report):
        print(f"  {verdict.check}: {verdict.text}")
    tested = [column for column in report.columns if column.test is not None]
    rows = [
        [
            column.name,
            column.test or "",
            _number(column.statistic),
            _number(column.p_value),
            _number(column.psi),
            "DRIFTED" if column.drifted else "",
        ]
        for column in drift_order(tested)
    ]
    if rows:
        print()
        print_table(["column", "test", "statistic", "p_value", "psi", "drifted"], rows)
    for problem in report.validation:
        print(f"{'error' if problem.blocking else 'warning'}: {problem.message}")
    if check.path is not None:
        print(f"kept: {check.path}")
    if out is not None:
        print(f"report: {out}")


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def cmd_history(args: argparse.Namespace) -> int:
    """The run's kept checks, oldest first."""
    from workbench.core.monitor.history import list_checks
    from workbench.core.runs.loaded import LoadedRun

    if not args.project.is_dir():
        raise WorkbenchError(f"project folder not found: {args.project}")
    LoadedRun.open(args.project, args.run).close()  # the run exists and finished
    checks = list_checks(args.project, args.run)
    if args.json:
        print_json(
            [
                {
                    "checked_at": check.checked_at,
                    "file_name": check.file_name,
                    "rows": check.report.rows,
                    "drifted": check.report.drifted,
                    "drifted_columns": check.report.drifted_columns,
                    "blocking": check.report.blocking,
                    "path": str(check.path),
                }
                for check in checks
            ]
        )
        return 0
    if not checks:
        print(f"run {args.run} has no kept checks; check a batch with `workbench monitor`")
        return 0
    print_table(
        ["checked at", "file", "rows", "drifted columns", "validation"],
        [
            [
                check.checked_at,
                check.file_name,
                f"{check.report.rows:,}",
                ", ".join(check.report.drifted_columns) or "none",
                "blocking problem" if check.report.blocking else "passed",
            ]
            for check in checks
        ],
    )
    return 0
