"""Profiling a table: statistics, alerts (with their fixes), the stored profile."""
