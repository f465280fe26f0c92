"""Checks of a batch against a run's reference: the logic the exported service runs too.

Counting a batch into a reference's bins (counts.py), validating it against the training schema
(validation.py), the drift statistics (statistics.py), each column's verdict (measures.py) and
the report document (batch.py) are written once, here, and used twice: by the workbench's
monitor (workbench.core.monitor.check) and, copied byte for byte, by the exported Docker
service, whose bundle holds this package as `batch_checks/` beside service.py. So `workbench
monitor --json` and the service's `POST /drift` answer with the same numbers by construction.

What makes that possible, and what every module here keeps to: numpy and the standard library
only (the service has no pandas, scikit-learn or workbench), imports of each other relative
(`from .counts import ...`, valid under either package name), and the JSON forms as the
interface: a column's reference, the schema, the thresholds and the report are the dicts of
their `to_dict()`, which the workbench's frozen dataclasses read back with `from_dict`.

A package of its own beside `monitor`, not inside it, because validation is also the schema's
(workbench.core.schema's FrameValidator checks every batch the workbench predicts with it),
and the schema sits below the monitor: this package imports neither.
"""
