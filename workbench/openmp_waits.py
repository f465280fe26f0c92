"""OpenMP threads that sleep while they wait, unless the user chose otherwise.

Why: scikit-learn's histogram gradient boosting and XGBoost run OpenMP parallel regions, and
GNU OpenMP's default lets an idle thread spin for a while before it sleeps. On a machine whose
cores are busy with other work (a laptop running a browser, two trainings at once, a cluster
worker beside another) the spinning threads take the cores the working ones need: 5-fold
hist gradient boosting on insurance's 1,338 rows took 15 to 32 s on two busy cores instead of
1.4 s with passive waiting (benchmarks/openmp_wait_bench.py measures both, idle and busy).
The runtime reads OMP_WAIT_POLICY once, when the first OpenMP library loads, so it is set
here, on the package's import, before any of them; child processes (training jobs, Dask
workers) inherit it. A value already in the environment is kept.
"""

from __future__ import annotations

import os

WAIT_POLICY = "PASSIVE"


def prefer_passive_waits() -> None:
    """Set OMP_WAIT_POLICY to PASSIVE unless the environment already says something."""
    os.environ.setdefault("OMP_WAIT_POLICY", WAIT_POLICY)
