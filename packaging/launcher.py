"""Entry point of the frozen app (PyInstaller runs this file as __main__).

`freeze_support()` must come first: the job runner starts children with multiprocessing's
"spawn", which in a frozen app re-executes this same program with `--multiprocessing-fork`
arguments (also the resource tracker); freeze_support turns such a run into the child and exits
before the command line is parsed. PyInstaller makes it work on every platform, not only Windows.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from workbench.entry import main

    sys.exit(main())
