"""`-o KEY=VALUE` read options: the same overrides of import detection for every command that
reads a table file (new, profile, predict). The keys, their parsing and the help come from the
options' declarations (core.io.options.ReadOptions): a new option is a new key here."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from workbench.core.errors import WorkbenchError

if TYPE_CHECKING:
    from workbench.core.io.options import ReadOptions


def read_options_help(options_type: type[ReadOptions] | None = None) -> str:
    """The `-o` help: every declared key, and what its values look like where it says."""
    from workbench.core.io.formats import file_formats
    from workbench.core.io.options import declared_options

    keys = []
    for name, option in declared_options(options_type).items():
        if name == "format":
            keys.append(f"format ({'/'.join(file_formats())})")
        else:
            keys.append(f"{name} ({option.cli})" if option.cli else name)
    return (
        "read option overriding detection, e.g. delimiter=';' decimal=. na_values=?,NA "
        "dtype=zip:text; "
        f"keys: {', '.join(keys)}"
    )


def add_read_options(
    parser: argparse.ArgumentParser, options_type: type[ReadOptions] | None = None
) -> None:
    parser.add_argument(
        "--option",
        "-o",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=read_options_help(options_type),
    )


def read_options(
    pairs: list[str], options_type: type[ReadOptions] | None = None
) -> ReadOptions | None:
    """The ReadOptions (or `options_type`) the pairs set; None when there are none."""
    from workbench.core.io.options import ReadOptions

    overrides: list[tuple[str, str]] = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise WorkbenchError(f"--option expects KEY=VALUE, got '{pair}'")
        overrides.append((key.strip(), value))  # in order: a later one wins, column types add
    return (options_type or ReadOptions)().with_overrides(overrides) if overrides else None
