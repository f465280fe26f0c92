"""The Results panel's plots: one module per plot family, each a widget built from plain data.

The numbers come from `workbench.core.results.plot_data` (no Qt); `catalog.plots_for` lists
the plots a run has, as (title, factory) pairs a report can render without the panel.
"""
