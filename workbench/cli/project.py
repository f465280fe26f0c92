"""`workbench new`, `profile` and `info`: a project created from a table file, a table or a
project's dataset profiled, and a project described."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from workbench.cli.output import print_json, print_table
from workbench.cli.read_options import add_read_options, read_options
from workbench.core.errors import WorkbenchError
from workbench.core.numbers import format_number


def add_parsers(sub: Any) -> None:
    new = sub.add_parser("new", help="create a project from a data file")
    new.add_argument("project", type=Path, help="folder for the new project (created)")
    new.add_argument("--data", type=Path, required=True, help="table file to import")
    new.add_argument("--target", help="target column (default: suggested)")
    new.add_argument("--name", help="project name (default: the folder's name)")
    add_read_options(new)
    new.add_argument("--json", action="store_true", help="print the project summary as JSON")

    profile = sub.add_parser("profile", help="profile a data file or a project's dataset")
    profile.add_argument("source", type=Path, help="a table file or a project folder")
    profile.add_argument("--target", help="target column (default: the project's or suggested)")
    add_read_options(profile)
    profile.add_argument("--json", action="store_true", help="print the full profile as JSON")

    info = sub.add_parser("info", help="describe a project")
    info.add_argument("project", type=Path)
    info.add_argument("--json", action="store_true")

    new.set_defaults(handler=cmd_new)
    profile.set_defaults(handler=cmd_profile)
    info.set_defaults(handler=cmd_info)


def cmd_new(args: argparse.Namespace) -> int:
    from workbench.core.dataset import import_table
    from workbench.core.io.table import require_table_file
    from workbench.core.project import creating_project

    options = read_options(args.option)
    require_table_file(args.data)
    with creating_project(args.project, args.name) as project:
        imported = import_table(project.root, args.data, options, args.target)
        project.attach_dataset(imported)
    summary = _project_summary(project)
    summary["task_reason"] = imported.task_reason
    if args.json:
        print_json(summary)
    else:
        print(f"created project '{project.name}' at {project.root}")
        _print_summary(summary)
        print(f"target: {project.target or '(none)'} - {imported.task_reason}")
    return 0


def cmd_profile(args: argparse.Namespace) -> int:
    from workbench.core.profile.compute import profile_frame
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
        from workbench.core.io.table import read_table
        from workbench.core.kinds import infer_kinds, suggest_target

        table = read_table(source, read_options(args.option))
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
        print_json(profile.to_dict())
    else:
        _print_profile(profile, source)
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from workbench.core.project import open_project

    project = open_project(args.project)
    summary = _project_summary(project)
    if args.json:
        print_json(summary)
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
        f"dataset: {dataset['source_file']} - {format_number(dataset['rows'])} rows x "
        f"{format_number(dataset['columns'])} "
        f"columns (sha256 {dataset['sha256'][:12]})"
    )
    for warning in dataset["warnings"]:
        print(f"  note: {warning}")
    print(f"task: {summary['task'] or '(none)'}")
    rows = [(c["name"], c["kind"], c["role"] or "", c["dtype"]) for c in summary["columns"]]
    print_table(("column", "kind", "role", "dtype"), rows)


def _print_profile(profile: Any, source: Path) -> None:
    print(
        f"{source}: {format_number(profile.rows)} rows x "
        f"{format_number(len(profile.column_profiles))} columns, "
        f"{format_number(profile.memory_bytes / 1e6, 2)} MB in memory, "
        f"{format_number(profile.duplicate_rows)} duplicate rows, "
        f"{format_number(profile.missing_cells)} missing cells"
    )
    if profile.target:
        print(f"target: {profile.target} ({profile.task.value if profile.task else 'unknown'})")
    rows = [
        (
            c.name,
            c.kind.value,
            format_number(c.missing),
            format_number(c.distinct),
            _column_brief(c),
        )
        for c in profile.column_profiles
    ]
    print_table(("column", "kind", "missing", "distinct", "summary"), rows)
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
        return f"top {value!s:.30} ({format_number(count)})"
    return ""


def _num(value: Any) -> str:
    return format_number(value) if isinstance(value, float) else str(value)
