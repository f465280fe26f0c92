"""GUI test helpers: an isolated settings file and a main window on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from workbench.gui.settings import AppSettings


@pytest.fixture()
def settings(tmp_path: Path) -> AppSettings:
    return AppSettings(tmp_path / "settings.ini")


@pytest.fixture()
def new_window(qtbot, settings: AppSettings) -> Callable[[], Any]:
    """Main windows on the test's settings, each forgetting its project before pytest-qt
    closes it: closing asks "Save the changes?" about a dirty project, and offscreen no one
    answers, so a test that failed with unsaved changes would hang the suite, not fail."""
    from workbench.gui.main_window import MainWindow

    def forget_project(main: MainWindow) -> None:
        main.controller.cancel_tasks()
        main.controller.project = None

    def make() -> MainWindow:
        main = MainWindow(settings)
        qtbot.addWidget(main, before_close_func=forget_project)
        return main

    return make


@pytest.fixture()
def window(new_window: Callable[[], Any]):
    main = new_window()
    main.show()
    return main


@pytest.fixture()
def open_train_panel(qtbot) -> Iterator[Callable[[Any], Any]]:
    """Opens a shown Train panel (1280 x 800) on a project; its training is stopped after."""
    from workbench.gui.panels.train_panel import TrainPanel

    panels: list[TrainPanel] = []

    def open_on(project: Any) -> TrainPanel:
        widget = TrainPanel()
        qtbot.addWidget(widget)
        widget.resize(1280, 800)
        widget.show()
        widget.set_context(project)
        panels.append(widget)
        return widget

    yield open_on
    for widget in panels:
        widget.cancel_tasks()
