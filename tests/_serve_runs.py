"""Real workbench runs and exported ONNX models for the serving, batch-prediction and CLI tests.

One small, quick run per task on the shared datasets (penguins multiclass, titanic and
credit_data binary, diamonds regression, penguins-raw with its dates), trained once per test
session and cached here,
because the bundle, the service, batch prediction and the CLI tests all need the same ones.
Importable from every test folder: tests/ is on sys.path through its conftest.py.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from _projects import make_project
from _shared_cache import worker_copy

from workbench.core.specs import ModelSpec, SplitSpec, TrainSpec
from workbench.core.train.runner import run_training

SPLIT = SplitSpec("holdout", validation_fraction=0.25, test_fraction=0.2)


@dataclass(frozen=True)
class Case:
    file: str
    target: str
    model: str
    params: tuple[tuple[str, Any], ...] = ()
    ignore: tuple[str, ...] = ()


CASES = {
    "penguins": Case("clean/penguins.csv", "species", "logistic_regression"),
    "titanic": Case(
        "clean/titanic.csv", "survived", "random_forest", (("n_estimators", 15),), ignore=("alive",)
    ),
    "diamonds": Case("clean/diamonds.csv", "price", "ridge"),
    # Its `rownames` column is an identifier: batch prediction passes it through as the key.
    "credit": Case("clean/modeldata_credit_data.csv", "Status", "logistic_regression"),
    # Column names that are not identifiers ('Adult Mortality', 'HIV/AIDS'): ONNX inputs differ.
    "life": Case("messy/Life_Expectancy_Data.csv", "Life expectancy", "ridge"),
    # A date column ('Date Egg'), which the model takes as ISO 8601 text.
    "penguins_raw": Case(
        "messy/penguins-raw.csv",
        "Species",
        "logistic_regression",
        ignore=("studyName", "Region", "Stage", "Individual ID", "Comments"),
    ),
}


@dataclass(frozen=True)
class TrainedRun:
    project: Path
    run_id: str


NO_ENV: Mapping[str, str] = MappingProxyType({})
_ONNX: dict[tuple[str, Path], tuple[TrainedRun, Path]] = {}
_BUNDLES: dict[tuple[str, Path], tuple[TrainedRun, Path]] = {}


def trained_run(name: str, shared_data: Path, factory: pytest.TempPathFactory) -> TrainedRun:
    """A project on `name`'s dataset with one finished run (no baseline), trained once a test
    session by whichever worker asks first and copied into each worker (`factory` is the
    session's tmp_path_factory, so every test module of a worker shares its copy)."""
    folder, run_id = worker_copy(factory, f"serve-{name}", lambda to: _train(name, shared_data, to))
    return TrainedRun(folder / "project", run_id)


def _train(name: str, shared_data: Path, folder: Path) -> str:
    """Train `name`'s case in `folder`/project; the run id."""
    case = CASES[name]
    root = make_project(folder / "project", shared_data / case.file, case.target, case.ignore)
    spec = TrainSpec(
        models=(ModelSpec(case.model, dict(case.params)),),
        split=SPLIT,
        include_baseline=False,
        n_jobs=1,
    )
    (result,) = run_training(root, spec)
    assert result.status == "finished", result.message
    return result.run_id


def copied_run(name: str, shared_data: Path, factory: pytest.TempPathFactory, to: Path) -> Path:
    """A copy of the session's `name` project at `to`, free to change (its checks, exports)."""
    import shutil

    shutil.copytree(trained_run(name, shared_data, factory).project, to)
    return to


def exported_onnx(
    name: str, shared_data: Path, factory: pytest.TempPathFactory
) -> tuple[TrainedRun, Path]:
    """The run's ONNX model and schema.json (in one folder) as `export_run` writes them after
    its parity check, once a session."""
    key = (name, factory.getbasetemp())
    if key not in _ONNX:
        _ONNX[key] = _export(name, shared_data, factory)
    return _ONNX[key]


def _export(
    name: str, shared_data: Path, factory: pytest.TempPathFactory
) -> tuple[TrainedRun, Path]:
    from workbench.core.export.export_run import ExportRequest, export_run

    run = trained_run(name, shared_data, factory)
    path = factory.mktemp(f"{name}-onnx") / "model.onnx"
    result = export_run(run.project, run.run_id, ExportRequest(onnx=path, card=False))
    assert result.parity is not None and result.parity.passed, result.parity
    return run, path


def exported_bundle(
    name: str, shared_data: Path, factory: pytest.TempPathFactory
) -> tuple[TrainedRun, Path]:
    """The run's Docker bundle as the export makes it (with its model card), once a session."""
    from workbench.core.export.export_run import ExportRequest, export_run

    key = (name, factory.getbasetemp())
    if key not in _BUNDLES:
        run = trained_run(name, shared_data, factory)
        folder = factory.mktemp(f"{name}-bundle")
        export_run(run.project, run.run_id, ExportRequest(docker=folder))
        _BUNDLES[key] = (run, folder)
    return _BUNDLES[key]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Service:
    """A bundle's service started with uvicorn in a child process on a loopback port."""

    def __init__(
        self, bundle: Path, *, python_m_service: bool = False, env: Mapping[str, str] = NO_ENV
    ) -> None:
        """`uvicorn service:app` by default; `python -m service` (PORT variable) when asked.
        `env`: more environment variables for the service (MAX_BODY_BYTES...)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, **env, "PYTHONDONTWRITEBYTECODE": "1", "PORT": str(self.port)}
        command = ["-m", "service"] if python_m_service else [
            "-m", "uvicorn", "service:app", "--host", "127.0.0.1", "--port", str(self.port),
            "--log-level", "warning",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            [sys.executable, *command],
            cwd=bundle, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self._wait()

    def _wait(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read() if self.process.stdout else ""
                raise RuntimeError(f"the service exited with {self.process.returncode}: {output}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the service did not answer /health within {timeout:.0f} s")

    def post(self, path: str, payload: Any) -> tuple[int, Any]:
        """POST `payload` as JSON to `path` ("/predict", "/drift"): the status and the answer."""
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=json.dumps(payload).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


def import_service(bundle: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """`import service` in a child process in `bundle` with more environment variables `env`:
    how a start the service refuses (a bad variable, a file not of this model) is seen."""
    return subprocess.run(
        [sys.executable, "-c", "import service"],
        cwd=bundle, env={**os.environ, **env, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@contextmanager
def serving(
    name: str,
    shared_data: Path,
    factory: pytest.TempPathFactory,
    env: Mapping[str, str] = NO_ENV,
) -> Iterator[tuple[Path, Service]]:
    """`name`'s exported bundle folder and its service, running until the block ends."""
    _, folder = exported_bundle(name, shared_data, factory)
    with Service(folder, env=env) as service:
        yield folder, service


def service_fixture(name: str, env: Mapping[str, str] = NO_ENV) -> Any:
    """A module-scoped fixture of (bundle folder, running service) for `name`'s export:
    `titanic = service_fixture("titanic")` in a test module."""

    def running(
        shared_data: Path, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[tuple[Path, Service]]:
        with serving(name, shared_data, tmp_path_factory, env) as served:
            yield served

    return pytest.fixture(scope="module")(running)
