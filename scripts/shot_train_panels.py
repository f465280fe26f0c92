"""Render the Train and Experiments panels offscreen with real runs; save PNGs to /tmp.

    .venv/bin/python scripts/shot_train_panels.py [--out /tmp] [--data ../shared/data]
        [--dataset penguins|titanic]

For looking at the panels without a display. A fresh project is made in a temporary folder;
the training runs in a child process exactly as in the app. Train panel: no context, the
settings with a model's form open, mid-training, finished (light and dark; one model fails on
purpose: k-nearest neighbours asking for more neighbours than a fold has rows), and a
cancelled tuned search. Experiments panel: the table with tags and a note, a comparison of
three runs (light and dark), and the empty state.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QWidget

from workbench.core.dataset import import_table
from workbench.core.project import create_project
from workbench.core.runs.log import LOG_FILE, ExperimentLog
from workbench.gui.panels.experiments_panel import ExperimentsPanel
from workbench.gui.panels.train_panel import TrainPanel

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
from shot_common import settle, write_png  # noqa: E402
from shot_profile_panel import dark_palette  # noqa: E402

DATASETS = {
    "titanic": ("clean/titanic.csv", "survived"),
    "penguins": ("clean/penguins.csv", "species"),
}


def wait(app: QApplication, condition: Callable[[], bool], seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        app.processEvents()
        time.sleep(0.02)
    for _ in range(3):
        app.processEvents()


def save(app: QApplication, widget: QWidget, path: Path) -> None:
    settle(app)
    write_png(widget, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp"))
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="penguins")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setStyle("Fusion")
    light = app.palette()
    relative, target = DATASETS[args.dataset]
    out: Path = args.out
    root = Path(tempfile.mkdtemp(prefix="shot_train_")) / args.dataset
    project = create_project(root)
    project.attach_dataset(import_table(root, args.data / relative, target=target))
    project.save()
    assert project.dataset is not None

    panel = TrainPanel()
    panel.resize(1280, 800)
    panel.show()
    save(app, panel, out / "train_no_context.png")
    panel.set_context(project)
    picker, settings = panel.model_picker, panel.train_settings
    for name in ("logistic_regression", "decision_tree_classifier", "random_forest_classifier"):
        picker.check_model(name)
    picker.check_model("knn_classifier")
    picker.set_model_params("knn_classifier", {"n_neighbors": 900})  # fails: too few rows
    picker.set_model_params("random_forest_classifier", {"n_estimators": 300})
    picker.select_model("random_forest_classifier")
    settings.scheme_combo.setCurrentIndex(settings.scheme_combo.findData("repeated_kfold"))
    settings.repeats_spin.setValue(2)
    settings.folds_spin.setValue(3)
    save(app, panel, out / "train_settings.png")

    panel.train()
    wait(app, lambda: any(row.status == "finished" for row in panel.leaderboard.rows()[1:]))
    wait(app, lambda: len(panel.leaderboard.rows()) >= 4, 30)
    save(app, panel, out / "train_running.png")
    wait(app, lambda: not panel.task_running("train"))
    for theme, palette in (("light", light), ("dark", dark_palette())):
        app.setPalette(palette)
        save(app, panel, out / f"train_finished_{theme}.png")
    app.setPalette(light)

    for name in picker.checked_models():
        picker.check_model(name, False)
    picker.check_model("random_forest_classifier")
    picker.baseline_box.setChecked(False)
    settings.tune_combo.setCurrentIndex(settings.tune_combo.findData("random"))
    settings.trials_spin.setValue(40)
    panel.train()
    wait(app, lambda: any(row.trial >= 2 for row in panel.leaderboard.rows()))
    panel.cancel()
    save(app, panel, out / "train_cancelled.png")

    runs = ExperimentsPanel()
    runs.resize(1280, 800)
    runs.show()
    runs.set_project(root.parent / "nowhere")
    save(app, runs, out / "experiments_no_runs.png")
    runs.set_project(root)
    with ExperimentLog(root / LOG_FILE) as log:
        records = log.runs()
        finished = [r for r in records if r.status == "finished"]
        log.set_tags(finished[1].run_id, ["candidate", "linear"])
        log.set_note(finished[1].run_id, "Scaled numeric columns; converges in 30 iterations.")
    runs.refresh()
    save(app, runs, out / "experiments_table.png")
    runs.select_runs([r.run_id for r in finished[:3]])
    runs.compare_selected()
    for theme, palette in (("light", light), ("dark", dark_palette())):
        app.setPalette(palette)
        save(app, runs, out / f"experiments_compare_{theme}.png")
    app.setPalette(light)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
