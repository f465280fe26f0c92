"""The preview of a file to import, computed off the GUI thread.

Reading even the first rows of a large or slow file can take a while, so the Import dialog runs
`run_preview` as its "preview" task (a thread job): it turns every failure into a one-line
message (never an exception), so a file that cannot be read is an outcome to show, not a
failed job. The figures a preview of the first rows gives (a target's class shares) can differ
from the whole file's: `count_target` reads the target column whole, as the "target" task.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from workbench.core.errors import WorkbenchError
from workbench.core.io.options import ReadOptions
from workbench.core.io.table import (
    TablePreview,
    detect_format,
    detect_options,
    preview_table,
    read_column,
)
from workbench.core.kinds import (
    ColumnKind,
    TaskSuggestion,
    infer_kinds,
    suggest_target,
    task_for_column,
)
from workbench.core.progress import CancelToken

PREVIEW_ROWS = 200


@dataclass(frozen=True)
class PreviewOutcome:
    """A preview and what the dialog derives from it, or the one-line reason there is none."""

    preview: TablePreview | None = None
    kinds: dict[str, ColumnKind] = dataclasses.field(default_factory=dict)
    suggestion: TaskSuggestion | None = None
    error: str | None = None
    # On failure: the options detection still resolves, so the form shows real values and
    # the fields of the right format stay on screen for the user to fix.
    options: ReadOptions | None = None


def run_preview(path: Path, options: ReadOptions, nrows: int = PREVIEW_ROWS) -> PreviewOutcome:
    """Preview `path` and suggest a target; every failure becomes a message, never an exception.

    Runs on a worker thread, so kinds and the target suggestion are computed here too.
    """
    if not path.is_file():
        return PreviewOutcome(error=f"{path.name or path}: no such file")
    try:
        preview = preview_table(path, options, nrows)
        kinds = infer_kinds(preview.frame)
        suggestion = suggest_target(preview.frame, kinds)
    except WorkbenchError as failure:
        return PreviewOutcome(error=str(failure), options=_best_known_options(path, options))
    except Exception as failure:  # a reader bug must not reach the event loop as a traceback
        message = f"{path.name}: unexpected {type(failure).__name__}: {failure}"
        return PreviewOutcome(error=message, options=_best_known_options(path, options))
    return PreviewOutcome(preview=preview, kinds=kinds, suggestion=suggestion)


def _best_known_options(path: Path, options: ReadOptions) -> ReadOptions:
    try:
        return detect_options(path, options)
    except Exception:  # detection failed too: at least tell the formats apart
        pass
    if options.format != "auto":
        return options
    try:
        return dataclasses.replace(options, format=detect_format(path))
    except Exception:  # an unreadable file: nothing more is known
        return options


def is_whole_file(preview: TablePreview, nrows: int = PREVIEW_ROWS) -> bool:
    """Whether the preview holds every row of the file (its figures are then the true ones)."""
    rows = len(preview.frame)
    estimated = preview.estimated_rows
    return rows < nrows and (estimated is None or estimated <= rows)


@dataclass(frozen=True)
class WholeTarget:
    """The task a target column implies, judged on every row of the file, not a preview's."""

    column: str
    rows: int = 0
    suggestion: TaskSuggestion | None = None
    error: str | None = None  # why the whole column cannot be a target, or cannot be read


def count_target(path: Path, options: ReadOptions, column: str, cancel: CancelToken) -> WholeTarget:
    """Read `column` whole (the CSV reader skips the others) and judge it as a target; every
    failure becomes the outcome's message."""
    try:
        series = read_column(path, options, column, cancel)
    except WorkbenchError as failure:
        return WholeTarget(column, error=str(failure))
    try:
        return WholeTarget(column, len(series), task_for_column(series))
    except WorkbenchError as failure:
        return WholeTarget(column, len(series), error=str(failure))
