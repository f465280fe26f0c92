"""The fitted pipeline as a joblib file for Python users, with a JSON sidecar.

The sidecar (`<file>.json`) says what the file is and what loading it needs: its sha256 (check
it before unpickling: a pickle runs code), the versions of the packages it was made with (a
pickle from another scikit-learn version may load wrongly or not at all), and the feature
columns it takes. The pipeline holds workbench transformers, so `ml-workbench` itself is one of
the packages.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.core.atomic import atomic_path, write_json_atomic
from workbench.core.errors import WorkbenchError
from workbench.core.file_digest import file_sha256

if TYPE_CHECKING:
    from workbench.core.runs.loaded import LoadedRun

SIDECAR_FORMAT = "workbench-joblib"
# Packages every pipeline needs; xgboost only when the model is one.
_NEEDED = ("workbench", "scikit-learn", "numpy", "pandas", "scipy", "joblib")


def sidecar_path(target: Path) -> Path:
    return target.with_name(target.name + ".json")


def export_joblib(run: LoadedRun, target: str | Path) -> list[Path]:
    """Copy the run's verified pipeline to `target` and write its sidecar; both paths back."""
    target = Path(target)
    source = run.pipeline_file()
    expected = run.record.artifacts["pipeline"].sha256
    try:
        with atomic_path(target) as tmp:
            shutil.copyfile(source, tmp)
            if file_sha256(tmp) != expected:
                raise WorkbenchError(f"the copy of {source} does not match its sha256")
    except OSError as error:
        raise WorkbenchError(f"cannot write {target}: {error.strerror or error}") from error
    sidecar = sidecar_path(target)
    write_json_atomic(sidecar, sidecar_payload(run, target.name, expected))
    return [target, sidecar]


def sidecar_payload(run: LoadedRun, file_name: str, sha256: str) -> dict[str, Any]:
    spec, packages = run.spec, run.record.env.packages
    model = spec.model.name
    names = list(_NEEDED) + (["xgboost"] if model.startswith("xgboost") else [])
    needed = {name: packages[name] for name in names if name in packages}
    if "workbench" in needed:
        needed["ml-workbench"] = needed.pop("workbench")
    return {
        "format": SIDECAR_FORMAT,
        "version": 1,
        "file": file_name,
        "sha256": sha256,
        "run_id": run.run_id,
        "model": model,
        "task": spec.task.value,
        "target": spec.target,
        "features": spec.feature_names,
        "dataset_sha256": spec.dataset_sha256,
        "python": run.record.env.python,
        "packages": needed,
        "load": (
            "check the file's sha256 against 'sha256', then joblib.load(file); predict with "
            "a pandas DataFrame holding the 'features' columns"
        ),
    }
