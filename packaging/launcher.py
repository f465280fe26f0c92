"""Entry point of the frozen app (PyInstaller runs this file as __main__).

`freeze_support()` must come first: the job runner starts children with multiprocessing's
"spawn", which in a frozen app re-executes this same program with `--multiprocessing-fork`
arguments (also the resource tracker); freeze_support turns such a run into the child and exits
before the command line is parsed. PyInstaller makes it work on every platform, not only Windows.

A desktop opens a project through its file type (packaging/linux/ml-workbench-mime.xml): it
passes the project's `project.json`, where the app opens a project folder, so a lone argument
naming a project.json becomes its folder.
"""

import multiprocessing
import sys
from pathlib import Path

PROJECT_FILE = "project.json"


def opened_arguments(arguments: list[str]) -> list[str]:
    """The command line with a double-clicked project.json turned into its project folder."""
    if len(arguments) == 1:
        path = Path(arguments[0])
        if path.name == PROJECT_FILE and path.is_file():
            return [str(path.resolve().parent)]
    return arguments


if __name__ == "__main__":
    multiprocessing.freeze_support()
    from workbench.entry import main

    sys.exit(main(opened_arguments(sys.argv[1:])))
