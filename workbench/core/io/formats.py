"""The file formats: every reader loaded, and the reader for a file.

Importing a reader module registers its format (reader.Reader declares name, label, suffixes
and options); this module imports all of them, so asking it for the formats always sees every
one. Every format the workbench names comes from here: ReadOptions' formats, the suffixes
detection knows, the Import dialog's format choices and file filter, the CLI's help.
Every reader hands its raw frame to `tidy_frame`, so the same options mean the same thing for
every format: names cleaned, NA tokens and surrounding spaces handled, booleans and dates typed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

# csv, excel, json, parquet, sqlite: imported for their registrations.
from workbench.core.io import (  # noqa: F401
    csv,
    detect,
    excel,
    json,
    parquet,
    sqlite,
)
from workbench.core.io.reader import Reader, registered_formats

if TYPE_CHECKING:
    from workbench.core.io.options import ReadOptions


def file_formats() -> Mapping[str, type[Reader]]:
    """Every format's reader, by format name, in priority order."""
    return registered_formats()


def suffix_formats() -> dict[str, str]:
    """File suffix (".csv") -> the format that reads it."""
    return {
        suffix: name for name, reader in registered_formats().items() for suffix in reader.suffixes
    }


def supported_suffixes() -> tuple[str, ...]:
    """Every suffix a reader declares, in the formats' order."""
    return tuple(suffix_formats())


def detect_format(path: Path) -> str:
    """The file's format from its content (magic bytes) and then its suffix."""
    return detect.detect_format(path, suffix_formats())


def open_reader(path: Path, options: ReadOptions) -> Reader:
    """The reader for the file's format, with every detectable option resolved."""
    fmt = options.format if options.format != "auto" else detect_format(path)
    options = dataclasses.replace(options, format=fmt)
    return registered_formats()[fmt](path, options)
