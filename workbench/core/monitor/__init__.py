"""Monitoring: new data against a run.

A run's reference (reference.py) summarises its training rows and out-of-fold predictions;
`check_batch` (check.py) compares a batch with it: validation against the training schema,
drift per column and of the predictions, and the scores of a labelled batch beside the run's
(performance.py), in one DriftReport (report.py). The thresholds are declared in options.py.
The counting, validation, statistics and verdicts are workbench.core.batch_checks, numpy
only, which the exported Docker service carries as it is to answer `POST /drift`.
"""
