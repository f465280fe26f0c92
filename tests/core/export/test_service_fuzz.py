"""Schemathesis against the bundle's service, as issue 13's fuzzing ran it: `--checks all`.

Every check schemathesis has (no 5xx, each status and body as /openapi.json declares them,
schema-invalid requests refused, schema-valid ones accepted, 415 for an undeclared media type,
405 with an Allow header...), on a hundred generated requests per operation besides the coverage
phase's, with a fixed seed and no example database, against the service started on 127.0.0.1
for a classifier with text, numeric, true/false and nullable columns (titanic) and a regressor
(diamonds). Issue 13's fuzzing ran 300 per operation; a hundred kept its findings (the tests in
test_service_errors.py) and halved the time.

One kind of refusal is filtered out by `_service_fuzz_hooks.py`, and only for the regressor: a
schema-valid record that the model answers with Infinity (422 `non_finite_output`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _serve_runs import Service, serving

pytestmark = pytest.mark.shared_data

HOOKS = Path(__file__).resolve().parent / "_service_fuzz_hooks.py"
EXAMPLES = 100
# At least this many generated requests per operation got an answer from the model, not a
# refusal (on titanic about half of them do).
ACCEPTED = EXAMPLES // 5
SEED = 13


@pytest.fixture(scope="module", params=["titanic", "diamonds"])
def served(
    request: pytest.FixtureRequest, shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Service]]:
    with serving(request.param, shared_data, tmp_path_factory) as (_, service):
        yield request.param, service


def fuzz(service: Service, folder: Path) -> tuple[subprocess.CompletedProcess[str], Any]:
    """`schemathesis run` on the service's /openapi.json; its output and its JSON report.

    Run in `folder` (its hypothesis files land there) with no proxy variables, so nothing
    leaves 127.0.0.1."""
    report = folder / "report.json"
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["SCHEMATHESIS_HOOKS"] = str(HOOKS)
    done = subprocess.run(
        [
            sys.executable, "-m", "schemathesis.cli", "run", f"{service.url}/openapi.json",
            "--checks", "all", "--max-examples", str(EXAMPLES), "--seed", str(SEED),
            "--generation-database", "none", "--workers", "1", "--continue-on-failure",
            "--no-color", "--report", "json", "--report-dir", str(folder),
            "--report-json-path", str(report),
        ],
        cwd=folder, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    return done, json.loads(report.read_text(encoding="utf-8"))


def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    served: tuple[str, Service], tmp_path: Path
) -> None:
    name, service = served
    done, report = fuzz(service, tmp_path)
    assert report["failures"] == [], done.stdout[-6000:]
    assert report["errors"] == [], done.stdout[-6000:]
    assert (done.returncode, report["exit_code"]) == (0, 0), done.stdout[-6000:]
    assert report["complete"] is True
    assert report["operations"]["tested"] == 4  # /predict, /drift, /health, /schema
    assert report["phases"]["coverage"]["status"] == "success"
    assert report["phases"]["fuzzing"]["status"] == "success"
    assert report["test_cases"]["generated"] >= EXAMPLES
    # The model answered: schema-valid records got predictions, not only refusals.
    assert report["valid_rates"]["POST /predict"]["fuzzing"]["accepted"] >= ACCEPTED
    assert report["valid_rates"]["POST /drift"]["fuzzing"]["accepted"] >= ACCEPTED
    if name == "titanic":
        # A random forest answers every float32: the hook had nothing to drop.
        assert report["filtered"] == 0
