"""`python -m workbench` runs the same entry point as the `workbench` command."""

from workbench.entry import main

raise SystemExit(main())
