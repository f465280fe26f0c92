"""The Results panel's plots rendered to PNG without a window, for the report.

Each plot is built by its catalog factory (the same widget the panel shows), laid out at a
fixed size and saved with its own `save_image`, so a report's plot is the panel's plot. The
widgets are never shown: pyqtgraph lays a hidden view out only when told its size, which
`_lay_out` does. Qt needs a QApplication and, on Linux without a display, the offscreen
platform; `ensure_application` provides both, with a light palette so the plots read on the
report's white page whatever the desktop's theme.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, QRectF, QThread
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QGraphicsView, QWidget

from workbench.core.errors import WorkbenchError
from workbench.core.metrics.plot_data import OOF, TEST, RunPlotData
from workbench.core.progress import (
    NEVER_CANCELLED,
    CancelToken,
    ProgressFn,
    no_progress,
    sub_progress,
)
from workbench.core.report.document import EXPLAIN, IMAGE_WIDTH, ReportImage
from workbench.gui.plots.catalog import (
    COMPUTED_ON_REQUEST,
    EXPLANATIONS,
    PlotEntry,
    explanation_report_entries,
    plots_for,
)

IMAGE_SIZE = (IMAGE_WIDTH, 560)
# The test set's plots the report repeats after the out-of-fold ones: the ones a reader
# compares between the two; the rest would double the file for little.
TEST_PLOT_KEYS = ("confusion", "roc", "pr", "predicted_actual", "residuals")
HOW_TO_COMPUTE = {
    "learning_curve": "Not in this report: the learning curve trains the model again, so it is "
    "computed on request. Select the run in the Results panel, choose 'Learning curve', press "
    "Compute, then save the report again.",
    "permutation_importance": "Not in this report: permutation importance scores the model "
    "again with each column shuffled, so it is computed on request. Select the run in the "
    "Results panel, choose 'Permutation importance', press Compute, then save the report again.",
    "builtin_importance": "Not in this report: built-in importance is read with the "
    "permutation importance; compute that in the Results panel, then save the report again.",
}


def _has_display() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def light_palette() -> QPalette:
    """Black on white, whatever the system theme: the report's page is white."""
    palette = QPalette(QColor("#efefef"))
    for role, color in (
        (QPalette.ColorRole.Base, "#ffffff"),
        (QPalette.ColorRole.Window, "#ffffff"),
        (QPalette.ColorRole.WindowText, "#1f2328"),
        (QPalette.ColorRole.Text, "#1f2328"),
        (QPalette.ColorRole.Mid, "#b0b7be"),
        (QPalette.ColorRole.Highlight, "#0969da"),
    ):
        palette.setColor(role, QColor(color))
    return palette


def ensure_application() -> QApplication:
    """The running QApplication, or a new one (offscreen without a display, light palette).

    Rendering widgets is only allowed on the application's thread: a report written from a
    worker thread of the window would crash Qt, so it is refused with a clear error instead
    (the window runs the report in a child process).
    """
    existing = QCoreApplication.instance()
    if existing is not None:
        if not isinstance(existing, QApplication):
            raise WorkbenchError("the report needs a widget application, not a console one")
        if QThread.currentThread() is not existing.thread():
            raise WorkbenchError(
                "the report draws its plots with Qt and must run on the window's thread or in "
                "its own process"
            )
        return existing
    if not _has_display() and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from workbench.gui.application import create_application

    app = create_application()
    app.setPalette(light_palette())
    return app


def _graphics_view(widget: QWidget) -> pg.GraphicsView | None:
    """The pyqtgraph view a plot widget draws in: itself, or the one it holds (the threshold
    view holds its plot beside its cost controls)."""
    if isinstance(widget, pg.GraphicsView):
        return widget
    views = [
        view for view in widget.findChildren(QGraphicsView) if isinstance(view, pg.GraphicsView)
    ]
    return views[0] if views else None


def _lay_out(widget: QWidget, size: tuple[int, int]) -> None:
    """Give a never-shown plot its size: a hidden widget gets no resize event, and pyqtgraph
    sizes its layout in that event, so the view's range is set as the event would set it."""
    widget.resize(*size)
    view = _graphics_view(widget)
    if view is not None:
        view.resize(*size)
        pg.GraphicsView.setRange(view, QRectF(0, 0, *size), padding=0, disableAutoPixel=False)


def render_png(widget: QWidget, size: tuple[int, int] = IMAGE_SIZE) -> bytes:
    """The widget's `save_image` PNG at `size` (twice as many pixels, for print), as bytes."""
    _lay_out(widget, size)
    with tempfile.TemporaryDirectory(prefix="workbench-report-") as folder:
        path = Path(folder) / "plot.png"
        widget.save_image(path)  # type: ignore[attr-defined]
        return path.read_bytes()


def render_entries(
    entries: Sequence[PlotEntry],
    which: str,
    size: tuple[int, int] = IMAGE_SIZE,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> list[ReportImage]:
    """One ReportImage per entry: its PNG, or for an entry without a plot the reason."""
    images = []
    for index, entry in enumerate(entries):
        cancel.raise_if_cancelled()
        progress(index / max(len(entries), 1), f"drawing {entry.title}")
        if entry.factory is None:
            images.append(ReportImage(entry.title, entry.key, which, note=entry.reason))
            continue
        widget = entry.factory()
        try:
            images.append(ReportImage(entry.title, entry.key, which, png=render_png(widget, size)))
        finally:
            # Deleted now, not at exit: pyqtgraph widgets alive at interpreter exit can crash it.
            widget.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    progress(1.0, "plots drawn")
    return images


def render_report_plots(
    data: RunPlotData,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> list[ReportImage]:
    """The plots the Results panel would show for the run, rendered to PNG: every
    out-of-fold plot (a plot computed on request and not computed yet says how to get it), the
    test set's TEST_PLOT_KEYS, then the explanations' plots (catalog's
    explanation_report_entries). Runs on the process's main thread (core.report.writer)."""
    ensure_application()
    entries = []
    for entry in plots_for(data, OOF):
        if entry.key in EXPLANATIONS:
            continue  # drawn below, plot by plot, for their own section
        if entry.factory is not None:
            entries.append(entry)
        elif entry.key in COMPUTED_ON_REQUEST:
            computed = data.learning_curve if entry.key == "learning_curve" else data.importance
            reason = entry.reason if computed is not None else HOW_TO_COMPUTE[entry.key]
            entries.append(entry._replace(reason=reason))
    images = render_entries(entries, OOF, progress=sub_progress(progress, 0.0, 0.5), cancel=cancel)
    if TEST in data.splits:
        tests = [e for e in plots_for(data, TEST) if e.key in TEST_PLOT_KEYS and e.factory]
        images += render_entries(tests, TEST, progress=sub_progress(progress, 0.5, 0.7),
                                 cancel=cancel)  # fmt: skip
    explained = explanation_report_entries(data)
    images += render_entries(explained, EXPLAIN, progress=sub_progress(progress, 0.7, 1.0),
                             cancel=cancel)  # fmt: skip
    return images
