"""Render the window's panels with real data to PNG for the README (docs/screenshots/).

Run: `.venv/bin/python scripts/screenshots.py [--shared ../shared/data]`. Uses the demo project
(penguins) for the Data and Profile panels and, when the shared datasets are there, a messy file
for the import dialog. Offscreen unless DISPLAY is set (then a real window under Xvfb).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "screenshots"
if "DISPLAY" not in os.environ:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(REPO / "scripts"))
from shot_common import write_png  # noqa: E402


def wait(app, condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not reach the expected state")
        app.processEvents()
        time.sleep(0.01)
    for _ in range(20):  # let layouts and plots settle
        app.processEvents()
        time.sleep(0.01)


def save(widget, name: str) -> Path:
    return write_png(widget, OUT / f"{name}.png")


def save_window(app, window, name: str) -> Path:
    """The window once its background reads are done (the status bar idle, as a user sees it
    a moment later)."""
    wait(app, lambda: window.job_center.current is None)
    return save(window, name)


GALLERY = (
    # (project, data file, target, model, columns to ignore)
    ("titanic", "titanic.csv", "survived", "random_forest_classifier", ("alive",)),
    ("insurance", "insurance.csv", "charges", "hist_gradient_boosting_regressor", ()),
)


def plot_gallery(app, window, workdir: Path, shared: Path) -> None:
    """Every plot type of a binary and a regression run, one image each (docs/screenshots/plots/),
    with the on-request ones (learning curve, importance) computed as the user would."""
    from workbench.core.dataset import import_table
    from workbench.core.kinds import ColumnRole
    from workbench.core.project import create_project
    from workbench.core.specs import ModelSpec, SplitSpec, TrainSpec
    from workbench.core.train.runner import run_training
    from workbench.gui.plots.catalog import EXPLANATIONS

    results = window.results_panel
    (OUT / "plots").mkdir(parents=True, exist_ok=True)
    for name, file, target, model, ignore in GALLERY:
        project = create_project(workdir / name)
        project.attach_dataset(import_table(project.root, shared / "clean" / file, target=target))
        for column in ignore:
            project.set_role(column, ColumnRole.IGNORE)
        project.save()
        split = SplitSpec("stratified_kfold" if name == "titanic" else "kfold", n_splits=5)
        spec = TrainSpec(models=(ModelSpec(model),), split=split, include_baseline=False)
        (run,) = run_training(project.root, spec)
        # The open project's chain and runs are kept (no "Unsaved changes" question).
        window.save()
        if not window.open_project(project.root):
            raise RuntimeError(f"the window did not open {project.root}")
        wait(app, lambda: not window.experiments_panel.loading)  # the log is read in a thread
        window.experiments_panel.select_runs([run.run_id])
        window.nav.setCurrentRow(window._panel_row(results))
        wait(app, lambda: not results.loading and bool(results.entries()))
        for entry in results.entries():
            results.select_plot(entry.key)
            if entry.factory is None and results.compute(entry.key):
                wait(app, lambda: not results.task_running("analysis"), 600)
                results.select_plot(entry.key)
            wait(app, lambda: True)
            try:
                image = OUT / "plots" / f"{name}-{entry.key.replace(':', '-')}.png"
                path = results.save_current(image)
            except Exception as error:  # a plot that does not apply says so on screen
                print(f"skipped {entry.key}: {error}")
                continue
            print(path.relative_to(REPO))
        if name == "titanic":
            view = results.select_plot("threshold")
            view.set_costs(1.0, 5.0)  # a missed survivor costs five false alarms
            wait(app, lambda: True)
            save_window(app, window, "results-threshold")
        for key in EXPLANATIONS:  # the Explain views as the window shows them
            results.select_plot(key)
            wait(app, lambda: True)
            save_window(app, window, f"explain-{name}-{key}")


def monitor_panel(app, window, workdir: Path, run_id: str) -> None:
    """The Monitor panel on a run of the open project: the demo's own rows checked once (stable),
    then a batch whose penguins weigh 1.5 kg more, checked in the panel's job."""
    import pandas as pd

    from workbench.core.export.batch_check import check_file

    panel = window.monitor_panel
    source = REPO / "resources" / "data" / "penguins.csv"
    check_file(window.controller.project.root, run_id, source)
    heavier = pd.read_csv(source)
    heavier["body_mass_g"] = heavier["body_mass_g"] + 1500.0
    batch = workdir / "penguins-2026-week-48.csv"
    heavier.to_csv(batch, index=False)
    window.nav.setCurrentRow(window._panel_row(panel))
    panel.select_run(run_id)
    wait(app, lambda: not panel.task_running() and panel.history_list.count() == 1)
    panel.check_batch(batch)
    wait(app, lambda: panel.history_list.count() == 2, 300)
    save_window(app, window, "monitor-panel")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()

    from workbench.gui.application import create_application
    from workbench.gui.settings import AppSettings

    app = create_application()
    from workbench.gui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        demo = workdir / "demo"
        shutil.copytree(REPO / "projects" / "demo", demo)
        window = MainWindow(AppSettings(workdir / "settings.ini"))
        window.resize(1280, 800)
        window.show()
        save(window, "welcome")  # no job yet (and no wait: the focus stays where it was)
        window.open_project(demo)
        wait(app, lambda: window.controller.profile is not None)
        window.nav.setCurrentRow(0)
        wait(app, lambda: True)
        save_window(app, window, "data-panel")
        window.nav.setCurrentRow(1)
        panel = window.profile_panel
        for index in range(panel.tabs.count()):
            panel.tabs.setCurrentIndex(index)
            wait(app, lambda: True)
            name = panel.tabs.tabText(index).lower().replace(" ", "-")
            save_window(app, window, f"profile-{name}")
        prepare = window.prepare_panel
        window.nav.setCurrentRow(2)
        from workbench.core.specs import StepSpec

        for spec in (
            StepSpec("impute", ("bill_length_mm", "bill_depth_mm", "flipper_length_mm")),
            StepSpec("impute", ("sex",), {"strategy": "most_frequent"}),
            StepSpec("one_hot", ("island", "sex")),
            StepSpec("scale", ("bill_length_mm", "bill_depth_mm", "flipper_length_mm")),
        ):
            prepare.add_step(spec)
        prepare.select_step(2)
        wait(app, lambda: prepare.last_preview is not None and not prepare.previewing)
        save_window(app, window, "prepare-panel")
        train = window.train_panel
        window.nav.setCurrentRow(3)
        for name in ("logistic_regression", "random_forest_classifier", "xgboost_classifier"):
            train.model_picker.check_model(name)
        train.train()
        wait(app, lambda: not train.task_running("train"), timeout=600)
        save_window(app, window, "train-panel")
        window.nav.setCurrentRow(4)
        window.experiments_panel.refresh()
        wait(app, lambda: not window.experiments_panel.loading)
        save_window(app, window, "experiments-panel")
        # Results: the best run's plots, then two runs compared.
        experiments = window.experiments_panel
        results = window.results_panel
        # The baseline is trained first; the models chosen above come after it.
        run_ids = [record.run_id for record in experiments.model.records()]
        experiments.select_runs(run_ids[-1:])
        window.nav.setCurrentRow(window._panel_row(results))
        wait(app, lambda: not results.loading and bool(results.entries()))
        for key in ("confusion", "roc"):
            results.select_plot(key)
            wait(app, lambda: True)
            save_window(app, window, f"results-{key}")
        experiments.select_runs(run_ids[-2:])
        wait(app, lambda: not results.loading and results.entries()[-1].key == "compare_metrics")
        results.select_plot(results.entries()[0].key)
        wait(app, lambda: True)
        save_window(app, window, "results-compare")
        export = window.export_panel
        # Logistic regression: the chain above scales numbers, which suits it (and would make
        # a tree model miss ONNX parity, which the panel would explain instead).
        experiments.select_runs(run_ids[1:2])
        window.nav.setCurrentRow(window._panel_row(export))
        wait(app, lambda: export.current_run() in export._blockers)
        export.set_folder(workdir / "export")
        export.script_box.setChecked(True)  # the run as a Python script and notebook too
        export.export()
        wait(app, lambda: export.last_result is not None or export.error_label.isVisible(), 300)
        save_window(app, window, "export-panel")
        monitor_panel(app, window, workdir, run_ids[1])
        if args.shared.is_dir():
            plot_gallery(app, window, workdir, args.shared)
        shared_messy = args.shared / "messy" / "bank-additional.csv"
        if shared_messy.is_file():
            # A copy in the scratch folder: the dialog's file field shows its path, and the
            # images must not show where this machine keeps its datasets.
            messy = Path(shutil.copy(shared_messy, workdir / shared_messy.name))
            window.import_data(messy)
            dialog = window.import_dialog
            # and the target's class shares counted on the whole file, not only the preview's
            wait(app, lambda: dialog.preview_frame() is not None and dialog.whole_target())
            save(dialog, "import-dialog")
            dialog.reject()
            # A messy table shows what the alerts are for; the demo has none.
            window.controller.create(workdir / "bank")
            window.controller.import_file(messy, None, "y")
            wait(app, lambda: window.controller.profile is not None)
            window.nav.setCurrentRow(1)
            panel.tabs.setCurrentIndex(panel.tabs.indexOf(panel.alert_list))
            wait(app, lambda: True)
            save_window(app, window, "profile-alerts-bank")
            panel.select_column("duration")
            panel.tabs.setCurrentIndex(0)
            wait(app, lambda: True)
            save_window(app, window, "profile-column-bank")
        window.controller.cancel_tasks()
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
