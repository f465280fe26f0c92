"""Rebuild projects/demo from the bundled penguins table (CC0), profile included.

Run after a change to the project format, the importer or the profile:
`.venv/bin/python scripts/make_demo_project.py`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from workbench.core.dataset import import_table
from workbench.core.profile.store import profile_project_dataset
from workbench.core.project import create_project

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "resources" / "data" / "penguins.csv"
DEMO = REPO / "projects" / "demo"


def main() -> None:
    if DEMO.exists():
        shutil.rmtree(DEMO)
    project = create_project(DEMO, name="Penguins demo")
    imported = import_table(project.root, SOURCE, target="species")
    project.attach_dataset(imported)
    project.save()
    assert project.dataset is not None
    profile_project_dataset(project.root, project.dataset, project.target)
    print(f"demo project at {DEMO}: {project.dataset.rows} rows, target {project.target}")


if __name__ == "__main__":
    main()
