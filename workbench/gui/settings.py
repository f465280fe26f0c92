"""What the application remembers between sessions: window geometry and recent projects."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 8


class AppSettings:
    """A typed face over QSettings; tests pass their own file so they never touch the user's."""

    def __init__(self, file: Path | None = None) -> None:
        if file is None:
            self._settings = QSettings("ML Workbench", "ML Workbench")
        else:
            self._settings = QSettings(str(file), QSettings.Format.IniFormat)

    def recent_projects(self) -> list[Path]:
        value = self._settings.value("projects/recent", [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [Path(item) for item in items if item]

    def add_recent_project(self, folder: Path) -> None:
        folder = folder.resolve()
        recent = [folder] + [item for item in self.recent_projects() if item != folder]
        self._settings.setValue("projects/recent", [str(item) for item in recent[:MAX_RECENT]])

    def remove_recent_project(self, folder: Path) -> None:
        recent = [item for item in self.recent_projects() if item != folder.resolve()]
        self._settings.setValue("projects/recent", [str(item) for item in recent])

    def last_project(self) -> Path | None:
        recent = self.recent_projects()
        return recent[0] if recent else None

    def geometry(self) -> QByteArray | None:
        value = self._settings.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    def set_geometry(self, geometry: QByteArray) -> None:
        self._settings.setValue("window/geometry", geometry)

    def window_state(self) -> QByteArray | None:
        value = self._settings.value("window/state")
        return value if isinstance(value, QByteArray) else None

    def set_window_state(self, state: QByteArray) -> None:
        self._settings.setValue("window/state", state)

    def sync(self) -> None:
        self._settings.sync()
