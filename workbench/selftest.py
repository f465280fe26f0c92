"""`workbench --selftest`: prove that this installation (above all a frozen bundle) works.

A bundle can look complete and still lack a module that is only imported by name at fit time
(step and model factories, ONNX converters), a Qt plugin, or the ability to start its own
child processes. Each of these fails only when a user reaches it, so the selftest walks the
same paths: it opens the main window on a copy of the demo project, imports every heavy
library and every workbench module, trains models in a child process through the job runner
(what the Train panel does), and exports a run to ONNX that onnxruntime then loads.

One line per check (OK/FAIL, seconds, a detail); exit code 0 only when every check passed.
Everything happens in a temporary folder; the user's settings and projects are not touched.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

# Libraries a user reaches in the app; an import failing here is a packaging fault.
HEAVY_MODULES = (
    "numpy",
    "pandas",
    "fastparquet",
    "scipy.stats",
    "sklearn.ensemble",
    "xgboost",
    "joblib",
    "onnx",
    "skl2onnx",
    "onnxmltools",
    "onnxruntime",
    "openpyxl",
    "xlrd",
    "PySide6.QtWidgets",
    "PySide6.QtSvg",
    "pyqtgraph",
)
# Workbench packages that are file templates, not app code: the Docker service runs inside the
# exported container (FastAPI), so the app ships its files without importing them.
NOT_IMPORTED = ("workbench.core.export.service",)
TRAIN_MODELS = (("random_forest", {"n_estimators": 10}), ("xgboost", {"n_estimators": 20}))
WINDOW_TIMEOUT_S = 60.0
TRAIN_TIMEOUT_S = 300.0


@dataclass
class SelftestState:
    """What one check leaves for the next: the temp folder, the demo copy, the trained runs."""

    work: Path
    project: Path | None = None
    run_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    ok: bool
    seconds: float
    detail: str


Check = Callable[[SelftestState], str]


def run_selftest(out: TextIO | None = None) -> int:
    """Run every check, print one line each; 0 when all passed, 1 otherwise."""
    out = out or sys.stdout
    # Before any Qt import: the selftest must run on a build server or over ssh, and must not
    # flash a window on a desktop.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    started = time.perf_counter()
    outcomes: list[CheckOutcome] = []
    with tempfile.TemporaryDirectory(prefix="workbench-selftest-") as tmp:
        state = SelftestState(work=Path(tmp))
        for name, check in _checks():
            outcome = _run_check(name, check, state)
            outcomes.append(outcome)
            print(_format(outcome), file=out, flush=True)
    failed = [outcome.name for outcome in outcomes if not outcome.ok]
    total = time.perf_counter() - started
    if failed:
        print(
            f"selftest FAILED: {len(failed)} of {len(outcomes)} checks ({', '.join(failed)}) "
            f"in {total:.1f} s",
            file=out,
        )
        return 1
    print(f"selftest passed: {len(outcomes)} checks in {total:.1f} s", file=out)
    return 0


def _checks() -> Iterator[tuple[str, Check]]:
    # The window first: its time since launch is the start-up a user waits for, before the
    # other checks load every library.
    yield "window", check_window
    for module in HEAVY_MODULES:
        yield f"import {module}", _import_check(module)
    yield "Qt collation (ICU)", check_qt_collation
    yield "workbench modules", check_workbench_modules
    yield "lazy factories", check_lazy_factories
    yield "training (child process)", check_training
    yield "ONNX export", check_export


def _run_check(name: str, check: Check, state: SelftestState) -> CheckOutcome:
    started = time.perf_counter()
    try:
        detail = check(state)
        ok = True
    except Exception as exc:
        ok = False
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0]
        if os.environ.get("WORKBENCH_SELFTEST_TRACEBACK"):
            detail += "\n" + traceback.format_exc()
    return CheckOutcome(name, ok, time.perf_counter() - started, detail)


def _format(outcome: CheckOutcome) -> str:
    status = "OK  " if outcome.ok else "FAIL"
    return f"{status} {outcome.name:<26} {outcome.seconds:6.2f} s  {outcome.detail}"


# -- checks ------------------------------------------------------------------------------------


def _copy_demo(state: SelftestState) -> Path:
    """A throwaway copy of the demo project (training writes runs and a log into it)."""
    if state.project is None:
        from workbench.resources import demo_project

        source = demo_project()
        if not (source / "project.json").is_file():
            raise FileNotFoundError(f"the demo project is missing: {source}")
        state.project = state.work / "demo"
        shutil.copytree(source, state.project)
    return state.project


def check_window(state: SelftestState) -> str:
    """Open the main window on the demo copy, wait for its table, close it."""
    launch_to_call = _seconds_since_launch()
    project = _copy_demo(state)
    from workbench.gui.application import create_application

    app = create_application()
    from workbench.gui.main_window import MainWindow
    from workbench.gui.settings import AppSettings

    window = MainWindow(settings=AppSettings(state.work / "settings.ini"))
    window.show()
    app.processEvents()
    shown = _seconds_since_launch()
    if not window.isVisible():
        raise RuntimeError("the main window did not show")
    if not window.open_project(project):
        raise RuntimeError(f"the window could not open the demo project at {project}")
    deadline = time.monotonic() + WINDOW_TIMEOUT_S
    while window.controller.frame is None and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    frame = window.controller.frame
    if frame is None:
        raise TimeoutError(f"the demo table did not load within {WINDOW_TIMEOUT_S:.0f} s")
    table_at = _seconds_since_launch()
    window.close()
    app.processEvents()
    if window.isVisible():
        raise RuntimeError("the main window did not close")
    if shown is None or table_at is None or launch_to_call is None:
        return f"demo table {frame.shape[0]} x {frame.shape[1]} shown, window closed"
    return (
        f"window shown {shown:.2f} s after launch, demo table {frame.shape[0]} x "
        f"{frame.shape[1]} at {table_at:.2f} s, closed"
    )


def _import_check(module: str) -> Check:
    def check(_: SelftestState) -> str:
        imported = importlib.import_module(module)
        top = sys.modules[module.split(".")[0]]
        return f"{getattr(imported, '__version__', None) or getattr(top, '__version__', '')}"

    return check


def check_qt_collation(_: SelftestState) -> str:
    """Sort as Qt does (QCollator; Qt's file dialogs sort names this way) in two languages.

    Qt collates with ICU's data, which the Linux bundle carries trimmed to what Qt reads
    (packaging/icu_data.py); without the collation data Qt would fall back to code-point order,
    where "ä" sorts after "z" in every language and "B" before "a".
    """
    from PySide6.QtCore import QCollator, QLocale

    german = QCollator(QLocale("de_DE"))
    swedish = QCollator(QLocale("sv_SE"))
    if not (german.compare("ä", "b") < 0 and german.compare("a", "B") < 0):
        raise RuntimeError("German collation is code-point order: ICU's collation data is missing")
    if not swedish.compare("ä", "z") > 0:
        raise RuntimeError("Swedish collation lacks its tailoring: ICU's sv data is missing")
    return "de: a < B, ä < b < z; sv: z < ä"


def app_module_names() -> list[str]:
    """Every workbench module the app may import (templates and `__main__` left out)."""
    import workbench

    names: list[str] = []

    def walk(path: list[str], prefix: str) -> None:
        for info in sorted(pkgutil.iter_modules(path, prefix), key=lambda i: i.name):
            if info.name.rsplit(".", 1)[-1] == "__main__" or _not_imported(info.name):
                continue
            names.append(info.name)
            if info.ispkg:
                package = importlib.import_module(info.name)
                walk(list(package.__path__), info.name + ".")

    walk(list(workbench.__path__), "workbench.")
    return names


def _not_imported(name: str) -> bool:
    return any(name == t or name.startswith(t + ".") for t in NOT_IMPORTED)


def check_workbench_modules(_: SelftestState) -> str:
    """Import every workbench module: a bundle missing one fails here, not in front of a user."""
    names = app_module_names()
    for name in names:
        importlib.import_module(name)
    return f"{len(names)} modules imported"


def check_lazy_factories(_: SelftestState) -> str:
    """Resolve every step and model factory: they name their modules as strings."""
    from workbench.core.models.catalog import all_models
    from workbench.core.steps.catalog import all_steps

    models = all_models()
    for model in models.values():
        model.factory.resolve()
    lazy_steps = [step for step in all_steps().values() if hasattr(step.factory, "resolve")]
    for step in lazy_steps:
        step.factory.resolve()  # type: ignore[union-attr]
    return f"{len(models)} models, {len(lazy_steps)} step factories resolved"


def check_training(state: SelftestState) -> str:
    """Train on the demo copy in a child process, as the Train panel does."""
    from workbench.core.specs import ModelSpec, SplitSpec, TrainSpec
    from workbench.core.train.events import FINISHED
    from workbench.core.train.runner import run_training
    from workbench.jobs.events import DoneEvent
    from workbench.jobs.job import Job
    from workbench.jobs.process_runner import run_in_process

    project = _copy_demo(state)
    spec = TrainSpec(
        models=tuple(ModelSpec(name, params) for name, params in TRAIN_MODELS),
        split=SplitSpec("stratified_kfold", n_splits=3),
        include_baseline=False,
    )
    handle = run_in_process(Job(run_training, (project, spec), name="selftest training"))
    outcome = handle.wait(timeout=TRAIN_TIMEOUT_S)
    if outcome is None:
        handle.cancel()
        raise TimeoutError(f"training did not finish within {TRAIN_TIMEOUT_S:.0f} s")
    if not isinstance(outcome, DoneEvent):
        raise RuntimeError(f"the training job ended with {_describe(outcome)}")
    results = outcome.result
    failed = [f"{r.model}: {r.message}" for r in results if r.status != FINISHED]
    if failed:
        raise RuntimeError(f"runs did not finish: {'; '.join(failed)}")
    state.run_ids = [r.run_id for r in results]
    scores = ", ".join(
        f"{r.model} {r.metric} {r.validation.get(r.metric, {}).get('mean', float('nan')):.3f}"
        for r in results
    )
    return f"{len(results)} runs in child pid {handle.pid}: {scores}"


def _describe(event: Any) -> str:
    message = getattr(event, "message", None)
    return f"{type(event).__name__}: {message}" if message else type(event).__name__


def check_export(state: SelftestState) -> str:
    """Export each trained run to ONNX and load it in onnxruntime."""
    if not state.run_ids or state.project is None:
        raise RuntimeError("no trained run to export (the training check failed)")
    try:
        from workbench.core.export.export_run import ExportRequest, export_run
    except ModuleNotFoundError as exc:
        raise RuntimeError(
            f"the ONNX export module is not in this build ({exc.name} missing)"
        ) from exc
    import onnxruntime

    inputs = 0
    for run_id in state.run_ids:
        target = state.work / "export" / run_id / "model.onnx"
        target.parent.mkdir(parents=True, exist_ok=True)
        request = ExportRequest(onnx=target, docker=None, joblib=None, card=False)
        export_run(state.project, run_id, request)
        session = onnxruntime.InferenceSession(str(target), providers=["CPUExecutionProvider"])
        inputs = len(session.get_inputs())
    return f"{len(state.run_ids)} runs exported and loaded ({inputs} ONNX inputs each)"


def _seconds_since_launch() -> float | None:
    """Seconds since this process started (Linux: from /proc), None where unknown."""
    try:
        stat = Path("/proc/self/stat").read_text()
        start_ticks = int(stat.rsplit(")", 1)[1].split()[19])  # field 22, starttime
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None
