"""Calling `workbench` as a shell would, for the CLI tests: exit code, one-line error."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from workbench.cli.main import main


def run(argv: Sequence[str]) -> int:
    try:
        return main(list(argv))
    except SystemExit as exit_:  # argparse's usage errors exit, as they do in a shell
        return int(exit_.code or 0)


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The single stderr line of a failed command: no traceback, nothing half-printed."""
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err, captured.err
    return captured.err.strip()
