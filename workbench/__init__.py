"""ML Workbench: an offline desktop workbench from a raw table to a deployed model."""

from workbench.openmp_waits import prefer_passive_waits

__version__ = "0.1.0"

# Before scikit-learn or XGBoost load an OpenMP runtime (see openmp_waits).
prefer_passive_waits()
