"""Long work off the GUI thread: threads and killable child processes, streaming plain events.

`Job` names the function; `run_in_process` (heavy, GIL-holding work: cancel kills the child),
`run_in_thread` (light work: cancel is cooperative) or `run_inline` (CLI, tests) runs it;
the `JobHandle` yields `events` values. No Qt here: workbench.gui.job_bridge adapts handles.
"""
