"""LoadedRun on real runs: what it reads and when, the held-out rows, the data check, and a
project whose log was written before RunSpec opening for results, export and the report."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _projects import make_project

from workbench.core import dataset as dataset_module
from workbench.core.chain import model_chain as model_chain_module
from workbench.core.errors import WorkbenchError
from workbench.core.export.export_run import ExportRequest, export_run
from workbench.core.kinds import TaskType
from workbench.core.project import open_project
from workbench.core.report.document import report_html
from workbench.core.runs.facts import gather_facts
from workbench.core.runs.loaded import LoadedRun
from workbench.core.runs.log import LOG_FILE
from workbench.core.runs.result_jobs import load_plot_data
from workbench.core.runs.spec import RunSpec
from workbench.core.specs import ChainSpec, ModelSpec, SplitSpec, StepSpec, TrainSpec
from workbench.core.train.runner import run_training

V1_RUN = json.loads((Path(__file__).parent / "data" / "logged_v1_run.json").read_text("utf-8"))
REBUILT_WARNING = "This run was logged before runs recorded their compiled chain"


def test_what_is_read_when(penguins, monkeypatch: pytest.MonkeyPatch) -> None:
    """Predictions need neither the data nor the pickle; each is read once when asked for."""
    hashed: list[Path] = []
    real_sha256 = dataset_module.data_file_sha256
    monkeypatch.setattr(
        dataset_module,
        "data_file_sha256",
        lambda path: hashed.append(Path(path)) or real_sha256(path),
    )
    run_id = penguins.runs["decision_tree_classifier"]
    with LoadedRun.open(penguins.root, run_id) as run:
        predictions = run.predictions
        assert predictions.classes == ["Adelie", "Chinstrap", "Gentoo"]
        assert "pipeline" not in vars(run) and "frame" not in vars(run) and hashed == []
        assert run.X.shape == (344, 6) and run.y.name == "species"
        assert run.frame is run.training_frame and len(hashed) == 1  # the Parquet, once
        pipeline = run.pipeline
        assert run.pipeline is pipeline
        assert pipeline.predict(run.X.iloc[run.test_rows()]).tolist() == run.test["y_pred"].tolist()
    assert len(hashed) == 1


def test_the_held_out_rows(penguins, insurance) -> None:
    with LoadedRun.open(penguins.root, penguins.runs["xgboost_classifier"]) as run:
        rows = run.test_rows()
        assert rows.tolist() == sorted(run.test["row"].tolist()) and rows.size == 69
        development = run.development_rows()
        assert np.intersect1d(rows, development).size == 0
        assert rows.size + development.size == 344
    with LoadedRun.open(insurance.root, insurance.runs["ridge"]) as run:
        assert run.test is None and run.test_rows().size == 0  # hold-out only, no test set
        assert run.development_rows().size == 335


def test_the_run_is_described_by_what_it_recorded(penguins) -> None:
    with LoadedRun.open(penguins.root, penguins.runs["xgboost_classifier"]) as run:
        assert run.task == TaskType.MULTICLASS and run.name == "XGBoost"
        assert run.model.name == "xgboost_classifier" and not run.chain_rebuilt
        assert run.features == open_project(penguins.root).feature_kinds()
        assert run.chain is run.spec.chain
        assert [step.step for step, added in run.chain.steps() if added] == ["one_hot"]


def test_data_changed_since_the_run_is_refused_where_it_matters(penguins, tmp_path: Path) -> None:
    root = Path(shutil.copytree(penguins.root, tmp_path / "penguins"))
    project_file = root / "project.json"
    data = json.loads(project_file.read_text())
    data["dataset"]["data_sha256"] = "0" * 64
    project_file.write_text(json.dumps(data))
    with LoadedRun.open(root, penguins.runs["decision_tree_classifier"]) as run:
        assert len(run.predictions.oof) == 275  # the run's own files still read
        with pytest.raises(WorkbenchError, match="dataset changed since run"):
            assert run.X is not None


def test_open_refuses_what_is_not_a_run_id(penguins) -> None:
    with pytest.raises(WorkbenchError, match="not a run id"):
        LoadedRun.open(penguins.root, "../../etc")


# ---- a project whose log was written before RunSpec ----------------------------------------


@pytest.fixture(scope="module")
def older_project(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """The run of tests/core/runs/data/logged_v1_run.json, trained again here (same data,
    chain, model, split and seed), then its row rewritten to what the older runner stored.
    Returns (root, run_id, the spec this version recorded before the rewrite)."""
    root = make_project(
        tmp_path_factory.mktemp("older") / "penguins",
        shared_data / "clean" / "penguins.csv",
        "species",
    )
    project = open_project(root)
    project.set_chain(ChainSpec((StepSpec("impute", ("bill_length_mm",), {"strategy": "median"}),)))
    project.save()
    spec = TrainSpec(
        models=(ModelSpec("logistic_regression", {"C": 0.5}),),
        split=SplitSpec("stratified_kfold", n_splits=3, test_fraction=0.2),
        seed=0,
        n_jobs=1,
        include_baseline=False,
    )
    (result,) = run_training(root, spec)
    with LoadedRun.open(root, result.run_id) as run:
        recorded = run.spec
    assert recorded.rows.to_dict() == V1_RUN["rows"]  # the same training as the stored one
    with sqlite3.connect(root / LOG_FILE) as conn:
        conn.execute(
            "UPDATE runs SET spec_json = ?, rows_json = ?, env_json = ? WHERE run_id = ?",
            (json.dumps(V1_RUN["spec"]), json.dumps(V1_RUN["rows"]), json.dumps(V1_RUN["env"]),
             result.run_id),
        )  # fmt: skip
    conn.close()
    return root, result.run_id, recorded


def test_an_older_run_opens_with_its_chain_rebuilt(older_project: tuple) -> None:
    root, run_id, recorded = older_project
    with LoadedRun.open(root, run_id) as run:
        assert run.chain_rebuilt and run.spec.chain.compiled is None
        assert {feature.kind for feature in run.spec.features} == {None}
        # Completed from the project and this version's defaults: what a new run records.
        assert run.features == {f.name: f.kind for f in recorded.features}
        assert run.chain == recorded.chain
        assert run.spec.model == recorded.model and run.spec.metric == recorded.metric
        assert run.record.env.python == "3.11.7"


def test_an_older_run_has_results_an_export_and_a_report(older_project: tuple, tmp_path) -> None:
    root, run_id, _ = older_project
    (numbers,) = load_plot_data(root, [run_id])
    assert numbers.metric == "f1_macro" and numbers.classes == ["Adelie", "Chinstrap", "Gentoo"]
    result = export_run(root, run_id, ExportRequest(onnx=tmp_path / "model.onnx"))
    assert result.parity.passed and result.parity.rows == 69
    card = (tmp_path / "model_card.md").read_text(encoding="utf-8")
    chain = card.split("## Preprocessing chain")[1].split("## Model")[0]
    assert REBUILT_WARNING in chain
    assert "Scale (added for the model) on `bill_depth_mm`, `flipper_length_mm`" in chain
    with LoadedRun.open(root, run_id) as run:
        facts = gather_facts(run)
    assert facts.chain_rebuilt and facts.rows.test == 69
    assert REBUILT_WARNING in report_html(facts, [])


def test_new_defaults_change_only_a_rebuilt_chain(
    older_project: tuple, penguins, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the model defaults change, a run that recorded its chain still shows it; a run
    that did not shows this version's (and says so)."""
    monkeypatch.setattr(
        model_chain_module, "default_model_chain", lambda model, kinds, many: ChainSpec()
    )
    root, run_id, _ = older_project
    with LoadedRun.open(root, run_id) as run:
        assert run.chain.added_for_model == (False,)  # rebuilt: no defaults now
    with LoadedRun.open(penguins.root, penguins.runs["decision_tree_classifier"]) as run:
        assert True in run.chain.added_for_model  # recorded: as trained


def test_spec_json_of_a_new_run_is_version_2(penguins) -> None:
    with sqlite3.connect(penguins.root / LOG_FILE) as conn:
        (text,) = conn.execute(
            "SELECT spec_json FROM runs WHERE run_id = ?",
            (penguins.runs["decision_tree_classifier"],),
        ).fetchone()
    conn.close()
    stored = json.loads(text)
    assert stored["version"] == 2 and RunSpec.from_dict(stored).model.name.startswith("decision")
    assert pd.Series([f["kind"] for f in stored["features"]]).notna().all()
