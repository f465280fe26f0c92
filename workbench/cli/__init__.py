"""The command line: the headless twin of the window, one module per command group."""
