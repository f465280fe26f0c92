"""The `workbench` command: the headless twin of the GUI over the same core.

Bad input exits with code 2 and one line on stderr, never a traceback; `--json` prints what a
script needs. With no subcommand (or a project folder as the only argument) it opens the window.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from workbench import __version__
from workbench.core.errors import WorkbenchError

EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a command whose reader left
COMMANDS = ("new", "profile", "info", "train", "runs", "export", "predict", "report", "gui")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr with exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="workbench", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    parser.add_argument(
        "--selftest",
        action="store_true",
        help="check this installation: window, libraries, a training and an ONNX export",
    )
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    new = sub.add_parser("new", help="create a project from a data file")
    new.add_argument("project", type=Path, help="folder for the new project (created)")
    new.add_argument("--data", type=Path, required=True, help="table file to import")
    new.add_argument("--target", help="target column (default: suggested)")
    new.add_argument("--name", help="project name (default: the folder's name)")
    _add_read_options(new)
    new.add_argument("--json", action="store_true", help="print the project summary as JSON")

    profile = sub.add_parser("profile", help="profile a data file or a project's dataset")
    profile.add_argument("source", type=Path, help="a table file or a project folder")
    profile.add_argument("--target", help="target column (default: the project's or suggested)")
    _add_read_options(profile)
    profile.add_argument("--json", action="store_true", help="print the full profile as JSON")

    info = sub.add_parser("info", help="describe a project")
    info.add_argument("project", type=Path)
    info.add_argument("--json", action="store_true")

    train = sub.add_parser("train", help="train and cross-validate models on a project")
    train.add_argument("project", type=Path)
    train.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="NAME",
        help="model to train (repeatable), e.g. random_forest, xgboost, logistic_regression",
    )
    train.add_argument(
        "--split",
        default="stratified_kfold:5",
        help="validation: kfold:5, stratified_kfold:5, holdout:0.2, repeated_kfold:5x3, "
        "group_kfold:5:COLUMN, timeseries:5:COLUMN or hash:0.2:COLUMN",
    )
    train.add_argument("--test", default="0.2", help="share of rows kept for the final test")
    train.add_argument(
        "--tune",
        default="none",
        help="search: none, grid, grid:50, random:30, halving:30, random:60s (a time budget)",
    )
    train.add_argument("--metric", help="metric to optimise (default: by task)")
    train.add_argument("--seed", default="0", help="random seed (default 0)")
    train.add_argument("--jobs", help="cores to use (default: all)")
    train.add_argument("--no-baseline", action="store_true", help="skip the dummy baseline")
    train.add_argument("--json", action="store_true", help="print the results as JSON")

    runs = sub.add_parser("runs", help="list a project's runs")
    runs.add_argument("project", type=Path)
    runs.add_argument("--json", action="store_true")

    from workbench import cli_export, cli_predict, cli_report

    cli_export.add_parser(sub)
    cli_predict.add_parser(sub)
    cli_report.add_parser(sub)

    gui = sub.add_parser("gui", help="open the window (the default command)")
    gui.add_argument("project", type=Path, nargs="?", help="project folder to open")
    return parser


def _add_read_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--option",
        "-o",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="read option overriding detection, e.g. delimiter=';' header=false na_values=?,NA",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # `workbench PROJECT` opens the window on PROJECT: the command a desktop launcher runs.
    if not args_list or (args_list[0] not in COMMANDS and not args_list[0].startswith("-")):
        args_list.insert(0, "gui")
    args = build_parser().parse_args(args_list)
    if args.selftest:
        from workbench.selftest import run_selftest

        return run_selftest()
    try:
        return _dispatch(args)
    except WorkbenchError as error:
        print(f"workbench: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output left (`workbench runs P | head -1`): stop quietly, as a
        # command killed by SIGPIPE does, instead of a traceback on the next write.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "gui":
        from workbench.gui.app import run_app  # Qt only when the window is wanted

        return run_app(args.project)
    if args.command == "new":
        return _cmd_new(args)
    if args.command == "profile":
        return _cmd_profile(args)
    if args.command in ("train", "runs"):
        from workbench.cli_train import cmd_runs, cmd_train

        return cmd_train(args) if args.command == "train" else cmd_runs(args)
    if args.command == "export":
        from workbench import cli_export

        return cli_export.cmd(args)
    if args.command == "predict":
        from workbench import cli_predict

        return cli_predict.cmd(args)
    if args.command == "report":
        from workbench import cli_report

        return cli_report.cmd(args)
    return _cmd_info(args)


def _read_options(pairs: list[str]) -> Any:
    from workbench.core.io import ReadOptions

    overrides: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise WorkbenchError(f"--option expects KEY=VALUE, got '{pair}'")
        overrides[key.strip()] = value
    return ReadOptions().with_overrides(overrides) if overrides else None


def _cmd_new(args: argparse.Namespace) -> int:
    from workbench.core.dataset import import_table
    from workbench.core.io import require_table_file
    from workbench.core.project import creating_project

    options = _read_options(args.option)
    require_table_file(args.data)
    with creating_project(args.project, args.name) as project:
        imported = import_table(project.root, args.data, options, args.target)
        project.attach_dataset(imported)
    summary = _project_summary(project)
    summary["task_reason"] = imported.task_reason
    if args.json:
        _print_json(summary)
    else:
        print(f"created project '{project.name}' at {project.root}")
        _print_summary(summary)
        print(f"target: {project.target or '(none)'} - {imported.task_reason}")
    return 0


def _cmd_profile(args: argparse.Namespace) -> int:
    from workbench.core.profile import profile_frame
    from workbench.core.project import open_project

    source: Path = args.source
    if source.is_dir():  # a project; open_project says what is wrong with one that is not
        if args.option:
            raise WorkbenchError("--option applies to data files, not to a project")
        project = open_project(source)
        frame = project.load_frame()
        kinds = project.dataset.kinds if project.dataset else None
        target = args.target or project.target
    else:
        from workbench.core.io import read_table
        from workbench.core.kinds import infer_kinds, suggest_target

        table = read_table(source, _read_options(args.option))
        frame = table.frame
        for warning in table.warnings:
            print(f"workbench: note: {warning}", file=sys.stderr)
        kinds = infer_kinds(frame)
        suggestion = None if args.target else suggest_target(frame, kinds)
        target = args.target or (suggestion.column if suggestion else None)
    if target is not None and target not in frame.columns:
        raise WorkbenchError(f"target column '{target}' is not in {source}")
    profile = profile_frame(frame, target=target, kinds=kinds)
    if args.json:
        _print_json(profile.to_dict())
    else:
        _print_profile(profile, source)
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from workbench.core.project import open_project

    project = open_project(args.project)
    summary = _project_summary(project)
    if args.json:
        _print_json(summary)
    else:
        print(f"project '{project.name}' at {project.root}")
        _print_summary(summary)
    return 0


def _project_summary(project: Any) -> dict[str, Any]:
    dataset = project.dataset
    return {
        "name": project.name,
        "path": str(project.root),
        "created_at": project.created_at,
        "target": project.target,
        "task": project.task.value if project.task else None,
        "dataset": None
        if dataset is None
        else {
            "name": dataset.name,
            "path": dataset.path,
            "source_file": dataset.source_name,
            "sha256": dataset.source_sha256,
            "rows": dataset.rows,
            "columns": dataset.columns,
            "read_options": dict(dataset.read_options),
            "warnings": list(dataset.warnings),
        },
        "columns": [
            {
                "name": column.name,
                "kind": column.kind.value,
                "role": project.roles[column.name].value if column.name in project.roles else None,
                "dtype": column.dtype,
                "nullable": column.nullable,
            }
            for column in (dataset.schema.columns if dataset else ())
        ],
    }


def _print_summary(summary: dict[str, Any]) -> None:
    dataset = summary["dataset"]
    if dataset is None:
        print("dataset: none yet")
        return
    print(
        f"dataset: {dataset['source_file']} - {dataset['rows']:,} rows x {dataset['columns']} "
        f"columns (sha256 {dataset['sha256'][:12]})"
    )
    for warning in dataset["warnings"]:
        print(f"  note: {warning}")
    print(f"task: {summary['task'] or '(none)'}")
    rows = [(c["name"], c["kind"], c["role"] or "", c["dtype"]) for c in summary["columns"]]
    _print_table(("column", "kind", "role", "dtype"), rows)


def _print_profile(profile: Any, source: Path) -> None:
    print(
        f"{source}: {profile.rows:,} rows x {len(profile.column_profiles)} columns, "
        f"{profile.memory_bytes / 1e6:.1f} MB in memory, {profile.duplicate_rows:,} duplicate "
        f"rows, {profile.missing_cells:,} missing cells"
    )
    if profile.target:
        print(f"target: {profile.target} ({profile.task.value if profile.task else 'unknown'})")
    rows = [
        (c.name, c.kind.value, f"{c.missing:,}", f"{c.distinct:,}", _column_brief(c))
        for c in profile.column_profiles
    ]
    _print_table(("column", "kind", "missing", "distinct", "summary"), rows)
    order = {"critical": 0, "warning": 1, "info": 2}
    alerts = sorted(profile.alerts, key=lambda alert: order.get(alert.severity, 3))
    print(f"\n{len(alerts)} alerts")
    for alert in alerts:
        print(f"  [{alert.severity}] {alert.kind}: {alert.message}")
        if alert.fix:
            print(f"      fix: {alert.fix}")


def _column_brief(column: Any) -> str:
    if column.mean is not None and column.min is not None:
        return f"min {_num(column.min)}, mean {_num(column.mean)}, max {_num(column.max)}"
    if column.top_values:
        value, count = column.top_values[0]
        return f"top {value!s:.30} ({count:,})"
    return ""


def _num(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(width, len(str(cell))) for width, cell in zip(widths, row, strict=True)]
    line = "  ".join(f"{h:<{w}}" for h, w in zip(headers, widths, strict=True))
    print(line)
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(f"{cell!s:<{w}}" for cell, w in zip(row, widths, strict=True)))


def _print_json(payload: Any) -> None:
    json.dump(payload, sys.stdout, indent=2, ensure_ascii=False, allow_nan=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    raise SystemExit(main())
