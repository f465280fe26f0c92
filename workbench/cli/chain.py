"""`workbench chain PROJECT list|add|remove|move|enable|disable`: the Prepare panel's twin.

Every edit is checked before the project is saved: the step and its parameters against the
step registry (the declarations the panel builds its forms from), its columns against the
project's columns as the chain leaves them at that position (the resolver's own check, so the
message is the one the panel shows). A bad one is a WorkbenchError naming it, which cli.main
prints as one line with exit code 2; the project file is then left as it was. Positions are
1-based, as the chain's messages ("step 3 (One-hot encode)") and `list` number them.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.cli.output import print_json, print_table
from workbench.core.errors import WorkbenchError
from workbench.core.specs import ChainSpec, StepSpec

if TYPE_CHECKING:
    from workbench.core.chain.resolve import ResolvedChain
    from workbench.core.project import Project
    from workbench.core.steps.registry import StepDef


def add_parsers(sub: Any) -> None:
    chain = sub.add_parser("chain", help="list or edit a project's preprocessing chain")
    chain.add_argument("project", type=Path)
    actions = chain.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="the chain's steps, with any problem")
    listing.add_argument("--json", action="store_true", help="print the steps as JSON")
    listing.set_defaults(handler=cmd_list)

    add = actions.add_parser("add", help="add a step (at the end, or at position N)")
    add.add_argument("step", help="registered step name, e.g. one_hot, impute, target_encode")
    add.add_argument("--columns", nargs="+", default=[], metavar="COLUMN")
    add.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a parameter of the step (repeatable); a list as a,b,c; none for an empty one",
    )
    add.add_argument("--at", type=int, metavar="N", help="1-based position (default: the end)")
    add.set_defaults(handler=cmd_add)

    remove = actions.add_parser("remove", help="remove the step at position N")
    remove.add_argument("position", type=int, metavar="N")
    remove.set_defaults(handler=cmd_remove)

    move = actions.add_parser("move", help="move the step at position N to position M")
    move.add_argument("position", type=int, metavar="N")
    move.add_argument("to", type=int, metavar="M")
    move.set_defaults(handler=cmd_move)

    for name, verb in (("enable", "switch on"), ("disable", "switch off")):
        toggle = actions.add_parser(name, help=f"{verb} the step at position N")
        toggle.add_argument("position", type=int, metavar="N")
        toggle.set_defaults(handler=cmd_enable if name == "enable" else cmd_disable)


# --- reading -------------------------------------------------------------------------------


def _open(args: argparse.Namespace) -> Project:
    from workbench.core.project import open_project

    project = open_project(args.project)
    if project.dataset is None:
        raise WorkbenchError(f"project '{project.name}' has no dataset yet; import one first")
    return project


def _resolved(project: Project, chain: ChainSpec) -> ResolvedChain:
    from workbench.core.chain.resolve import resolve_chain

    return resolve_chain(chain, project.feature_kinds(), project.target)


def _index(project: Project, position: int, what: str = "position") -> int:
    """The 0-based index of a 1-based position of the chain."""
    count = len(project.chain.steps)
    if not 1 <= position <= count:
        span = f"1 to {count}" if count else "none: the chain is empty"
        raise WorkbenchError(f"{what} {position} is not a step of the chain (positions: {span})")
    return position - 1


def step_rows(project: Project) -> list[dict[str, Any]]:
    """The chain's steps as `list --json` prints them, each with its problems."""
    resolved = _resolved(project, project.chain)
    rows = []
    for index, step in enumerate(project.chain.steps):
        definition = resolved.registry.get(step.step)
        problems = [p.message for p in resolved.problems if p.step_index == index]
        rows.append(
            {
                "position": index + 1,
                **step.to_dict(),
                "label": definition.label if definition is not None else step.step,
                "problems": problems,
            }
        )
    return rows


def cmd_list(args: argparse.Namespace) -> int:
    project = _open(args)
    rows = step_rows(project)
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print(f"project '{project.name}' has an empty chain")
        return 0
    table = [
        (
            str(row["position"]),
            row["step"],
            "on" if row["enabled"] else "off",
            ", ".join(row["columns"]),
            ", ".join(f"{key}={value}" for key, value in row["params"].items()),
            "; ".join(row["problems"]),
        )
        for row in rows
    ]
    print_table(("#", "step", "enabled", "columns", "params", "problems"), table)
    return 0


# --- editing -------------------------------------------------------------------------------


def _save(project: Project, chain: ChainSpec, done: str) -> int:
    project.set_chain(chain)
    project.save()
    print(done)
    return 0


def parse_params(definition: StepDef, pairs: list[str]) -> dict[str, Any]:
    """`key=value` pairs -> the step's typed parameters (only those given), each checked
    against its declaration; a WorkbenchError names the bad pair or parameter."""
    declared = {param.name: param for param in definition.params}
    owner = f"step '{definition.name}'"
    given: dict[str, Any] = {}
    for pair in pairs:
        key, sign, value = pair.partition("=")
        key = key.strip()
        if not sign or not key:
            raise WorkbenchError(f"bad --param '{pair}'; use KEY=VALUE, e.g. strategy=median")
        param = declared.get(key)
        if param is None:
            names = ", ".join(declared) or "none"
            raise WorkbenchError(f"{owner} has no parameter '{key}'; its parameters: {names}")
        if key in given:
            raise WorkbenchError(f"{owner}: parameter '{key}' is given twice")
        empty = value.strip().lower() in ("", "none")
        given[key] = param.coerce(None if empty and param.optional else value, owner)
    return given


def cmd_add(args: argparse.Namespace) -> int:
    from workbench.core.steps.catalog import all_steps

    project = _open(args)
    registry = all_steps()
    definition = registry.get(args.step)
    if definition is None:
        raise WorkbenchError(f"unknown step '{args.step}'; known steps: {', '.join(registry)}")
    params = parse_params(definition, args.param)
    count = len(project.chain.steps)
    position = count + 1 if args.at is None else args.at
    if not 1 <= position <= count + 1:
        raise WorkbenchError(f"--at {args.at} is outside the chain (positions: 1 to {count + 1})")
    step = StepSpec(definition.name, tuple(args.columns), params)
    chain = project.chain.inserted(position - 1, step)
    problems = [p for p in _resolved(project, chain).problems if p.step_index == position - 1]
    if problems:
        raise WorkbenchError(problems[0].message)
    return _save(project, chain, f"added step {position} ({definition.label})")


def cmd_remove(args: argparse.Namespace) -> int:
    project = _open(args)
    index = _index(project, args.position)
    removed = project.chain.steps[index].step
    chain = project.chain.removed(index)
    return _save(project, chain, f"removed step {args.position} ({removed})")


def cmd_move(args: argparse.Namespace) -> int:
    project = _open(args)
    source = _index(project, args.position)
    destination = _index(project, args.to, "target position")
    chain = project.chain.moved(source, destination)
    moved = chain.steps[destination].step
    return _save(project, chain, f"moved {moved} from step {args.position} to step {args.to}")


def _set_enabled(args: argparse.Namespace, enabled: bool) -> int:
    project = _open(args)
    index = _index(project, args.position)
    step = project.chain.steps[index]
    chain = project.chain.replaced(index, replace(step, enabled=enabled))
    state = "enabled" if enabled else "disabled"
    return _save(project, chain, f"{state} step {args.position} ({step.step})")


def cmd_enable(args: argparse.Namespace) -> int:
    return _set_enabled(args, True)


def cmd_disable(args: argparse.Namespace) -> int:
    return _set_enabled(args, False)
