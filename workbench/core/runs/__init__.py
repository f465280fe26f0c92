"""Finished runs: the experiment log, and a run loaded back with its results."""
