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
def window(qtbot, settings: AppSettings):
    from workbench.gui.main_window import MainWindow

    main = MainWindow(settings)
    qtbot.addWidget(main)
    main.show()
    yield main
    main.controller.cancel_tasks()
    main.controller.project = None  # closing must not ask about unsaved test changes


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
