"""The preview of a file to import, computed off the GUI thread.

Reading even the first rows of a large or slow file can take a while, so the Import dialog asks
for previews here: `run_preview` turns every failure into a one-line message (never an
exception), and `PreviewTask` runs it on a thread pool and hands the outcome back through a
`PreviewRelay` signal, which Qt queues onto the GUI thread.
"""

from __future__ import annotations

import dataclasses
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Signal

from workbench.core.errors import WorkbenchError
from workbench.core.io.options import ReadOptions
from workbench.core.io.table import TablePreview, detect_format, detect_options, preview_table
from workbench.core.kinds import ColumnKind, TaskSuggestion, infer_kinds, suggest_target

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


class PreviewRelay(QObject):
    """Carries a worker's outcome back to the GUI thread (queued across threads)."""

    finished = Signal(int, object)  # generation, PreviewOutcome


class PreviewTask(QRunnable):
    """One preview on the pool, tagged with its generation so a stale result can be dropped."""

    def __init__(self, generation: int, path: Path, options: ReadOptions, relay: PreviewRelay):
        super().__init__()
        self._generation = generation
        self._path = path
        self._options = options
        self._relay = relay

    def run(self) -> None:
        outcome = run_preview(self._path, self._options)
        # RuntimeError: the dialog was closed and deleted while this file was read.
        with suppress(RuntimeError):
            self._relay.finished.emit(self._generation, outcome)


__all__ = ["PREVIEW_ROWS", "PreviewOutcome", "PreviewRelay", "PreviewTask", "run_preview"]
