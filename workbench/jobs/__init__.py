"""Long work off the GUI thread: threads and killable child processes, streaming plain events."""
