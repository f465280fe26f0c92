"""The `workbench` command: the headless twin of the GUI over the same core.

Bad input exits with code 2 and one line on stderr, never a traceback; `--json` prints what a
script needs. With no subcommand (or a project folder as the only argument) it opens the window.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from workbench import __version__
from workbench.cli import export, predict, project, report, train
from workbench.core.errors import WorkbenchError

EXIT_USAGE = 2


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
    train.add_parsers(sub)
    export.add_parser(sub)
    predict.add_parser(sub)
    report.add_parser(sub)
    gui = sub.add_parser("gui", help="open the window (the default command)")
    gui.add_argument("project", type=Path, nargs="?", help="project folder to open")
    gui.set_defaults(handler=_open_window)
    return parser, set(sub.choices)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser, commands = _parser_and_commands()
    # `workbench PROJECT` opens the window on PROJECT: the command a desktop launcher runs.
    if not args_list or (args_list[0] not in commands and not args_list[0].startswith("-")):
        args_list.insert(0, "gui")
    args = parser.parse_args(args_list)
    if args.selftest:
        from workbench.selftest import run_selftest

        return run_selftest()
    try:
        return int(args.handler(args))
    except WorkbenchError as error:
        print(f"workbench: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130


def _open_window(args: argparse.Namespace) -> int:
    from workbench.gui.app import run_app  # Qt only when the window is wanted

    return run_app(args.project)


if __name__ == "__main__":
    raise SystemExit(main())
