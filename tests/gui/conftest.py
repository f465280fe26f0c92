"""GUI test helpers: an isolated settings file and a main window on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.gui.settings import AppSettings


@pytest.fixture()
def settings(tmp_path: Path) -> AppSettings:
    return AppSettings(tmp_path / "settings.ini")


@pytest.fixture()
def window(qtbot, settings: AppSettings):
    from workbench.gui.main_window import MainWindow

    main = MainWindow(settings)
    qtbot.addWidget(main)
    main.show()
    yield main
    main.controller.cancel_tasks()
    main.controller.project = None  # closing must not ask about unsaved test changes
