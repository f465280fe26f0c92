"""The main window: navigation between panels, menus, the job status bar, notifications."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from workbench import __version__
from workbench.core.errors import WorkbenchError
from workbench.core.io.options import ReadOptions
from workbench.core.kinds import ColumnRole
from workbench.core.profile.model import Alert
from workbench.core.specs import ChainSpec, TrainSpec
from workbench.gui.controller import READ_ONLY_TEXT, ProjectController
from workbench.gui.dialogs.import_dialog import ImportDialog, RememberedTypes
from workbench.gui.dialogs.new_project import NewProjectDialog
from workbench.gui.job_center import JobCenter
from workbench.gui.job_status import JobStatus
from workbench.gui.notifications import NotificationArea
from workbench.gui.panels.data_panel import DataPanel
from workbench.gui.panels.experiments_panel import ExperimentsPanel
from workbench.gui.panels.export_panel import ExportPanel
from workbench.gui.panels.monitor_panel import MonitorPanel
from workbench.gui.panels.prepare_panel import PreparePanel
from workbench.gui.panels.profile_panel import ProfilePanel
from workbench.gui.panels.results_panel import ResultsPanel
from workbench.gui.panels.train_panel import TrainPanel
from workbench.gui.settings import AppSettings
from workbench.resources import demo_project, resource_path, writable_demo_project

APP_NAME = "ML Workbench"


class WelcomePage(QWidget):
    """What the window shows with no project open: the ways to start."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        title = QLabel(f"<h2>{APP_NAME}</h2>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(
            "Create a project, then import a table (CSV, Excel, Parquet, JSON, SQLite):\n"
            "it is profiled at once, column by column. Or open an existing project."
        )
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(text)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        # Lambdas: clicked(bool) would otherwise hand `checked` to new_project as its name.
        actions = [
            ("New Project…", lambda: window.new_project()),
            ("Open Project…", lambda: window.choose_project()),
        ]
        if (demo_project() / "project.json").is_file():
            actions.append(("Open the Demo", lambda: window.open_demo()))
        for label, action in actions:
            button = QPushButton(label)
            button.setMinimumWidth(150)
            button.clicked.connect(action)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.recent_label = QLabel()
        self.recent_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.recent_label.setOpenExternalLinks(False)
        self.recent_label.linkActivated.connect(lambda link: window.open_project(Path(link)))
        layout.addWidget(self.recent_label)
        layout.addStretch(2)

    def set_recent(self, recent: list[Path]) -> None:
        if not recent:
            self.recent_label.setText("")
            return
        links = "<br>".join(f'<a href="{path}">{path.name}</a> — {path}' for path in recent[:5])
        self.recent_label.setText(f"<p><b>Recent projects</b><br>{links}</p>")


class MainWindow(QMainWindow):
    def __init__(self, settings: AppSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or AppSettings()
        # Every job started under the window reports here (status bar, Cancel, notifications).
        self.job_center = JobCenter(self)
        self.controller = ProjectController(self)
        self.import_dialog: ImportDialog | None = None
        self.setWindowIcon(QIcon(str(resource_path("icons", "workbench.svg"))))
        self.setAcceptDrops(True)
        self.resize(1280, 800)
        self.setMinimumSize(QSize(900, 600))

        self.notifications = NotificationArea()
        self.nav = QListWidget()
        self.nav.setFixedWidth(150)
        self.nav.setStyleSheet("QListWidget::item { padding: 8px 10px; }")
        self.stack = QStackedWidget()
        self.welcome = WelcomePage(self)
        self.data_panel = DataPanel()
        self.profile_panel = ProfilePanel()
        # The panel imports step declarations only: scikit-learn stays out of the GUI process
        # (tests/core/test_import_weight.py); fitting and previews run in child processes.
        self.prepare_panel = PreparePanel()
        self.train_panel = TrainPanel()
        self.experiments_panel = ExperimentsPanel()
        # Shows the runs selected in the Experiments panel; reads them only once on screen.
        self.results_panel = ResultsPanel()
        # Exports the run chosen there (or in its own picker); converts in a child process.
        self.export_panel = ExportPanel()
        self.monitor_panel = MonitorPanel()
        self.stack.addWidget(self.welcome)
        self._panels: list[tuple[str, QWidget]] = [
            ("Data", self.data_panel),
            ("Profile", self.profile_panel),
            ("Prepare", self.prepare_panel),
            ("Train", self.train_panel),
            ("Experiments", self.experiments_panel),
            ("Results", self.results_panel),
            ("Export", self.export_panel),
            ("Monitor", self.monitor_panel),
        ]
        for label, panel in self._panels:
            self.stack.addWidget(panel)
            QListWidgetItem(label, self.nav)
        self.nav.currentRowChanged.connect(self._show_panel)

        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.notifications)
        # Stays while a read-only project is open: why nothing that writes is offered.
        self.read_only_banner = QLabel(READ_ONLY_TEXT)
        self.read_only_banner.setWordWrap(True)
        self.read_only_banner.setStyleSheet(
            "background: #fff4ce; color: #7a5a00; padding: 6px 10px; font-weight: bold;"
        )
        self.read_only_banner.hide()
        outer.addWidget(self.read_only_banner)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

        self.job_status = JobStatus(self.job_center)
        self.statusBar().addPermanentWidget(self.job_status)
        self.job_center.failed.connect(
            lambda message, details: self.notifications.notify("error", message, details)
        )

        self._build_menus()
        self._connect_controller()
        self._restore_geometry()
        self._refresh()

    # Menus --------------------------------------------------------------------------------

    def _action(self, text: str, slot, shortcut: QKeySequence | str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        # triggered(bool) would hand `checked` to slots with optional arguments (import_data's
        # path, new_project's name): call them bare.
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)  # shortcuts work wherever the focus is
        return action

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self._action("&New Project…", self.new_project, QKeySequence.New))
        file_menu.addAction(self._action("&Open Project…", self.choose_project, QKeySequence.Open))
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.save_action = self._action("&Save", self.save, QKeySequence.Save)
        file_menu.addAction(self.save_action)
        self.close_action = self._action("&Close Project", self.close_project, "Ctrl+W")
        file_menu.addAction(self.close_action)
        file_menu.addSeparator()
        self.import_action = self._action("&Import Data…", self.import_data, "Ctrl+I")
        file_menu.addAction(self.import_action)
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, QKeySequence.Quit))

        edit_menu = menu.addMenu("&Edit")
        # The chain editor's own undo/redo actions: a second set with the same shortcuts
        # would make Qt fire neither.
        self.prepare_panel.undo_action.setText("&Undo Chain Edit")
        self.prepare_panel.redo_action.setText("&Redo Chain Edit")
        edit_menu.addAction(self.prepare_panel.undo_action)
        edit_menu.addAction(self.prepare_panel.redo_action)

        data_menu = menu.addMenu("&Data")
        self.profile_action = self._action("&Profile Again", self.controller.reprofile, "F5")
        data_menu.addAction(self.profile_action)
        self.cancel_action = self._action(
            "&Cancel Running Job", self.job_center.cancel_current, "Esc"
        )
        data_menu.addAction(self.cancel_action)

        view_menu = menu.addMenu("&View")
        for index, (label, _panel) in enumerate(self._panels):
            view_menu.addAction(
                self._action(
                    label, lambda _=False, i=index: self.nav.setCurrentRow(i), f"Ctrl+{index + 1}"
                )
            )

        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self._action("&About ML Workbench", self._about))

    def _refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_projects()
        for path in recent:
            action = self.recent_menu.addAction(f"{path.name}  —  {path}")
            action.triggered.connect(lambda _=False, p=path: self.open_project(p))
        self.recent_menu.setEnabled(bool(recent))
        self.welcome.set_recent(recent)

    # Controller wiring --------------------------------------------------------------------

    def _connect_controller(self) -> None:
        c = self.controller
        c.project_changed.connect(self._refresh)
        c.dirty_changed.connect(self.setWindowModified)
        c.data_loaded.connect(self._on_data_loaded)
        c.roles_changed.connect(self._on_data_loaded)
        c.profile_started.connect(self.profile_panel.begin_partial)
        c.profile_column.connect(self.profile_panel.add_column_profile)
        c.profile_ready.connect(self.profile_panel.set_profile)
        c.profile_ready.connect(self.train_panel.set_profile)
        c.profile_stopped.connect(self.profile_panel.show_message)
        c.error.connect(self.notifications.notify)
        c.runs_recovered.connect(lambda _ids: self.experiments_panel.refresh())
        self.data_panel.roles_changed.connect(self._on_roles_edited)
        self.data_panel.explain_row_requested.connect(self._explain_row)
        self.profile_panel.fix_requested.connect(self._add_fix)
        self.prepare_panel.chain_changed.connect(c.set_chain)
        self.prepare_panel.chain_changed.connect(self._sync_profile_alerts)
        self.prepare_panel.chain_changed.connect(self.train_panel.set_chain)
        self.train_panel.compute_changed.connect(c.set_compute)
        self.train_panel.runs_changed.connect(self.experiments_panel.refresh)
        self.train_panel.runs_changed.connect(self.export_panel.refresh)
        self.train_panel.runs_changed.connect(self.monitor_panel.refresh)
        self.experiments_panel.rerun_requested.connect(self._rerun)
        self.experiments_panel.refitted.connect(lambda _run_id: self.export_panel.refresh())
        self.experiments_panel.table.selectionModel().selectionChanged.connect(
            self._experiments_selection_changed
        )

    def _refresh(self) -> None:
        project = self.controller.project
        has_project = project is not None
        self.setWindowTitle(f"{project.name}[*] — {APP_NAME}" if project else APP_NAME)
        self.setWindowModified(bool(project and project.dirty))
        writable = has_project and not project.read_only
        self.close_action.setEnabled(has_project)
        for action in (self.save_action, self.import_action, self.profile_action):
            action.setEnabled(writable)
        self.read_only_banner.setVisible(has_project and not writable)
        # Training and exporting write runs and exports: not offered on a read-only project.
        self.train_panel.setEnabled(writable or not has_project)
        self.export_panel.setEnabled(writable or not has_project)
        self.experiments_panel.set_read_only(has_project and not writable)
        self.nav.setVisible(has_project)
        if not has_project:
            self.stack.setCurrentWidget(self.welcome)
            self.data_panel.clear()
            self.profile_panel.set_profile(None)
        else:
            if project.dataset is None:
                self.data_panel.clear()
                self.profile_panel.set_profile(None)
            self.nav.setCurrentRow(max(self.nav.currentRow(), 0))
            self._show_panel(self.nav.currentRow())
        self._sync_prepare(chain=True)
        self._sync_training()
        self._sync_profile_alerts()
        self._refresh_recent_menu()

    def _show_panel(self, row: int) -> None:
        if row >= 0 and self.controller.project is not None:
            self.stack.setCurrentWidget(self._panels[row][1])

    def _on_data_loaded(self) -> None:
        project = self.controller.project
        if project is None or project.dataset is None or self.controller.frame is None:
            return
        self.data_panel.set_data(self.controller.frame, project.dataset.kinds, project.roles)
        self._sync_prepare(chain=False)
        self._sync_training()
        self._sync_profile_alerts()

    def _sync_profile_alerts(self, *_args: object) -> None:
        """The Profile panel marks the alerts the project's roles and chain already handle."""
        project = self.controller.project
        roles, chain = (project.roles, project.chain) if project else ({}, ChainSpec())
        self.profile_panel.set_project_state(roles, chain)

    def _sync_training(self) -> None:
        """Give the Train and Experiments panels the project, its task, target and columns."""
        project = self.controller.project
        self.train_panel.set_context(project)
        root = project.root if project else None
        self.experiments_panel.set_project(root)
        if root != self.results_panel.project_root:
            self.results_panel.set_project(root)
        if root != self.export_panel.project_root:
            self.export_panel.set_project(root)
        if root != self.monitor_panel.project_root:
            self.monitor_panel.set_project(root)

    def _experiments_selection_changed(self, *_args: object) -> None:
        selected = self.experiments_panel.selected_run_ids()
        self.results_panel.show_runs(selected)
        if len(selected) == 1:
            self.export_panel.select_run(selected[0])
            self.monitor_panel.select_run(selected[0])

    def _explain_row(self, row: int) -> None:
        """A row picked in the Data panel, explained for the run shown in Results."""
        self.nav.setCurrentRow(self._panel_row(self.results_panel))
        self.results_panel.explain_row(row)

    def _rerun(self, spec: TrainSpec) -> None:
        self.train_panel.load_spec(spec)
        self.nav.setCurrentRow(self._panel_row(self.train_panel))

    def _sync_prepare(self, chain: bool) -> None:
        """Give the Prepare panel the project's data (and chain, after a project change)."""
        panel = self.prepare_panel
        project = self.controller.project
        if chain:
            panel.set_chain(project.chain if project else ChainSpec())
        if project is None or project.dataset is None or self.controller.frame is None:
            panel.set_context(None, {}, None)
            return
        kinds = project.feature_kinds()
        if project.target is not None:
            kinds[project.target] = project.dataset.kinds[project.target]
        panel.set_context(self.controller.frame, kinds, project.target)

    def _add_fix(self, alert: Alert) -> None:
        step = self.controller.fix_step_for(alert)
        if step is None:
            return
        self.prepare_panel.add_step(step)
        self.nav.setCurrentRow(self._panel_row(self.prepare_panel))
        self.statusBar().showMessage(
            f"Added '{step.step}' to the chain to fix: {alert.message}", 6000
        )

    def _panel_row(self, panel: QWidget) -> int:
        return next(row for row, (_label, widget) in enumerate(self._panels) if widget is panel)

    def _on_roles_edited(self, roles: dict) -> None:
        project = self.controller.project
        if project is None:
            return
        changed = {
            name: ColumnRole(role)
            for name, role in roles.items()
            if project.roles.get(name) != role
        }
        # The target first, so that demoting the old target does not undo the new one.
        for name, role in sorted(changed.items(), key=lambda item: item[1] != ColumnRole.TARGET):
            self.controller.set_role(name, role)

    # Actions ------------------------------------------------------------------------------

    def new_project(self, name: str = "") -> bool:
        if not self._may_discard_changes():
            return False
        dialog = NewProjectDialog(self, name=name)
        if dialog.exec() != NewProjectDialog.DialogCode.Accepted:
            return False
        if self.controller.create(dialog.folder(), dialog.project_name()):
            self._remember(dialog.folder())
            return True
        return False

    def choose_project(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open Project")
        if folder:
            self.open_project(Path(folder))

    def open_demo(self) -> bool:
        """Open the demo project, copied first to the user's folder when it is read-only."""
        try:
            folder = writable_demo_project()
        except OSError as error:
            self.notifications.notify(
                "error", f"Cannot copy the demo project to your folder: {error}"
            )
            return False
        return self.open_project(folder)

    def open_project(self, folder: Path) -> bool:
        if not self._may_discard_changes():
            return False
        if self.controller.open(folder):
            self._remember(folder)
            return True
        return False

    def close_project(self) -> None:
        if self._may_discard_changes():
            self.controller.close()

    def save(self) -> None:
        if self.controller.save():
            self.statusBar().showMessage("Project saved.", 3000)

    def import_data(self, path: Path | None = None) -> None:
        if self.controller.project is None and not self.new_project(name=path.stem if path else ""):
            return
        # Window-modal but not a nested event loop: jobs, timers and tests keep running.
        self.import_dialog = ImportDialog(self, path, self._remembered_types())
        self.import_dialog.accepted.connect(self._start_import)
        self.import_dialog.open()

    def _remembered_types(self) -> RememberedTypes | None:
        """The column types the project's dataset was read with, for a re-import of its file."""
        project = self.controller.project
        if project is None or project.dataset is None:
            return None
        try:
            options = ReadOptions.from_dict(project.dataset.read_options)
        except WorkbenchError:  # options a hand edit damaged: the import starts from detection
            return None
        return RememberedTypes(project.dataset.source_name, options.dtype)

    def _start_import(self) -> None:
        request = self.import_dialog.request()
        self.controller.import_file(request.path, request.options, request.target)

    def _remember(self, folder: Path) -> None:
        self.settings.add_recent_project(folder)
        self._refresh_recent_menu()

    def _may_discard_changes(self) -> bool:
        project = self.controller.project
        if project is None or not project.dirty:
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"Save the changes to project '{project.name}'?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.controller.save()
        return answer == QMessageBox.StandardButton.Discard

    def _about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<b>{APP_NAME}</b> {__version__}<br>From a raw table to a deployed model, offline.",
        )

    # Window events ------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if not files:
            return
        event.acceptProposedAction()
        dropped = files[0]
        if (dropped / "project.json").is_file():
            self.open_project(dropped)
        else:
            self.import_data(dropped)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_discard_changes():
            event.ignore()
            return
        self.controller.cancel_tasks()
        self.settings.set_geometry(self.saveGeometry())
        self.settings.set_window_state(self.saveState())
        self.settings.sync()
        event.accept()

    def _restore_geometry(self) -> None:
        geometry = self.settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)
