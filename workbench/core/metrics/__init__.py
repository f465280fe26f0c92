"""Metrics, and the numbers behind every plot of a run."""
