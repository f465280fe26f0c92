"""The fitted pipeline as a joblib file for Python users, with a JSON sidecar.

The sidecar (`<file>.json`) says what the file is and what loading it needs: its sha256 (check
it before unpickling: a pickle runs code), the versions of the packages it was made with (a
pickle from another scikit-learn version may load wrongly or not at all), and the feature
columns it takes. The pipeline holds workbench transformers, so `ml-workbench` itself is one of
the packages.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from workbench.core.atomic import atomic_path, write_json_atomic
from workbench.core.errors import WorkbenchError

SIDECAR_FORMAT = "workbench-joblib"
# Packages every pipeline needs; xgboost only when the model is one.
_NEEDED = ("workbench", "scikit-learn", "numpy", "pandas", "scipy", "joblib")


def sidecar_path(target: Path) -> Path:
    return target.with_name(target.name + ".json")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_joblib(project_root: str | Path, run_id: str, target: str | Path) -> list[Path]:
    """Copy the run's verified pipeline to `target` and write its sidecar; both paths back."""
    from workbench.core.runs.log import LOG_FILE, ExperimentLog

    root, target = Path(project_root), Path(target)
    with ExperimentLog(root / LOG_FILE) as log:
        source = log.verify_artifact(run_id, "pipeline")
        record = log.run(run_id)
    expected = record.artifacts["pipeline"].sha256
    try:
        with atomic_path(target) as tmp:
            shutil.copyfile(source, tmp)
            if file_sha256(tmp) != expected:
                raise WorkbenchError(f"the copy of {source} does not match its sha256")
    except OSError as error:
        raise WorkbenchError(f"cannot write {target}: {error.strerror or error}") from error
    sidecar = sidecar_path(target)
    write_json_atomic(sidecar, sidecar_payload(record, target.name, expected))
    return [target, sidecar]


def sidecar_payload(record: Any, file_name: str, sha256: str) -> dict[str, Any]:
    packages: dict[str, str] = dict(record.env.get("packages", {}))
    model = str(record.params.get("model", ""))
    names = list(_NEEDED) + (["xgboost"] if model.startswith("xgboost") else [])
    needed = {name: packages[name] for name in names if name in packages}
    if "workbench" in needed:
        needed["ml-workbench"] = needed.pop("workbench")
    return {
        "format": SIDECAR_FORMAT,
        "version": 1,
        "file": file_name,
        "sha256": sha256,
        "run_id": record.run_id,
        "model": model,
        "task": record.spec.get("task"),
        "target": record.spec.get("target"),
        "features": list(record.spec.get("features", [])),
        "dataset_sha256": record.dataset_sha256,
        "python": record.env.get("python"),
        "packages": needed,
        "load": (
            "check the file's sha256 against 'sha256', then joblib.load(file); predict with "
            "a pandas DataFrame holding the 'features' columns"
        ),
    }


def read_sidecar(path: str | Path) -> dict[str, Any]:
    """A sidecar's content (for checks before loading the pickle)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise WorkbenchError(f"cannot read the joblib sidecar {path}: {error}") from error
    if not isinstance(data, dict) or data.get("format") != SIDECAR_FORMAT:
        raise WorkbenchError(f"{path} is not a workbench joblib sidecar")
    return data
