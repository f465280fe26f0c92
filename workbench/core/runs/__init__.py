"""Finished runs: what a run was asked to do (`spec.RunSpec`), where it ran
(`environment`), the experiment log that stores both (`log`), and a run loaded back for
results, export, the report and predict (`loaded.LoadedRun`)."""
