"""The default chain's encoding by label count, and the columns counted before training, on
the shared tables with the most labels: the counts equal what the fitted chain makes."""

from __future__ import annotations

from pathlib import Path

import pytest
from _projects import make_project

from workbench.core.chain.compile import build_transformer
from workbench.core.chain.model_chain import model_chain, model_width
from workbench.core.chain.resolve import resolve_chain
from workbench.core.chain.width import (
    WIDE_TABLE_COLUMNS,
    ChainWidth,
    LabelCounts,
    chain_width,
    wide_warning,
)
from workbench.core.kinds import TaskType
from workbench.core.models.catalog import ONE_HOT_MAX_LABELS, get_model
from workbench.core.project import Project, open_project
from workbench.core.specs import ChainSpec, StepSpec
from workbench.core.train.fit import runner_frame

FILES = {
    "googleplaystore": "messy/googleplaystore.csv",
    "flights": "clean/flights_de_bootcamp.parquet",
    "glassdoor": "messy/glassdoor_jobs.csv",
    "lending_club": "clean/modeldata_lending_club.csv",
    "life": "messy/Life_Expectancy_Data.csv",
    "penguins": "clean/penguins.csv",
    "titanic": "clean/titanic.csv",
}


@pytest.fixture(scope="module")
def projects(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    made: dict[str, Project] = {}

    def project(name: str) -> Project:
        if name not in made:
            root = tmp_path_factory.mktemp(name) / "project"
            made[name] = open_project(make_project(root, shared_data / FILES[name]))
        return made[name]

    return project


def _full_chain(project: Project, model: str, chain: ChainSpec | None = None):
    resolved = resolve_chain(chain or project.chain, project.feature_kinds(), project.target)
    counts = LabelCounts.from_schema(project.dataset.schema)
    task = TaskType(project.task)
    model_def = get_model(model, task)
    return resolved, model_chain(resolved, model_def, counts), counts, task, model_def


def _fitted_width(project: Project, full) -> int:
    """The columns the compiled chain makes, fitted on every row with a target."""
    frame = project.load_frame()
    frame = frame[frame[project.target].notna()]
    X = runner_frame(frame[list(full.kinds)])
    return build_transformer(full).fit_transform(X, frame[project.target]).shape[1]


@pytest.mark.parametrize(
    ("name", "model", "one_hot", "target_encoded", "counted", "fitted"),
    [
        (
            "googleplaystore",
            "random_forest",
            ("Category", "Installs", "Type", "Content Rating", "Android Ver"),
            ("Reviews", "Size", "Price", "Genres", "Last Updated", "Current Ver"),
            107,
            # 5 labels occur only in rows without a Rating (Installs '0' and '0+', Android Ver
            # '2.2 - 7.1.1' and '5.0 - 7.1.1', a missing Type): the training rows lack them.
            102,
        ),
        (
            "glassdoor",
            "xgboost",
            ("Size", "Type of ownership", "Sector", "Revenue"),
            (
                "Job Title",
                "Salary Estimate",
                "Company Name",
                "Location",
                "Headquarters",
                "Industry",
                "Competitors",
            ),
            69,
            69,
        ),
        ("flights", "xgboost", ("airline",), ("tailnumber", "src", "dest"), 28, 28),
        ("life", "random_forest", (), ("Country",), 21, 21),
    ],
)
def test_the_default_chain_target_encodes_columns_of_many_labels(
    projects, name, model, one_hot, target_encoded, counted, fitted
) -> None:
    project = projects(name)
    resolved, full, counts, task, model_def = _full_chain(project, model)
    steps = {step.name: step.columns for step in full.steps if step.added}
    assert steps.get("one_hot", ()) == one_hot
    assert steps["target_encode"] == target_encoded
    assert all(counts.labels[column] > ONE_HOT_MAX_LABELS for column in target_encoded)
    assert all(counts.labels[column] <= ONE_HOT_MAX_LABELS for column in one_hot)
    assert model_width(resolved, model_def, counts, task) == ChainWidth(counted)
    assert _fitted_width(project, full) == fitted


def test_fifty_labels_are_one_hot_and_more_are_target_encoded(projects) -> None:
    lending = projects("lending_club")
    counts = LabelCounts.from_schema(lending.dataset.schema)
    assert counts.labels["addr_state"] == ONE_HOT_MAX_LABELS == 50
    _, full, *_ = _full_chain(lending, "xgboost")
    steps = {step.name: step.columns for step in full.steps if step.added}
    assert "addr_state" in steps["one_hot"] and "target_encode" not in steps
    # Life expectancy's Country: 133 labels, target encoded (previous test).


def test_one_hot_of_every_label_is_counted_and_warned_about(projects) -> None:
    """What the default chain did before: every text column one-hot, thousands of columns."""
    project = projects("googleplaystore")
    many = ("Reviews", "Size", "Price", "Genres", "Last Updated", "Current Ver")
    chain = ChainSpec((StepSpec("one_hot", many),))
    resolved, _, counts, task, model_def = _full_chain(project, "random_forest", chain)
    width = model_width(resolved, model_def, counts, task)
    # Reviews (6,002 labels), Size, Last Updated and Current Ver have more labels than the
    # import lists (200): counted as 201 each, a lower bound.
    unlisted = ("Reviews", "Size", "Last Updated", "Current Ver")
    assert width == ChainWidth(1_119, uncounted=unlisted)
    assert width.wide and WIDE_TABLE_COLUMNS == 1_000
    assert wide_warning("Random forest", width) == (
        "Random forest: the chain makes at least 1,119 columns (the labels of 'Reviews', "
        "'Size', 'Last Updated', 'Current Ver' are only counted when fitted), above 1,000: "
        "training will be slow and memory-hungry; encode the columns with many labels "
        "compactly (target encode, hash encode or group rare categories) or drop them"
    )
    assert wide_warning("Random forest", ChainWidth(107)) is None


def test_target_encoding_makes_one_column_per_class_of_a_multiclass_target(projects) -> None:
    penguins = projects("penguins")
    chain = ChainSpec((StepSpec("target_encode", ("island",)),))
    resolved, full, counts, task, model_def = _full_chain(penguins, "xgboost", chain)
    assert task == TaskType.MULTICLASS and counts.labels["species"] == 3
    # island: 3 columns (one per species); sex: 2 labels + missing; 4 measures.
    assert model_width(resolved, model_def, counts, task) == ChainWidth(3 + 3 + 4)
    assert _fitted_width(penguins, full) == 10
    unknown_classes = chain_width(full, counts, task, None)
    assert not unknown_classes.exact and unknown_classes.text().startswith("up to ")


def test_a_column_made_categorical_is_encoded_compactly_and_counted_when_fitted(
    projects,
) -> None:
    titanic = projects("titanic")
    cast = StepSpec("cast", ("parch",), {"to": "categorical"})
    resolved, full, counts, task, model_def = _full_chain(titanic, "xgboost", ChainSpec((cast,)))
    assert "parch" not in counts.labels  # a number at import: its labels were not listed
    target_encoded = [s.columns for s in full.steps if s.added and s.name == "target_encode"]
    assert target_encoded == [("parch",)]
    one_hot = ChainSpec((cast, StepSpec("one_hot", ("parch",))))
    resolved, full, counts, task, model_def = _full_chain(titanic, "xgboost", one_hot)
    width = model_width(resolved, model_def, counts, task)
    assert width.uncounted == ("parch",)
    assert width.text() == (
        f"at least {width.columns} columns (the labels of 'parch' are only counted when fitted)"
    )
