"""export_run on real runs: the files, the ONNX model's interface, the logged parity, the
refusals, what blocks a conversion, the joblib sidecar and the model card's numbers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import joblib
import numpy as np
import onnx
import pytest
from _runs import pipeline_of, schema_of
from sklearn.metrics import roc_auc_score

from workbench.core import dataset as dataset_module
from workbench.core.chain import model_chain as model_chain_module
from workbench.core.chain.resolve import resolve_chain
from workbench.core.chain.width import LabelCounts
from workbench.core.explain.limitations import limitation_sentences
from workbench.core.explain.run_explanations import slice_candidates
from workbench.core.explain.slices import slice_metrics
from workbench.core.export.export_run import (
    ExportRefused,
    ExportRequest,
    check_export,
    export_blockers,
    export_run,
)
from workbench.core.export.feature_schema import METADATA_KEY, FeatureSchema
from workbench.core.export.parity import SOURCE_SAMPLE
from workbench.core.kinds import TaskType
from workbench.core.models.catalog import get_model
from workbench.core.profile.store import profile_project_dataset
from workbench.core.project import open_project
from workbench.core.runs import loaded as loaded_module
from workbench.core.runs.loaded import LoadedRun
from workbench.core.runs.log import LOG_FILE, ExperimentLog, RunRecord
from workbench.core.specs import ChainSpec


@pytest.fixture(scope="module")
def penguins(trained: Callable) -> tuple[Path, str]:
    project = trained("penguins", ["logistic_regression"])
    return project.root, project.runs["logistic_regression"]


@pytest.fixture(scope="module")
def exported(penguins: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> tuple:
    out = tmp_path_factory.mktemp("penguins_export")
    request = ExportRequest(onnx=out / "onnx" / "model.onnx", joblib=out / "py" / "model.joblib")
    return out, export_run(*penguins, request)


def _record(root: Path, run_id: str) -> RunRecord:
    with ExperimentLog(root / LOG_FILE) as log:
        return log.run(run_id)


def test_the_requested_files_are_made(exported: tuple) -> None:
    out, result = exported
    assert sorted(p.relative_to(out).as_posix() for p in result.files) == [
        "onnx/README.md", "onnx/model.onnx", "onnx/model_card.md", "onnx/schema.json",
        "py/model.joblib", "py/model.joblib.json", "py/model_card.md",
    ]  # fmt: skip
    assert all(path.is_file() for path in result.files)


def test_the_onnx_model_has_one_input_per_column_and_the_schema(
    exported: tuple, penguins: tuple[Path, str]
) -> None:
    out, _ = exported
    model = onnx.load(out / "onnx" / "model.onnx")
    schema = FeatureSchema.load(out / "onnx" / "schema.json")
    assert schema == schema_of(*penguins)
    string, float32 = onnx.TensorProto.STRING, onnx.TensorProto.FLOAT
    inputs = {i.name: i.type.tensor_type for i in model.graph.input}
    assert list(inputs) == [c.input for c in schema.columns]
    assert inputs["island"].elem_type == string and inputs["sex"].elem_type == string
    assert inputs["body_mass_g"].elem_type == float32
    assert [d.dim_value for d in inputs["body_mass_g"].shape.dim][1] == 1
    outputs = {o.name: o.type.tensor_type for o in model.graph.output}
    assert list(outputs) == ["label", "probabilities"]
    assert outputs["label"].elem_type == string
    assert outputs["probabilities"].elem_type == float32
    metadata = {p.key: p.value for p in model.metadata_props}
    assert FeatureSchema.from_json(metadata[METADATA_KEY]) == schema
    assert json.loads(metadata["workbench.classes"]) == ["Adelie", "Chinstrap", "Gentoo"]
    assert metadata["workbench.run_id"] == penguins[1]
    assert model.producer_name == "ml-workbench"


def test_parity_is_on_the_test_rows_and_logged(exported: tuple, penguins: tuple[Path, str]) -> None:
    _, result = exported
    record = _record(*penguins)
    assert result.parity.rows == record.spec.rows.test == 69  # 20% of penguins' 344 rows
    assert result.parity.passed and result.parity.max_difference < 1e-4
    logged = record.params["export.parity"]
    assert logged["max_difference"] == result.parity.max_difference
    assert logged["label_agreement"] == 1.0 and logged["passed"] is True
    assert record.params["export.last"]["parity_passed"] is True


def test_the_joblib_sidecar_holds_the_sha256_and_versions(
    exported: tuple, penguins: tuple[Path, str]
) -> None:
    out, _ = exported
    copy = out / "py" / "model.joblib"
    sidecar = json.loads((out / "py" / "model.joblib.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256(copy.read_bytes()).hexdigest()
    assert sidecar["sha256"] == digest == _record(*penguins).artifacts["pipeline"].sha256
    assert set(sidecar["packages"]) == {
        "ml-workbench", "scikit-learn", "numpy", "pandas", "scipy", "joblib",
    }  # fmt: skip
    assert sidecar["packages"]["scikit-learn"] == _record(*penguins).env.packages["scikit-learn"]
    assert sidecar["features"][0] == "island" and sidecar["target"] == "species"
    frame = open_project(penguins[0]).load_frame()
    pipeline = joblib.load(copy)
    assert list(pipeline.predict(frame[sidecar["features"]].head(3))) == ["Adelie"] * 3


def test_the_model_card_states_the_real_numbers(
    exported: tuple, penguins: tuple[Path, str]
) -> None:
    out, result = exported
    card = (out / "onnx" / "model_card.md").read_text(encoding="utf-8")
    record = _record(*penguins)
    f1 = record.fold_summary("validation")["f1_macro"]
    assert f"| f1_macro | {f1['mean']:.4f} ± {f1['std']:.4f} | " in card
    assert f"{record.metrics['test']['f1_macro']:.4f} |" in card
    assert record.spec.dataset_sha256 in card
    # penguins.csv: 152 Adelie, 68 Chinstrap, 124 Gentoo
    assert "Adelie: 152 (44.2%), Chinstrap: 68 (19.8%), Gentoo: 124 (36.0%)" in card
    assert "imbalance: the rarest class 'Chinstrap' is 19.8% of the rows" in card
    assert result.parity.summary() in card
    assert "One-hot encode (added for the model) on `island`, `sex`" in card
    assert "scheme: stratified_kfold, 3 fold(s)" in card
    assert f"- scikit-learn {record.env.packages['scikit-learn']}" in card
    assert card == (out / "py" / "model_card.md").read_text(encoding="utf-8")


def test_the_card_lists_profile_alerts_no_step_fixed(trained: Callable, tmp_path: Path) -> None:
    project = trained("titanic", ["logistic_regression"])
    opened = open_project(project.root)
    profile = profile_project_dataset(project.root, opened.dataset, opened.target)
    run_id = project.runs["logistic_regression"]
    export_run(project.root, run_id, ExportRequest(onnx=tmp_path / "m.onnx"))
    card = (tmp_path / "model_card.md").read_text(encoding="utf-8")
    limitations = card.split("## Limitations")[1].split("## Versions")[0]
    deck = next(a for a in profile.alerts if a.columns == ("deck",))
    # deck is 77% missing; the model's one-hot keeps "missing" as a category but fixes nothing
    assert deck.message == "'deck' is missing in 688 rows (77%)."
    assert "- unfixed alert (warning): 'deck' is missing in 688 rows (77%)." in limitations
    assert "- unfixed alert (warning): 107 rows (12%) repeat an earlier row exactly." in limitations
    # the leak alert is about `alive`, which the project ignores: not the model's problem
    assert "alive" not in limitations
    # info alerts (skewed fare...) are left out
    assert "skewed" not in limitations
    # The largest gaps between slices of the data, measured on the out-of-fold predictions.
    with LoadedRun.open(project.root, run_id) as run:
        frame, oof, columns = run.training_frame, run.oof, slice_candidates(run)
    assert "alive" not in columns  # a copy of the target says nothing of the model
    sentences = limitation_sentences(
        [slice_metrics(frame, oof, c, TaskType.BINARY, [0, 1], 1) for c in columns]
    )
    assert len(sentences) == 6  # the three largest gaps, the three largest parity differences
    for sentence in sentences:
        assert f"- {sentence}\n" in limitations
    # The first: "By who: ROC AUC is 0.640 for who = man (426 rows) against ...", by hand.
    column, rest = sentences[0].removeprefix("By ").split(": ROC AUC is ", 1)
    worst = rest.split(" for ", 1)[1].split(f"{column} = ", 1)[1].split(" (", 1)[0]
    at = frame[column].astype(str).to_numpy()[oof["row"]] == worst
    auc = roc_auc_score(oof["y_true"][at], oof["proba_1"][at])
    assert rest.startswith(f"{auc:.3f} for {column} = {worst} ({at.sum()} rows)")


def test_a_run_without_a_test_set_is_checked_on_development_rows(
    trained: Callable, tmp_path: Path
) -> None:
    project = trained("penguins_no_test", ["logistic_regression"])
    run_id = project.runs["logistic_regression"]
    result = export_run(project.root, run_id, ExportRequest(onnx=tmp_path / "m.onnx", card=False))
    assert result.parity.source == SOURCE_SAMPLE
    assert result.parity.rows == 344  # every labelled row: fewer than the 2000-row sample
    assert result.parity.passed


def test_a_failed_parity_refuses_the_export_and_is_logged(
    penguins: tuple[Path, str], tmp_path: Path
) -> None:
    target = tmp_path / "refused.onnx"
    with pytest.raises(ExportRefused) as caught:
        export_run(*penguins, ExportRequest(onnx=target, threshold=0.0))
    message = str(caught.value)
    logged = _record(*penguins).params["export.parity"]
    assert logged["passed"] is False and logged["threshold"] == 0.0
    assert f"Largest probability difference {logged['max_difference']:.3g}" in message
    assert "threshold 0" in message and "on 69 test rows" in message
    assert not target.exists() and not (tmp_path / "model_card.md").exists()


def test_tied_neighbours_make_titanic_knn_fail_parity(trained: Callable, tmp_path: Path) -> None:
    project = trained("titanic", ["knn_classifier"])
    run_id = project.runs["knn_classifier"]
    assert export_blockers(project.root, run_id) == []
    with pytest.raises(ExportRefused, match="nearest-neighbour model picks among training rows"):
        export_run(project.root, run_id, ExportRequest(onnx=tmp_path / "knn.onnx"))
    logged = _record(project.root, run_id).params["export.parity"]
    assert logged["max_difference"] > 0.1  # one neighbour of five swapped: 0.2


def test_blockers_name_the_model(trained: Callable, tmp_path: Path) -> None:
    baseline = trained("penguins", ["dummy_classifier"])
    run_id = baseline.runs["dummy_classifier"]
    assert export_blockers(baseline.root, run_id) == [
        "model 'Baseline (no model)': A baseline for comparison; it is not exported."
    ]
    with pytest.raises(ExportRefused, match="cannot be exported to ONNX: model 'Baseline"):
        export_run(baseline.root, run_id, ExportRequest(onnx=tmp_path / "m.onnx"))
    # joblib still works for a run ONNX cannot take
    result = export_run(baseline.root, run_id, ExportRequest(joblib=tmp_path / "m.joblib"))
    assert result.parity is None
    assert [p.name for p in result.files] == ["m.joblib", "m.joblib.json", "model_card.md"]
    assert "Not checked: this export holds no ONNX model." in (
        tmp_path / "model_card.md"
    ).read_text(encoding="utf-8")


def test_multiclass_target_encoding_exports_with_parity(trained: Callable, tmp_path: Path) -> None:
    """Three species: one encoded column per class, each a LabelEncoder of the islands."""
    encoded = trained("penguins_target_encode", ["logistic_regression"])
    run_id = encoded.runs["logistic_regression"]
    assert export_blockers(encoded.root, run_id) == []
    result = export_run(encoded.root, run_id, ExportRequest(onnx=tmp_path / "m.onnx", card=False))
    assert result.parity is not None and result.parity.passed
    assert result.parity.max_difference <= 1e-5 and result.parity.label_agreement == 1.0


def test_the_converted_labels_are_the_real_class_values(trained: Callable, tmp_path: Path) -> None:
    """titanic's target is 0/1: the XGBoost label output gives int64 0/1, as the pipeline."""
    import onnxruntime as ort

    project = trained("titanic", ["xgboost_classifier"])
    run_id = project.runs["xgboost_classifier"]
    export_run(project.root, run_id, ExportRequest(onnx=tmp_path / "x.onnx", card=False))
    schema = FeatureSchema.load(tmp_path / "schema.json")
    assert schema.classes == (0, 1)
    session = ort.InferenceSession(str(tmp_path / "x.onnx"), providers=["CPUExecutionProvider"])
    frame = open_project(project.root).load_frame().head(20)
    labels, proba = session.run(None, schema.onnx_feeds(frame))
    pipeline = pipeline_of(project.root, run_id)
    assert labels.dtype == np.int64
    assert labels.ravel().tolist() == pipeline.predict(frame[schema.names]).tolist()
    assert labels.ravel().tolist() == np.argmax(proba, axis=1).tolist()


def test_a_docker_export_bundles_the_checked_model_and_its_card(
    trained: Callable, tmp_path: Path
) -> None:
    project = trained("penguins", ["xgboost_classifier"])
    run_id = project.runs["xgboost_classifier"]
    request = ExportRequest(onnx=tmp_path / "model.onnx", docker=tmp_path / "bundle")
    result = export_run(project.root, run_id, request)
    bundle = tmp_path / "bundle"
    assert {"model.onnx", "schema.json", "Dockerfile", "model_card.md"} <= {
        p.name for p in result.files if p.parent == bundle
    }
    # one conversion: the bundle serves the very file that passed the parity check
    assert (bundle / "model.onnx").read_bytes() == (tmp_path / "model.onnx").read_bytes()
    assert (bundle / "model_card.md").read_text(encoding="utf-8") == (
        tmp_path / "model_card.md"
    ).read_text(encoding="utf-8")
    assert FeatureSchema.load(bundle / "schema.json") == FeatureSchema.load(
        tmp_path / "schema.json"
    )


def test_the_card_lists_the_fitted_model_parameters(shared_data: Path, tmp_path: Path) -> None:
    from workbench.core.dataset import import_table
    from workbench.core.project import create_project
    from workbench.core.specs import ModelSpec, SplitSpec, TrainSpec
    from workbench.core.train.runner import run_training

    project = create_project(tmp_path / "penguins")
    project.attach_dataset(
        import_table(project.root, shared_data / "clean" / "penguins.csv", target="species")
    )
    project.save()
    spec = TrainSpec(
        models=(ModelSpec("xgboost_classifier", {"max_depth": 3}),),
        split=SplitSpec("holdout"),
        include_baseline=False,
        n_jobs=1,
    )
    (run,) = run_training(project.root, spec)
    rounds = pipeline_of(project.root, run.run_id).named_steps["model"].n_estimators
    assert rounds < 300  # early stopping cut the final fit's rounds
    assert _record(project.root, run.run_id).params["final.n_estimators"] == rounds
    export_run(project.root, run.run_id, ExportRequest(onnx=tmp_path / "out" / "m.onnx"))
    card = (tmp_path / "out" / "model_card.md").read_text(encoding="utf-8")
    model = card.split("## Model\n")[1].split("## Validation")[0]
    assert f"- Boosting rounds (`n_estimators`): {rounds} (early stopping)" in model
    assert "- Maximum depth (`max_depth`): 3 (set)" in model
    assert "- Learning rate (`learning_rate`): 0.1 (default)" in model
    assert "export." not in model and "notes" not in model


def test_a_scaler_before_a_tree_model_is_named_when_parity_fails(
    shared_data: Path, tmp_path: Path
) -> None:
    from workbench.core.dataset import import_table
    from workbench.core.project import create_project
    from workbench.core.specs import ChainSpec, ModelSpec, SplitSpec, StepSpec, TrainSpec
    from workbench.core.train.runner import run_training

    numbers = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm")
    project = create_project(tmp_path / "penguins")
    project.attach_dataset(
        import_table(project.root, shared_data / "clean" / "penguins.csv", target="species")
    )
    # The chain the README's screenshots use: fine for a linear model, not for trees.
    project.set_chain(
        ChainSpec((StepSpec("impute", numbers), StepSpec("one_hot", ("island", "sex")),
                   StepSpec("scale", numbers)))
    )  # fmt: skip
    project.save()
    spec = TrainSpec(
        models=(ModelSpec("xgboost_classifier"),),
        split=SplitSpec("stratified_kfold", n_splits=5),
        include_baseline=False,
        n_jobs=1,
    )
    (run,) = run_training(project.root, spec)
    check = check_export(project.root, run.run_id)  # what the Export panel shows before
    assert check.blockers == []
    assert len(check.warnings) == 1
    assert check.warnings[0].startswith("The chain's 'Scale' step recomputes numbers")
    with pytest.raises(ExportRefused) as refused:
        export_run(project.root, run.run_id, ExportRequest(onnx=tmp_path / "m.onnx"))
    message = str(refused.value)
    assert "does not predict what the workbench predicted" in message
    assert (
        "Likely cause: the chain's 'Scale' step recomputes numbers before a tree model" in message
    )
    assert not (tmp_path / "m.onnx").exists()


def test_an_export_opens_the_project_and_the_log_once_and_hashes_the_data_once(
    penguins: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    real_open, real_init, real_sha256 = (
        loaded_module.open_project, ExperimentLog.__init__, dataset_module.data_file_sha256,
    )  # fmt: skip
    monkeypatch.setattr(
        loaded_module, "open_project", lambda root: opened.append("project") or real_open(root)
    )
    monkeypatch.setattr(
        ExperimentLog,
        "__init__",
        lambda log, path: opened.append("log") or real_init(log, path),
    )
    monkeypatch.setattr(
        dataset_module, "data_file_sha256", lambda path: opened.append("data") or real_sha256(path)
    )
    request = ExportRequest(
        onnx=tmp_path / "model.onnx", docker=tmp_path / "docker", joblib=tmp_path / "m.joblib"
    )
    result = export_run(*penguins, request)
    assert result.parity.passed and (tmp_path / "docker" / "model_card.md").is_file()
    assert sorted(opened) == ["data", "log", "project"]


def test_the_card_shows_the_chain_the_run_recorded_after_the_defaults_changed(
    penguins: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This version's defaults change after training: the model would get no default steps now.
    monkeypatch.setattr(
        model_chain_module, "default_model_chain", lambda model, kinds, many: ChainSpec()
    )
    project = open_project(penguins[0])
    model = get_model("logistic_regression", project.task)
    user = resolve_chain(project.chain, project.feature_kinds(), "species")
    now = model_chain_module.model_chain(user, model, LabelCounts({}, {}))
    assert now.chain == project.chain  # nothing added for the model any more
    export_run(*penguins, ExportRequest(onnx=tmp_path / "m.onnx"))
    card = (tmp_path / "model_card.md").read_text(encoding="utf-8")
    chain = card.split("## Preprocessing chain\n")[1].split("## Model")[0]
    # ...but the card describes the pipeline the pickle holds: the steps compiled at training.
    assert chain.strip().splitlines() == [
        "1. Fill missing values (added for the model) on `bill_length_mm`, `bill_depth_mm`, "
        "`flipper_length_mm`, `body_mass_g` (strategy=median)",
        "2. One-hot encode (added for the model) on `island`, `sex`",
        "3. Scale (added for the model) on `bill_length_mm`, `bill_depth_mm`, "
        "`flipper_length_mm`, `body_mass_g` (method=standard)",
    ]
