"""Importing the package sets OpenMP's passive waiting before scikit-learn loads a runtime,
and keeps a policy the user set (see workbench/openmp_waits.py)."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = (
    "import os, workbench, sklearn.ensemble; "
    "from threadpoolctl import threadpool_info; "
    "openmp = any(p['user_api'] == 'openmp' for p in threadpool_info()); "
    "print(os.environ['OMP_WAIT_POLICY'], openmp)"
)


def _probe(env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_the_package_sets_passive_waits_before_openmp_loads() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    assert _probe(env) == "PASSIVE True"


def test_a_policy_in_the_environment_is_kept() -> None:
    env = {**os.environ, "OMP_WAIT_POLICY": "ACTIVE"}
    assert _probe(env) == "ACTIVE True"
