"""`-o KEY=VALUE` read options: the same overrides of import detection for every command that
reads a table file (new, profile, predict)."""

from __future__ import annotations

import argparse
from typing import Any

from workbench.core.errors import WorkbenchError


def add_read_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--option",
        "-o",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="read option overriding detection, e.g. delimiter=';' header=false na_values=?,NA",
    )


def read_options(pairs: list[str]) -> Any:
    from workbench.core.io.options import ReadOptions

    overrides: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise WorkbenchError(f"--option expects KEY=VALUE, got '{pair}'")
        overrides[key.strip()] = value
    return ReadOptions().with_overrides(overrides) if overrides else None
