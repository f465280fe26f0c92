"""The Train panel says, before training, how many columns each ticked model gets and warns
above the limit; the label threshold of the default encoding is on screen (googleplaystore:
six columns of 93 to 6,002 labels)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.core.dataset import import_table
from workbench.core.project import Project, create_project
from workbench.core.specs import ChainSpec, StepSpec
from workbench.gui.panels.train_models import ENCODING_TEXT
from workbench.gui.panels.train_panel import TrainPanel


@pytest.fixture(scope="module")
def project(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("widths") / "apps"
    created = create_project(root)
    created.attach_dataset(import_table(root, shared_data / "messy" / "googleplaystore.csv"))
    created.save()
    return created


def test_the_columns_per_model_show_before_training(qtbot, project: Project, tmp_path) -> None:
    panel = TrainPanel()
    qtbot.addWidget(panel)
    panel.resize(1280, 800)
    panel.show()
    panel.set_context(project)
    picker = panel.model_picker
    assert ENCODING_TEXT == (
        "Categorical columns with more than 50 labels are target encoded (one column, fitted "
        "inside each fold); the others are one-hot encoded. A random forest on more than 15,000 "
        "training rows draws 15,000 of them for each tree (its 'Share of rows per tree' on auto; "
        "the run records the share)."
    )
    assert picker.encoding_note.isVisible() and picker.encoding_note.text() == ENCODING_TEXT
    assert picker.widths_label.isHidden()  # nothing ticked
    picker.check_model("random_forest_regressor")
    picker.check_model("xgboost_regressor")
    assert picker.widths_label.isVisible()
    assert picker.widths_label.text() == "Random forest: 107 columns\nXGBoost: 107 columns"
    assert picker.widths_label.toolTip() == (
        "Random forest gets 107 columns.\nXGBoost gets 107 columns."
    )
    assert "color" not in picker.widths_label.styleSheet()
    # The user's chain one-hot encodes the columns of many labels: a warning per model, red.
    many = ("Reviews", "Size", "Price", "Genres", "Last Updated", "Current Ver")
    panel.set_chain(ChainSpec((StepSpec("one_hot", many),)))
    assert picker.widths_label.text().splitlines() == [
        "Random forest: at least 1,119 columns",
        "XGBoost: at least 1,119 columns",
        "Above 1,000 columns: slow to train.",
    ]
    assert (
        picker.widths_label.toolTip()
        .splitlines()[0]
        .startswith(
            "Random forest: the chain makes at least 1,119 columns (the labels of 'Reviews', "
            "'Size', 'Last Updated', 'Current Ver' are only counted when fitted), above 1,000"
        )
    )
    assert "color" in picker.widths_label.styleSheet()
    picker.check_model("xgboost_regressor", False)
    assert len(picker.widths_label.text().splitlines()) == 2
    qtbot.wait(100)  # the layout makes room for the lines
    panel.grab().save(str(tmp_path / "train_widths.png"))
    panel.cancel_tasks()
