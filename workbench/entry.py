"""The installed `workbench` command: the command line, with the window and the self-test.

The cli package never imports the GUI (an import-linter contract holds it), yet `workbench`
with no arguments opens the window and `workbench --selftest` opens it offscreen. This module is
the one place that knows both: it hands the command line the two functions that need Qt,
imported only when they are called.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from workbench.cli.main import main as cli_main


def open_window(project: Path | None) -> int:
    from workbench.gui.app import run_app  # Qt only when the window is wanted

    return run_app(project)


def run_selftest() -> int:
    from workbench.selftest import run_selftest as selftest

    return selftest()


def main(argv: Sequence[str] | None = None) -> int:
    return cli_main(argv, open_window=open_window, run_selftest=run_selftest)


if __name__ == "__main__":
    raise SystemExit(main())
