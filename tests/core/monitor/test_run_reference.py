"""A run's reference as the runner stores it: equal to one built from the run's recorded data,
rebuilt and logged again for a run without one, refused when changed since it was logged."""

from __future__ import annotations

from pathlib import Path

import pytest
from _serve_runs import copied_run, trained_run

from workbench.core.errors import ProjectError
from workbench.core.monitor.run_reference import (
    REFERENCE_ARTIFACT,
    build_run_reference,
    run_reference,
)
from workbench.core.runs.loaded import LoadedRun

pytestmark = pytest.mark.shared_data


@pytest.fixture
def project(shared_data: Path, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> tuple:
    """A copy of the session's penguins project, free to damage."""
    root = copied_run("penguins", shared_data, tmp_path_factory, tmp_path / "project")
    return root, trained_run("penguins", shared_data, tmp_path_factory).run_id


def test_the_stored_reference_is_the_one_built_from_the_run(project: tuple) -> None:
    root, run_id = project
    with LoadedRun.open(root, run_id) as run:
        stored = run_reference(run)
        built = build_run_reference(run)
        development = run.spec.rows.development
    assert stored.to_dict() == built.to_dict()
    assert stored.rows == development == 275  # 344 rows less the 69 test rows
    assert stored.classes == ("Adelie", "Chinstrap", "Gentoo")
    assert [c.name for c in stored.predictions] == [
        "prediction", "proba_Adelie", "proba_Chinstrap", "proba_Gentoo",
    ]  # fmt: skip
    assert stored.metric == "f1_macro" and len(stored.validation_scores["f1_macro"]) == 1


def test_a_run_without_a_reference_gets_one_on_first_use(project: tuple) -> None:
    root, run_id = project
    with LoadedRun.open(root, run_id) as run:
        path = root / run.record.artifacts[REFERENCE_ARTIFACT].path
        expected = path.read_text("utf-8")
        path.unlink()
        rebuilt = run_reference(run)
    assert path.read_text("utf-8") == expected
    with LoadedRun.open(root, run_id) as run:  # logged again: the next reader verifies it
        assert run_reference(run).to_dict() == rebuilt.to_dict()


def test_a_reference_changed_since_the_run_is_refused(project: tuple) -> None:
    root, run_id = project
    with LoadedRun.open(root, run_id) as run:
        path = root / run.record.artifacts[REFERENCE_ARTIFACT].path
        path.write_text(path.read_text("utf-8").replace('"rows"', '"rows" ', 1), "utf-8")
        with pytest.raises(ProjectError, match="was changed since the run"):
            run_reference(run)
