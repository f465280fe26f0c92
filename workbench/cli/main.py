"""The `workbench` command line: the headless twin of the GUI over the same core.

Bad input exits with code 2 and one line on stderr, never a traceback; `--json` prints what a
script needs. With no subcommand (or a project folder as the only argument) the command opens
the window, and `--selftest` checks the installation: both need the GUI, which this package
never imports, so the caller hands them in (`workbench.entry` does, for the installed command).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, Protocol

from workbench import __version__
from workbench.cli import chain, explain, export, monitor, predict, project, report, train
from workbench.core.errors import WorkbenchError

EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a command whose reader left


class OpenWindow(Protocol):
    def __call__(self, project: Path | None) -> int: ...


class RunSelftest(Protocol):
    def __call__(self) -> int: ...


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr with exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: one sub-command per group module, each naming its handler."""
    return _parser_and_commands()[0]


def _parser_and_commands() -> tuple[argparse.ArgumentParser, set[str]]:
    parser = _Parser(prog="workbench", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    parser.add_argument(
        "--selftest",
        action="store_true",
        help="check this installation: window, libraries, a training and an ONNX export",
    )
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    project.add_parsers(sub)
    chain.add_parsers(sub)
    train.add_parsers(sub)
    export.add_parser(sub)
    predict.add_parser(sub)
    report.add_parser(sub)
    monitor.add_parsers(sub)
    explain.add_parser(sub)
    gui = sub.add_parser("gui", help="open the window (the default command)")
    gui.add_argument("project", type=Path, nargs="?", help="project folder to open")
    return parser, set(sub.choices)


def main(
    argv: Sequence[str] | None = None,
    *,
    open_window: OpenWindow | None = None,
    run_selftest: RunSelftest | None = None,
) -> int:
    """Run one command; `open_window` and `run_selftest` serve `gui` and `--selftest`."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser, commands = _parser_and_commands()
    # `workbench PROJECT` opens the window on PROJECT: the command a desktop launcher runs.
    if not args_list or (args_list[0] not in commands and not args_list[0].startswith("-")):
        args_list.insert(0, "gui")
    args = parser.parse_args(args_list)
    try:
        if args.selftest:
            return int(_needs_the_application(run_selftest)())
        if args.command == "gui":
            return int(_needs_the_application(open_window)(args.project))
        _open_project(args)
        return int(args.handler(args))
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


# Commands that write to the project they are given (runs, the log, exports).
WRITING_COMMANDS = frozenset({"train", "rerun", "export"})


def _open_project(args: argparse.Namespace) -> None:
    """What opening a project does before any command reads it: a read-only one refuses the
    commands that would write to it; a writable one has its interrupted runs marked (a note
    on stderr names them)."""
    from workbench.core.project import is_project
    from workbench.core.project_paths import project_writable
    from workbench.core.runs.log import recover_project_runs

    folder = getattr(args, "project", None) or getattr(args, "source", None)
    if args.command == "new" or folder is None or not is_project(folder):
        return  # not a project (yet): the command says what is wrong
    if not project_writable(Path(folder)):
        if args.command in WRITING_COMMANDS:
            raise WorkbenchError(
                f"the project {folder} is read-only (this user cannot write to its folder): "
                f"`{args.command}` writes to it; copy the folder somewhere you can write"
            )
        return
    try:
        recovered = recover_project_runs(Path(folder))
    except WorkbenchError:
        return  # a damaged log: the commands that read it say so
    for run_id in recovered:
        print(
            f"workbench: note: run {run_id} was interrupted (its process is gone): marked "
            "interrupted and its partial files removed",
            file=sys.stderr,
        )


def _needs_the_application(function: Callable[..., int] | None) -> Callable[..., int]:
    if function is None:
        raise WorkbenchError("this needs the desktop application: run the `workbench` command")
    return function
