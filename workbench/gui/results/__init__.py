"""The Results panel's plots: one module per plot family, each a widget built from plain data.

`plot_data` (no Qt) turns a run's RunResults into the numbers the widgets draw; it runs in a
job's child process because the numbers come from scikit-learn. `catalog.plots_for` lists the
plots a run has, as (title, factory) pairs a report can render without the panel.
Importing this package imports no Qt, so a child process can import `plot_data` cheaply.
"""
