"""The QApplication every window, offscreen report and self-test shares: one per process.

Apart from app.py (which opens the main window) so that drawing plots for a report, which needs
an application but no window, does not import the window.
"""

from __future__ import annotations

import sys

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from workbench import __version__
from workbench.resources import resource_path


def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("ML Workbench")
    app.setOrganizationName("ML Workbench")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(resource_path("icons", "workbench.svg"))))
    return app
