"""`python -m workbench` runs the same entry point as the `workbench` command."""

from workbench.cli import main

raise SystemExit(main())
