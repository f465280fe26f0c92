"""Start the desktop application."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from workbench.core.errors import WorkbenchError
from workbench.gui.application import create_application


def _require_display() -> None:
    """Qt aborts the process when Linux has no display; say so in one line instead."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise WorkbenchError(
            "no display to open the window on (DISPLAY is not set); run it on a desktop, or "
            "use the command line (workbench --help)"
        )


def run_app(project: Path | None = None) -> int:
    """Open the window on `project`, else on the last project used; returns the exit code."""
    _require_display()
    app = create_application()
    from workbench.gui.main_window import MainWindow  # after QApplication: widgets need it

    window = MainWindow()
    window.show()
    target = project if project is not None else window.settings.last_project()
    if target is not None:
        if project is None and not (target / "project.json").is_file():
            window.settings.remove_recent_project(target)  # moved or deleted since last time
        else:
            window.open_project(target)
    return app.exec()
