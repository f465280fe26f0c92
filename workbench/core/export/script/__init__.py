"""Export a run as a Python script (and a notebook) that reproduces it without the workbench."""
