"""The notebook variant of an exported script: the same stages, a markdown cell before each.

Built with nbformat from the ScriptDocument the script is written from, so the two hold the
same code; the notebook runs the steps at top level instead of inside `main()`, so each stage's
results stay in the kernel for a reader to look at.
"""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from workbench.core.export.script.formatting import format_source
from workbench.core.export.script.owner import NOTEBOOK_METADATA_KEY
from workbench.core.export.script.sections import ScriptDocument


def notebook_text(document: ScriptDocument, run_id: str) -> str:
    """The .ipynb JSON text of `document` (run `run_id`), its code cells formatted like the
    script."""
    cells = []
    for kind, text in document.notebook_cells():
        if kind == "markdown":
            cells.append(new_markdown_cell(text))
        else:
            cells.append(new_code_cell(format_source(text).strip()))
    notebook = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            # What the export checks before it overwrites a notebook of another run.
            NOTEBOOK_METADATA_KEY: {"run_id": run_id},
        },
    )
    nbformat.validate(notebook)
    return nbformat.writes(notebook)
