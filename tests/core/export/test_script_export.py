"""The exported Python script reproduces its run: logistic regression (linear regression for the
regression), random forest and XGBoost on three shared datasets (titanic with a random search,
credit with a group split, insurance as a regression). Each script runs in a child Python that
cannot import the workbench; it prints the logged validation and test metrics to 6 decimals and
its saved model predicts what the run's pipeline predicts. So do the soft-voting ensembles of
titanic's and insurance's runs, written as their members' pipelines and fits averaged with the
run's weights; a stacking ensemble is refused with the reason. The scripts pass ruff; the notebook
holds the same code; requirements.txt pins what the script imports. One test installs a fresh
venv from requirements.txt alone (cached per requirements hash in pytest's cache).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import nbformat
import numpy as np
import pytest
from _shared_cache import built_once, lock_for
from packaging.requirements import Requirement

from workbench.core.automl.ensemble import ensemble_runs
from workbench.core.automl.stacking import stack_runs
from workbench.core.errors import WorkbenchError
from workbench.core.export.export_run import ExportRequest, export_run
from workbench.core.export.script.formatting import ruff_binary
from workbench.core.export.script.write import write_script
from workbench.core.project import open_project
from workbench.core.runs.loaded import LoadedRun
from workbench.core.specs import ChainSpec, ModelSpec, SplitSpec, StepSpec, TrainSpec, TuneSpec
from workbench.core.train.runner import run_training

# The module's fixture trains 10 runs before the first test: on a busy 2-core machine that
# alone can pass the suite's 300 s per-test limit, and the fresh venv installs for minutes.
pytestmark = [pytest.mark.shared_data, pytest.mark.slow, pytest.mark.timeout(1800)]


@dataclass(frozen=True)
class Case:
    file: str
    target: str
    split: SplitSpec
    models: tuple[str, ...]
    ignore: tuple[str, ...] = ()
    tune: TuneSpec = field(default_factory=TuneSpec)
    chain: tuple[StepSpec, ...] = ()
    # The soft-voting ensemble of the case's runs with these weights (one per model), exported
    # like them under the name ENSEMBLE.
    ensemble: tuple[float, ...] = ()


CASES = {
    "titanic": Case(
        "titanic.csv",
        "survived",
        SplitSpec("stratified_kfold", n_splits=3),
        ("logistic_regression", "random_forest", "xgboost"),
        ignore=("alive",),
        tune=TuneSpec(method="random", n_trials=3),
        ensemble=(0.25, 0.25, 0.5),
    ),
    "credit": Case(
        "modeldata_credit_data.csv",
        "Status",
        SplitSpec("group_kfold", n_splits=3, group_column="Home"),
        ("logistic_regression", "random_forest", "xgboost"),
    ),
    # The workbench's own steps, copied into the script: outliers clipped, a signed log, rare
    # categories grouped, target and hash encoding, a crossed feature, a missing-value flag,
    # bins, a selection, and row steps (oversampling, dropping duplicates) on training rows.
    "titanic_chain": Case(
        "titanic.csv",
        "survived",
        SplitSpec("stratified_kfold", n_splits=3),
        ("logistic_regression",),
        ignore=("alive",),
        chain=tuple(
            StepSpec(name, columns)
            for name, columns in (
                ("impute", ("age",)),
                ("clip_outliers", ("fare",)),
                ("log1p", ("fare",)),
                ("group_rare", ("deck",)),
                ("target_encode", ("embark_town",)),
                ("missing_indicator", ("age",)),
                ("feature_cross", ("sex", "class")),
                ("oversample", ()),
                ("drop_duplicates", ()),
                ("bin", ("age",)),
                ("hash", ("embarked",)),
                ("select_k_best", ()),
            )
        ),
    ),
    "insurance": Case(
        "insurance.csv",
        "charges",
        SplitSpec("kfold", n_splits=3),
        ("linear_regression", "random_forest", "xgboost"),
        ensemble=(0.2, 0.3, 0.5),
    ),
}
# Small forests and boosters: the scripts train every fold again.
SMALL = {"random_forest": {"n_estimators": 15}, "xgboost": {"n_estimators": 40}}
ENSEMBLE = "soft_voting"
RUNS = [
    (case, model)
    for case, spec in CASES.items()
    for model in (*spec.models, *((ENSEMBLE,) if spec.ensemble else ()))
]
IDS = [f"{case}-{model}" for case, model in RUNS]

# The child Python: the workbench made unimportable, the script run as a program; then its
# saved model loaded as the script's docstring says and asked about every row of the data.
RUN_SCRIPT = """
import runpy, sys
sys.modules["workbench"] = None  # `import workbench` now raises ImportError
script = sys.argv[1]
sys.argv = [script]  # the script sees itself as argv[0], and no arguments
runpy.run_path(script, run_name="__main__")
if script.startswith("train_"):
    import joblib, numpy as np
    sys.path.insert(0, ".")
    exec(f"from {script[:-3]} import *")
    model = joblib.load(MODEL_FILE)
    X = read_data(DATA_FILE)[FEATURES]
    method = getattr(model, "predict_proba", None) or model.predict
    np.save("predictions.npy", np.asarray(method(X), dtype=np.float64))
"""


# What a script run leaves in its folder (and the lock guarding it), not copied elsewhere.
_OUTPUTS = shutil.ignore_patterns("*.joblib", "*.npy", "output.json", "*.lock")


@dataclass(frozen=True)
class Exported:
    root: Path
    run_id: str
    folder: Path
    script: Path
    notebook: Path


def _train_and_export(base: Path, shared_data: Path) -> dict[str, str]:
    """Train every case's runs under `base` and export each as a script and a notebook;
    "case/model" -> run id."""
    from _projects import make_project

    run_ids = {}
    for name, case in CASES.items():
        root = make_project(
            base / name / "project", shared_data / "clean" / case.file, case.target, case.ignore
        )
        if case.chain:
            project = open_project(root)
            project.chain = ChainSpec(case.chain)
            project.save()
        spec = TrainSpec(
            models=tuple(ModelSpec(m, SMALL.get(m, {})) for m in case.models),
            split=case.split,
            tune=case.tune,
            seed=0,
            n_jobs=1,
            include_baseline=False,
        )
        results = run_training(root, spec)
        assert [r.status for r in results] == ["finished"] * len(case.models)
        for model, result in zip(case.models, results, strict=True):
            folder = base / name / model
            folder.mkdir()
            shutil.copy(shared_data / "clean" / case.file, folder / case.file)
            script = folder / f"train_{model}.py"
            notebook = folder / f"train_{model}.ipynb"
            request = ExportRequest(script=script, notebook=notebook)
            files = export_run(root, result.run_id, request).files
            assert files == [script, notebook, folder / "requirements.txt"]
            run_ids[f"{name}/{model}"] = result.run_id
        if case.ensemble:
            members = [run_ids[f"{name}/{model}"] for model in case.models]
            ensemble = ensemble_runs(root, members, case.ensemble)
            assert ensemble.status == "finished"
            folder = base / name / ENSEMBLE
            folder.mkdir()
            shutil.copy(shared_data / "clean" / case.file, folder / case.file)
            request = ExportRequest(
                script=folder / f"train_{ENSEMBLE}.py", notebook=folder / f"train_{ENSEMBLE}.ipynb"
            )
            export_run(root, ensemble.run_id, request)
            run_ids[f"{name}/{ENSEMBLE}"] = ensemble.run_id
    return run_ids


@pytest.fixture(scope="module")
def exported(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """(case, model) -> the run exported as a script and a notebook, its data file beside it.
    Trained once per test session, whichever worker asks first (_shared_cache): the tests only
    read these folders, and the scripts run once each under a lock."""
    base, run_ids = built_once(
        tmp_path_factory, "script-export", lambda folder: _train_and_export(folder, shared_data)
    )
    found = {}
    for key, run_id in run_ids.items():
        name, model = key.split("/")
        folder = base / name / model
        found[name, model] = Exported(
            base / name / "project",
            run_id,
            folder,
            folder / f"train_{model}.py",
            folder / f"train_{model}.ipynb",
        )
    return found


def _run(args: list[str], cwd: Path, python: str = sys.executable) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [python, "-I", *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _script_output(item: Exported) -> dict:
    """The script's last line of output, parsed. The script runs once per test session, in
    its shared folder, under a lock: the other worker waits, then reads the saved output."""
    saved = item.folder / "output.json"
    with lock_for(item.folder, "script-run"):
        if not saved.exists():
            done = _run(["-c", RUN_SCRIPT, item.script.name], item.folder)
            saved.write_text(done.stdout.strip().splitlines()[-1], encoding="utf-8")
    return json.loads(saved.read_text(encoding="utf-8"))


def _logged(item: Exported) -> dict:
    with LoadedRun.open(item.root, item.run_id) as run:
        return {part: dict(run.record.metrics[part]) for part in ("validation", "test")}


def _assert_same_metrics(printed: dict, logged: dict) -> None:
    for part in ("validation", "test"):
        assert sorted(printed[part]) == sorted(logged[part]), part
        for metric, value in logged[part].items():
            assert f"{printed[part][metric]:.6f}" == f"{value:.6f}", (part, metric)


@pytest.mark.parametrize(("case", "model"), RUNS, ids=IDS)
def test_the_script_prints_the_logged_metrics(exported: dict, case: str, model: str) -> None:
    item = exported[case, model]
    printed = _script_output(item)
    logged = _logged(item)
    assert len(logged["validation"]) >= 6 and len(logged["test"]) >= 6
    _assert_same_metrics(printed, logged)


@pytest.mark.parametrize(("case", "model"), RUNS, ids=IDS)
def test_the_saved_model_predicts_what_the_run_predicts(
    exported: dict, case: str, model: str
) -> None:
    item = exported[case, model]
    _script_output(item)  # the script has saved its model and predicted
    predicted = np.load(item.folder / "predictions.npy")
    with LoadedRun.open(item.root, item.run_id) as run:
        pipeline, X = run.pipeline, run.X
        expected = pipeline.predict_proba(X) if hasattr(pipeline, "predict_proba") else None
        if expected is None:
            expected = pipeline.predict(X)
    assert predicted.shape == np.asarray(expected).shape
    assert predicted.shape[0] == len(X)
    np.testing.assert_allclose(predicted, expected, rtol=1e-9, atol=1e-12)


def _workbench_imports(text: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "workbench"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "workbench":
            found.append(node.module or "")
    return found


@pytest.mark.parametrize(("case", "model"), RUNS, ids=IDS)
def test_the_script_passes_ruff_and_imports_no_workbench(
    exported: dict, case: str, model: str, repo_root: Path
) -> None:
    item = exported[case, model]
    text = item.script.read_text(encoding="utf-8")
    assert _workbench_imports(text) == []
    ruff = ruff_binary()
    assert ruff is not None
    # The repository's own rule set, applied to the script alone.
    config = ["--config", str(repo_root / "pyproject.toml")]
    checked = subprocess.run(
        [ruff, "check", *config, "--no-cache", str(item.script)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout
    formatted = subprocess.run(
        [ruff, "format", *config, "--check", "--no-cache", str(item.script)],
        capture_output=True,
        text=True,
    )
    assert formatted.returncode == 0, formatted.stdout


def test_a_script_reads_like_its_run(exported: dict) -> None:
    """Named steps, the winners of the search, the split's column, the copied classes."""
    titanic = exported["titanic", "xgboost"].script.read_text(encoding="utf-8")
    assert titanic.startswith(
        f'"""Reproduce ML Workbench run {exported["titanic", "xgboost"].run_id}:'
    )
    assert "winners of the run's random search" in titanic
    assert "class XGBClassifierLabels(ClassifierMixin, _XGBoostBase):" in titanic
    assert "def xgboost_rounds(" in titanic  # early stopping, as the run did it
    assert "StratifiedKFold(n_splits=N_SPLITS, shuffle=True, random_state=SEED)" in titanic
    credit = exported["credit", "logistic_regression"].script.read_text(encoding="utf-8")
    assert "GROUP_COLUMN = 'Home'" in credit or 'GROUP_COLUMN = "Home"' in credit
    assert "GroupKFold(n_splits=N_SPLITS)" in credit and "GroupShuffleSplit(" in credit
    assert "LogisticRegression(" in credit and "def xgboost_rounds(" not in credit
    chain = exported["titanic_chain", "logistic_regression"].script.read_text(encoding="utf-8")
    copied = ("ClipOutliers", "RareCategoryGrouper", "HashEncoder", "FeatureCross", "TargetFolds")
    for name in copied:
        assert f"\nclass {name}(" in chain or f"\nclass {name}:" in chain
    assert "\ndef oversample_rows(" in chain
    assert "X, y = oversample_rows(X, y, " in chain and "X, y = drop_duplicates(X, y, " in chain
    insurance = exported["insurance", "random_forest"].script.read_text(encoding="utf-8")
    assert "RandomForestRegressor(" in insurance and '"rmse": lambda' in insurance
    assert "KFold(n_splits=N_SPLITS, shuffle=True, random_state=SEED)" in insurance


def test_an_ensembles_script_fits_each_member_as_its_run_then_averages(exported: dict) -> None:
    titanic = exported["titanic", ENSEMBLE].script.read_text(encoding="utf-8")
    for number in (1, 2, 3):
        assert f"\ndef build_member_{number}() -> Pipeline:" in titanic
        assert f"\ndef fit_member_{number}(X: pd.DataFrame, y: pd.Series) -> Pipeline:" in titanic
    assert "\ndef build_pipeline(" not in titanic
    assert "WEIGHTS = [0.25, 0.25, 0.5]" in titanic
    assert 'VotingClassifier(members, voting="soft", weights=WEIGHTS)' in titanic
    assert "def xgboost_rounds(" in titanic  # the XGBoost member stops early, as its run did
    assert "LogisticRegression(" in titanic and "RandomForestClassifier(" in titanic
    notes = " ".join(line.removeprefix("# ") for line in titanic.splitlines())
    for number, model in enumerate(CASES["titanic"].models, start=1):
        assert f"Member {number}, " in notes
        assert f"(run {exported['titanic', model].run_id}, weight " in notes
    assert "with its search's winners (" in notes  # the members' random search
    insurance = exported["insurance", ENSEMBLE].script.read_text(encoding="utf-8")
    assert "VotingRegressor(members, weights=WEIGHTS)" in insurance
    assert "WEIGHTS = [0.2, 0.3, 0.5]" in insurance


def test_a_stacking_ensemble_is_refused_a_script_with_the_reason(
    exported: dict, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from workbench.cli.main import main

    # A copy: the shared projects are only read.
    root = shutil.copytree(exported["insurance", "xgboost"].root, tmp_path / "project")
    members = [exported["insurance", model].run_id for model in CASES["insurance"].models]
    stacked = stack_runs(root, members)
    assert stacked.status == "finished"
    script = tmp_path / "out" / "train.py"
    assert main(["export", str(root), stacked.run_id, "--script", str(script)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(
        f"workbench: error: run {stacked.run_id} is a stacking ensemble, which cannot be "
        "written as a script: its validation comes from a meta-learner cross-fitted on every "
        "fold's predictions."
    )
    assert not script.exists()
    with (
        pytest.raises(WorkbenchError, match="cannot be written as a script"),
        LoadedRun.open(root, stacked.run_id) as run,
    ):
        write_script(run, tmp_path / "direct.py")


def test_the_notebook_holds_the_scripts_stages_and_runs(exported: dict, tmp_path: Path) -> None:
    item = exported["credit", "xgboost"]
    notebook = nbformat.read(item.notebook, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata["workbench"] == {"run_id": item.run_id}
    kinds = [cell.cell_type for cell in notebook.cells]
    # The docstring, the imports, then a markdown cell before every stage's code.
    assert kinds[:2] == ["markdown", "code"]
    assert kinds[2:] == ["markdown", "code"] * ((len(kinds) - 2) // 2)
    titles = [c.source.splitlines()[0] for c in notebook.cells[2:] if c.cell_type == "markdown"]
    assert titles == [
        "## The run's settings",
        "## The workbench's own steps",
        "## Read the data",
        "## Split the rows",
        "## Metrics",
        "## The chain and the model",
        "## Fitting",
        "## Read and split",
        "## Cross-validate",
        "## Fit, test and save",
    ]
    code = "\n\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert _workbench_imports(code) == []
    # In a copy of the folder: the cells save the model where the shared script does.
    folder = shutil.copytree(item.folder, tmp_path / "notebook", ignore=_OUTPUTS)
    (folder / "notebook_cells.py").write_text(code, encoding="utf-8")
    done = _run(["-c", RUN_SCRIPT, "notebook_cells.py"], folder)
    _assert_same_metrics(json.loads(done.stdout.strip().splitlines()[-1]), _logged(item))


def _pins(folder: Path) -> dict[str, str]:
    """requirements.txt's pins that apply on this platform (their markers evaluated)."""
    lines = (folder / "requirements.txt").read_text(encoding="utf-8").splitlines()
    pins = {}
    for line in lines:
        if line and not line.startswith("#"):
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate():
                (pin,) = requirement.specifier
                assert pin.operator == "=="
                pins[requirement.name] = pin.version
    return pins


def test_requirements_pin_what_the_script_imports_as_installed(exported: dict) -> None:
    boosted = _pins(exported["titanic", "xgboost"].folder)
    for name in ("pandas", "numpy", "scikit-learn", "joblib", "scipy"):
        assert boosted[name] == metadata.version(name)
    xgboost = next(name for name in boosted if name.startswith("xgboost"))
    assert boosted[xgboost] == metadata.version(xgboost)
    # xgboost-cpu has no macOS wheels: there the same release of plain xgboost is asked for.
    lines = (exported["titanic", "xgboost"].folder / "requirements.txt").read_text().splitlines()
    version = boosted[xgboost]
    assert f'xgboost-cpu=={version}; sys_platform != "darwin"' in lines
    assert f'xgboost=={version}; sys_platform == "darwin"' in lines
    plain = _pins(exported["titanic", "logistic_regression"].folder)
    assert not any(name.startswith("xgboost") for name in plain)
    assert "PySide6" not in plain and "ml-workbench" not in plain and "onnx" not in plain


def test_the_cli_exports_a_script_and_refuses_another_runs(
    exported: dict, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from workbench.cli.main import main

    first, second = exported["insurance", "xgboost"], exported["insurance", "random_forest"]
    script, notebook = tmp_path / "train.py", tmp_path / "train.ipynb"
    args = [str(first.root), first.run_id, "--script", str(script), "--notebook", str(notebook)]
    assert main(["export", *args]) == 0
    out = capsys.readouterr().out
    assert str(script) in out and str(tmp_path / "requirements.txt") in out
    assert script.read_text(encoding="utf-8") == first.script.read_text(encoding="utf-8")
    assert main(["export", *args]) == 0  # the same run's script is replaced without asking
    capsys.readouterr()
    other = [str(second.root), second.run_id, "--script", str(script)]
    assert main(["export", *other]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert captured.err.strip().endswith(
        f"{script}, {tmp_path / 'requirements.txt'} hold run "
        f"{first.run_id}'s export: pass --replace to overwrite them"
    )
    assert main(["export", *other, "--replace"]) == 0
    assert f"run {second.run_id}:" in script.read_text(encoding="utf-8").splitlines()[0]


LIST_DISTRIBUTIONS = (
    "import importlib.metadata as m; print(*(d.metadata['Name'] for d in m.distributions()))"
)


def _normal(name: str) -> str:
    """A distribution name as the index compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _venv_of_the_pins(venv: Path, pins: dict[str, str]) -> Path:
    """A new venv holding exactly the distributions `requirements.txt` pins, at those versions,
    their files hard-linked (copied across file systems) from this environment: no network,
    seconds instead of minutes. It proves the script needs nothing else (no workbench, no
    package the pins forget); WORKBENCH_FRESH_VENV=pip installs them with pip instead, from
    the package index, to prove the pins resolve there too."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    )  # fmt: skip
    for name, version in pins.items():
        installed = metadata.distribution(name)
        assert installed.version == version, (name, installed.version, version)
        for file in installed.files or ():
            if file.parts[0] == "..":  # console scripts in bin/: the script needs none
                continue
            target = site / file
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(installed.locate_file(file), target)
            except OSError:
                shutil.copy2(installed.locate_file(file), target)
    return python


def _venv_by_pip(venv: Path, requirements: Path) -> Path:
    """A new venv with requirements.txt installed by pip from the package index."""
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    install = [str(python), "-m", "pip", "install", "-q", "-r", str(requirements)]
    done = subprocess.run(install, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return python


@pytest.mark.fresh_venv
def test_a_fresh_venv_with_only_the_requirements_reproduces_the_run(
    exported: dict, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The XGBoost script with a search, in a venv that holds only what its requirements.txt
    pins (cached per requirements hash across test sessions)."""
    item = exported["titanic", "xgboost"]
    requirements = item.folder / "requirements.txt"
    by_pip = os.environ.get("WORKBENCH_FRESH_VENV") == "pip"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]
    venv = (
        Path(request.config.cache.mkdir("script-venvs"))
        / f"{digest}-{'pip' if by_pip else 'linked'}"
    )
    python = venv / "bin" / "python"
    if not (venv / "installed").exists():
        shutil.rmtree(venv, ignore_errors=True)
        if by_pip:
            _venv_by_pip(venv, requirements)
        else:
            _venv_of_the_pins(venv, _pins(item.folder))
        (venv / "installed").write_text(requirements.read_text(encoding="utf-8"))
    listed = subprocess.run(
        [str(python), "-I", "-c", LIST_DISTRIBUTIONS], capture_output=True, text=True, check=True
    )
    names = {_normal(line) for line in listed.stdout.split()} - {"pip", "setuptools"}
    assert names == {_normal(name) for name in _pins(item.folder)}
    assert "ml-workbench" not in names and "pyside6-essentials" not in names
    folder = shutil.copytree(item.folder, tmp_path / "script", ignore=_OUTPUTS)
    done = _run([item.script.name], folder, python=str(python))
    _assert_same_metrics(json.loads(done.stdout.strip().splitlines()[-1]), _logged(item))


def test_a_parquet_datasets_script_reads_it_with_the_pinned_engine(
    shared_data: Path, tmp_path: Path
) -> None:
    """R arrow's penguins Parquet file: the script reads it with fastparquet, which its
    requirements.txt pins (pandas alone reads no Parquet), and prints the logged metrics."""
    from _projects import make_project

    source = shared_data / "clean" / "penguins_R_arrow.parquet"
    root = make_project(tmp_path / "project", source, "species")
    spec = TrainSpec(
        models=(ModelSpec("logistic_regression"),),
        split=SplitSpec("stratified_kfold", n_splits=3),
        n_jobs=1,
        include_baseline=False,
    )
    (result,) = run_training(root, spec)
    folder = tmp_path / "script"
    folder.mkdir()
    shutil.copy(source, folder / source.name)
    script = folder / "train.py"
    export_run(root, result.run_id, ExportRequest(script=script))
    assert "fastparquet.ParquetFile(path).to_pandas()" in script.read_text(encoding="utf-8")
    assert _pins(folder)["fastparquet"] == metadata.version("fastparquet")
    done = _run(["-c", RUN_SCRIPT, script.name], folder)
    item = Exported(root, result.run_id, folder, script, folder / "train.ipynb")
    _assert_same_metrics(json.loads(done.stdout.strip().splitlines()[-1]), _logged(item))
