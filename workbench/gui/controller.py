"""The open project and the long work done on it, as the window sees them.

Panels never touch files or start processes: they call this controller and listen to its
signals. It declares one task per kind of work (import, load, profile), so a new request
cancels the stale one of its kind; a failed task reaches the notifications through the window's
JobCenter, and the controller's own refusals (a damaged project file) through `error`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from PySide6.QtCore import QObject, Signal

from workbench.core.compute.setting import ComputeSetting
from workbench.core.dataset import ImportedDataset, import_table, load_dataset_frame
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnRole, task_for_column
from workbench.core.profile.fixes import fix_for_alert
from workbench.core.profile.model import Alert, Profile
from workbench.core.profile.store import load_stored_profile, profile_project_dataset
from workbench.core.project import Project, create_project, open_project
from workbench.core.runs.log import recover_project_runs
from workbench.core.specs import ChainSpec, StepSpec
from workbench.gui.job_mixin import JobsMixin
from workbench.jobs.job import Job

READ_ONLY_TEXT = (
    "This project is read-only: you cannot write to its folder. Everything can be looked at; "
    "nothing can be saved, trained, re-fitted or exported. Copy the folder somewhere you can "
    "write to work on it."
)


class ProjectController(QObject, JobsMixin):
    project_changed = Signal()  # opened, created or closed
    data_loaded = Signal()  # `frame` holds the project's table
    roles_changed = Signal()
    dirty_changed = Signal(bool)
    profile_started = Signal(list, int)  # column names, rows
    profile_column = Signal(object)  # a ColumnProfile, as each column finishes
    profile_ready = Signal(object)  # the Profile
    profile_stopped = Signal(str)  # why there is no profile (cancelled, failed)
    error = Signal(str, str, str)  # severity, message, details
    runs_recovered = Signal(list)  # ids of runs marked interrupted on opening

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.frame: pd.DataFrame | None = None
        self.profile: Profile | None = None
        self.import_job = self.add_task(
            "import",
            self._on_imported,
            cancelled=lambda: self.error.emit("info", "Import cancelled.", ""),
        )
        # Reading Parquet releases the GIL; a process would copy the whole table back.
        self.load_job = self.add_task("load", self._on_loaded, in_process=False)
        # Marking interrupted runs opens the log: a thread. A damaged log fails quietly here:
        # the Experiments panel says what is wrong with it.
        self.add_task("recover", self._on_recovered, failed=lambda _message: None, in_process=False)
        # The stored profile is a file read: off the GUI thread too, dropped when stale.
        self.add_task("stored_profile", self._on_stored_profile, in_process=False)
        self.profile_job = self.add_task(
            "profile",
            self._on_profiled,
            partial=self.profile_column.emit,
            failed=self._on_profile_failed,
            cancelled=self._on_profile_cancelled,
        )

    # Projects -------------------------------------------------------------------------------

    def open(self, folder: Path) -> bool:
        """Open a project; on failure the current one stays open and an error is emitted."""
        try:
            project = open_project(folder)
        except WorkbenchError as failure:
            self.error.emit("error", str(failure), "")
            return False
        self._set_project(project)
        self._after_opening(project)
        return True

    def _after_opening(self, project: Project) -> None:
        """Runs whose training process is gone are marked interrupted, in a thread (the GUI
        thread never opens the log); a read-only project is left as it is (the window's
        banner says why)."""
        if project.read_only:
            return
        job = Job(recover_project_runs, (project.root,), name="Checking for interrupted runs")
        self.start_task("recover", job)

    def _on_recovered(self, recovered: list[str]) -> None:
        if not recovered:
            return
        self.error.emit(
            "info",
            f"{len(recovered)} run(s) were cut off when their training process stopped "
            f"({', '.join(recovered)}): marked interrupted and their partial files removed.",
            "",
        )
        self.runs_recovered.emit(recovered)

    def create(self, folder: Path, name: str | None = None) -> bool:
        try:
            project = create_project(folder, name)
        except WorkbenchError as failure:
            self.error.emit("error", str(failure), "")
            return False
        self._set_project(project)
        return True

    def close(self) -> None:
        self.cancel_tasks()
        self.project = None
        self.frame = None
        self.profile = None
        self.project_changed.emit()
        self.dirty_changed.emit(False)

    def save(self) -> bool:
        if self.project is None:
            return False
        try:
            self.project.save()
        except WorkbenchError as failure:
            self.error.emit("error", str(failure), "")
            return False
        self.dirty_changed.emit(False)
        return True

    def _set_project(self, project: Project) -> None:
        self.cancel_tasks()
        self.project = project
        self.frame = None
        self.profile = None
        self.project_changed.emit()
        self.dirty_changed.emit(project.dirty)
        if project.dataset is not None:
            self._load_data()

    # Import, load, profile ------------------------------------------------------------------

    def import_file(self, path: Path, options: Any = None, target: str | None = None) -> None:
        """Import a table into the open project, in a child process the user can cancel."""
        if self.project is None:
            self.error.emit("error", "Create or open a project before importing data.", "")
            return
        self.cancel_task("profile")
        self.start_task(
            "import",
            Job(
                import_table,
                (self.project.root, path, options, target),
                name=f"Importing {path.name}",
            ),
        )

    def reprofile(self) -> None:
        if self.project is None or self.project.dataset is None:
            return
        dataset = self.project.dataset
        self.cancel_task("stored_profile")
        self.profile = None
        self.profile_started.emit([column.name for column in dataset.schema.columns], dataset.rows)
        self.start_task(
            "profile",
            Job(
                profile_project_dataset,
                (self.project.root, dataset, self.project.target),
                name=f"Profiling {dataset.source_name}",
            ),
        )

    def _on_imported(self, imported: ImportedDataset) -> None:
        assert self.project is not None
        self.project.attach_dataset(imported)
        # An import is saved at once: the Parquet is already on disk and must not be orphaned.
        self.save()
        for warning in imported.dataset.warnings:
            self.error.emit("info", warning, "")
        self._load_data()

    def _load_data(self) -> None:
        assert self.project is not None and self.project.dataset is not None
        dataset = self.project.dataset
        self.start_task(
            "load",
            Job(load_dataset_frame, (self.project.root, dataset), name=f"Loading {dataset.name}"),
        )

    def _on_loaded(self, frame: pd.DataFrame) -> None:
        assert self.project is not None and self.project.dataset is not None
        self.frame = frame
        self.data_loaded.emit()
        self._show_profile()

    def _show_profile(self) -> None:
        """Show the profile stored for this dataset and target, or profile afresh."""
        assert self.project is not None and self.project.dataset is not None
        project = self.project
        self.start_task(
            "stored_profile",
            Job(
                load_stored_profile,
                (project.root, project.dataset, project.target),
                name="Reading the stored profile",
            ),
        )

    def _on_stored_profile(self, stored: Profile | None) -> None:
        if stored is None:
            self.reprofile()
        else:
            self.profile = stored
            self.profile_ready.emit(stored)

    def _on_profiled(self, profile: Profile) -> None:
        self.profile = profile
        self.profile_ready.emit(profile)

    def _on_profile_cancelled(self) -> None:
        self.profile_stopped.emit("Profiling cancelled. Press Profile again (F5) to restart.")

    def _on_profile_failed(self, message: str) -> None:
        self.profile_stopped.emit(f"Profiling failed: {message}")

    # Chain ----------------------------------------------------------------------------------

    def set_chain(self, chain: ChainSpec) -> None:
        if self.project is None or chain == self.project.chain:
            return
        self.project.set_chain(chain)
        self.dirty_changed.emit(True)

    def set_compute(self, compute: ComputeSetting) -> None:
        """Where the project's training runs (the Train panel's Compute box)."""
        if self.project is None or compute == self.project.compute:
            return
        self.project.set_compute(compute)
        self.dirty_changed.emit(True)

    def fix_step_for(self, alert: Alert) -> StepSpec | None:
        """The chain step that fixes `alert`, or None (and a notification saying why)."""
        if self.project is None or self.project.dataset is None:
            return None
        step = fix_for_alert(alert, self.project.dataset.kinds)
        if step is None:
            self.error.emit("info", f"No step fixes this alert automatically: {alert.fix}", "")
            return None
        if self.project.target is not None and self.project.target in step.columns:
            self.error.emit(
                "warning",
                f"This alert is about the target '{self.project.target}'. The chain prepares "
                "features only: clean the target at import (for example add the value to the "
                "missing-value tokens) or drop those rows.",
                "",
            )
            return None
        return step

    # Roles ----------------------------------------------------------------------------------

    def set_role(self, column: str, role: ColumnRole) -> None:
        """Change a column's role; a new target re-profiles (leakage and balance depend on it)."""
        if self.project is None:
            return
        old_target = self.project.target
        try:
            if role == ColumnRole.TARGET and self.frame is not None:
                suggestion = task_for_column(self.frame[column])
                self.project.set_target(column, suggestion.task)
            else:
                self.project.set_role(column, role)
        except WorkbenchError as failure:
            self.error.emit("warning", str(failure), "")
            return
        self.roles_changed.emit()
        self.dirty_changed.emit(True)
        if self.project.target != old_target and self.frame is not None:
            self._show_profile()
