"""`python -m workbench` runs the same entry point as the `workbench` command."""

from workbench.cli.main import main

raise SystemExit(main())
