"""Write a finished run as `train_<run>.py` (and optionally a notebook) with its pinned
`requirements.txt`: the export an engineer can read, version and rerun without the workbench.

The document is assembled stage by stage (sections.py): the run's settings, the workbench's own
classes copied in (bundle.py), reading the file (read.py), the split (split.py), the metrics
(metrics.py), the pipeline and its fitting (training.py). The script imports pandas,
scikit-learn, joblib and what the chain needs, never `workbench`; it is checked for that before
it is written.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from packaging.utils import canonicalize_name

from workbench.core.atomic import write_text_atomic
from workbench.core.errors import WorkbenchError
from workbench.core.export.pinned_requirements import imported_modules, pinned_distributions
from workbench.core.export.script.bundle import ImportLine, is_workbench
from workbench.core.export.script.formatting import format_source
from workbench.core.export.script.metrics import metrics_stage
from workbench.core.export.script.objects import CodeWriter
from workbench.core.export.script.owner import (
    REQUIREMENTS_FILE,
    SCRIPT_FIRST_LINE,
    script_file_name,
)
from workbench.core.export.script.read import read_stage
from workbench.core.export.script.sections import ScriptDocument, Stage
from workbench.core.export.script.split import split_stage
from workbench.core.export.script.training import model_stages
from workbench.core.kinds import TaskType
from workbench.core.runs.loaded import LoadedRun
from workbench.core.schemes import split_schemes

REQUIREMENTS_HEADER = (
    "# What the exported script imports, pinned to the versions installed where it was\n"
    "# exported: the versions the run was trained with.\n"
)


def build_document(run: LoadedRun) -> ScriptDocument:
    """The run as a ScriptDocument (not yet formatted)."""
    spec, dataset = run.spec, run.project.dataset
    if dataset is None:
        raise WorkbenchError(f"project '{run.project.name}' has no dataset")
    writer = CodeWriter()
    stages, imports = [], set()
    scheme = split_schemes()[spec.split.scheme]
    split_columns = [getattr(spec.split, scheme.column.setting)] if scheme.column else []
    used = list(dict.fromkeys([*spec.feature_names, spec.target, *split_columns]))
    constants = [
        f"DATA_FILE = {dataset.source_name!r}  # the file the run's data was imported from",
        f'MODEL_FILE = "model_{run.run_id}.joblib"',
        f"TARGET = {spec.target!r}",
        f"FEATURES = {list(spec.feature_names)!r}",
        f"SEED = {spec.seed!r}",
        f"METRIC = {spec.metric!r}  # the metric the run optimised and ranks by",
    ]
    if run.task == TaskType.BINARY:
        constants.append(f"POSITIVE = {run.positive!r}  # the class precision and recall are for")
    stages.append(
        Stage(
            "The run's settings",
            f"Run {run.run_id} ({run.model.label}) predicting '{spec.target}' "
            f"({run.task.value}). Pass another data file or model file on the command line (in the "
            "notebook, change DATA_FILE and MODEL_FILE).",
            "\n".join(constants),
        )
    )
    read, more = read_stage(dataset, used)
    imports |= more
    split, more = split_stage(spec.split, run.task, writer.bundle)
    imports |= more
    metrics, more = metrics_stage(run.task)
    imports |= more
    model, more = model_stages(run, writer)
    imports |= more
    imports |= writer.imports | writer.bundle.imports
    copied = writer.bundle.definitions
    if copied:
        stages.append(
            Stage(
                "The workbench's own steps",
                "Classes and helpers of ML Workbench that the chain uses, copied here as they "
                "are written, so this script needs no workbench installed.",
                "\n\n\n".join(copied),
            )
        )
    stages += [read, split, metrics, *model]
    module = script_file_name(run.run_id).removesuffix(".py")
    paragraphs = [
        SCRIPT_FIRST_LINE.removeprefix('"""').format(run_id=run.run_id)
        + f" {run.model.label} predicting "
        f"'{spec.target}' from {dataset.source_name}.",
        "Reads the original file with the options the import detected, applies the run's roles "
        "and chain, validates with the run's split and seed, fits the final model, scores the "
        "test rows and saves the fitted pipeline with joblib. Its validation and test metrics "
        "are the ones the run logged.",
        f"    python {script_file_name(run.run_id)} [DATA_FILE] [MODEL_FILE]",
        'The last line printed is one JSON object: {"validation": {metric: mean over folds}, '
        '"test": {metric: value}}.',
        "The saved pipeline uses classes defined in this file: load it where they are defined, "
        f"e.g. `from {module} import *` before `joblib.load(MODEL_FILE)`.",
    ]
    docstring = "\n\n".join(
        p if p.startswith("    ") else textwrap.fill(p, width=96) for p in paragraphs
    )
    docstring += "\n"
    imports.add(ImportLine("sys"))
    return ScriptDocument(
        docstring,
        imports,
        stages,
        main_arguments=[("data_file", "DATA_FILE"), ("model_file", "MODEL_FILE")],
    )


def check_no_workbench(text: str, where: str) -> None:
    """Refuse a script that would import the workbench (it must run without it)."""
    for node in ast.walk(ast.parse(text)):
        modules = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
        bad = [m for m in modules if is_workbench(m)]
        if bad:
            raise WorkbenchError(f"{where} would import {bad[0]}; scripts must run without it")


# Distributions published under another name on some platforms, the same release numbers:
# xgboost-cpu (no CUDA) has wheels for Linux and Windows only; on macOS plain xgboost is the
# CPU build. The script's requirements name both, each with its platform marker, so the file
# installs wherever the engineer runs it.
# name -> (the twin's name, the marker where `name` installs, the marker where the twin does).
PLATFORM_TWINS = {
    "xgboost-cpu": ("xgboost", 'sys_platform != "darwin"', 'sys_platform == "darwin"'),
}


def requirement_lines(name: str, version: str) -> list[str]:
    """The requirements.txt lines pinning `name` at `version` (two for a platform twin)."""
    twin = PLATFORM_TWINS.get(canonicalize_name(name))
    if twin is None:
        return [f"{name}=={version}"]
    other, here, there = twin
    return [f"{name}=={version}; {here}", f"{other}=={version}; {there}"]


def script_requirements(text: str) -> str:
    """requirements.txt for the script: what it imports, pinned from this environment."""
    modules = imported_modules(text)
    pins = pinned_distributions(modules, "the exported script", f"pip install {' '.join(modules)}")
    lines = [line for name, version in pins for line in requirement_lines(name, version)]
    return REQUIREMENTS_HEADER + "".join(f"{line}\n" for line in lines)


def write_script(run: LoadedRun, script: Path | None, notebook: Path | None = None) -> list[Path]:
    """Write the script and the notebook asked for, and requirements.txt beside the script
    (beside the notebook without one); the files written."""
    document = build_document(run)
    text = format_source(document.script())
    check_no_workbench(text, str(script or notebook))
    files: list[Path] = []
    if script is not None:
        write_text_atomic(Path(script), text)
        files.append(Path(script))
    if notebook is not None:
        from workbench.core.export.script.notebook import notebook_text

        write_text_atomic(Path(notebook), notebook_text(document, run.run_id))
        files.append(Path(notebook))
    if files:
        requirements = files[0].parent / REQUIREMENTS_FILE
        write_text_atomic(requirements, script_requirements(text))
        files.append(requirements)
    return files
