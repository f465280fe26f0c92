"""The exported service's POST /drift against `workbench monitor --json` on the same rows.

The bundle's service runs with uvicorn on a loopback port (tests/_serve_runs.py's bundles,
trained once a session); the same batch goes through the CLI as a CSV file and through
/drift as records. The column statistics, validation and the scoring of labelled rows come from
the same code (the bundle's `batch_checks/` is workbench.core.batch_checks) and must be equal to
the number; the prediction drift, and the scores computed from probabilities or predicted
values, are measured on the ONNX model's outputs in the service and on the fitted pipeline's in
the workbench, which parity holds within float32's rounding.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _serve_runs import Service, TrainedRun, exported_bundle, import_service

from workbench.cli.main import main
from workbench.core.export.docker_bundle import request_records
from workbench.core.export.feature_schema import FeatureSchema
from workbench.core.kinds import TaskType
from workbench.core.metrics.names import metrics_for
from workbench.core.metrics.scores import score_all
from workbench.core.runs.loaded import LoadedRun

pytestmark = pytest.mark.shared_data
Served = tuple[TrainedRun, FeatureSchema, Service]


def served(name: str, env: dict[str, str] | None = None) -> Any:
    """A module fixture: `name`'s run, its bundle's schema and its service, running."""

    def serve(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
        trained, folder = exported_bundle(name, shared_data, tmp_path_factory)
        with Service(folder, env=env or {}) as service:
            yield trained, FeatureSchema.load(folder / "schema.json"), service

    return pytest.fixture(scope="module")(serve)


titanic = served("titanic")
penguins = served("penguins")
diamonds = served("diamonds")
SMALL_LIMIT = 2048
small_limit = served("penguins", {"MAX_BODY_BYTES": str(SMALL_LIMIT)})


def held_out(trained: TrainedRun, columns: list[str]) -> pd.DataFrame:
    """The run's test rows (never trained on), the model's columns only."""
    with LoadedRun.open(trained.project, trained.run_id) as loaded:
        frame = loaded.frame.iloc[loaded.test_rows()].reset_index(drop=True)
    return frame[columns]


def drift(service: Service, records: list[dict[str, Any]]) -> tuple[int, Any]:
    return service.post("/drift", {"records": records})


def monitor_json(
    trained: TrainedRun, frame: pd.DataFrame, path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, Any]:
    frame.to_csv(path, index=False)
    code = main(["monitor", str(trained.project), trained.run_id, str(path), "--json", "--no-keep"])
    return code, json.loads(capsys.readouterr().out)


def test_drift_answers_the_report_workbench_monitor_prints(
    titanic: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trained, schema, service = titanic
    frame = held_out(trained, schema.names)
    assert len(frame) == 179
    # Problems for validation to find: an age beyond training's, a town it never saw.
    frame.loc[[3, 7], "age"] = 120.0
    frame.loc[5, "embark_town"] = "Atlantis"
    code, cli = monitor_json(trained, frame, tmp_path / "held_out.csv", capsys)
    status, served_ = drift(service, request_records(schema, frame))
    assert status == 200, served_
    assert served_["rows"] == cli["rows"] == 179
    # The columns and validation: the same code on the same values, equal to the last digit.
    assert served_["columns"] == cli["columns"]
    assert served_["validation"] == cli["validation"]
    problems = [
        (p["column"], p["check"], p["count"], p["rows"]) for p in cli["validation"]["problems"]
    ]
    assert problems == [
        ("age", "out_of_range", 2, [4, 8]),
        ("embark_town", "unseen_category", 1, [6]),
    ]
    same = ("format", "version", "run_id", "reference_rows", "options", "tests", "alpha_per_test")
    assert {k: served_[k] for k in same} == {k: cli[k] for k in same}
    assert set(served_) == set(cli)  # no `metrics`: the batch holds no target
    # This test set's decks differ from training's by chance (44 rows with a deck, A at 20%
    # against 4%): both say so, with the same numbers.
    assert [c["name"] for c in cli["columns"] if c["drifted"]] == ["deck"]
    assert served_["drifted"] is cli["drifted"] is True and code == 1
    # The predictions: the ONNX model's in the service, the pipeline's in the workbench.
    names = [p["name"] for p in served_["prediction_drift"]]
    assert names == [p["name"] for p in cli["prediction_drift"]] == ["prediction", "proba_1"]
    assert served_["prediction_drift"][0] == cli["prediction_drift"][0]  # classes: exact
    ours, theirs = served_["prediction_drift"][1], cli["prediction_drift"][1]
    assert ours["rows"] == theirs["rows"] == 179
    assert ours["statistic"] == pytest.approx(theirs["statistic"], abs=1 / 179)
    assert ours["drifted"] is theirs["drifted"] is False


def test_a_held_out_slice_has_not_drifted(penguins: Served) -> None:
    trained, schema, service = penguins
    frame = held_out(trained, schema.names)
    status, report = drift(service, request_records(schema, frame))
    assert status == 200, report
    assert (report["rows"], report["drifted"], report["validation"]["blocking"]) == (
        69,
        False,
        False,
    )
    assert [c["name"] for c in report["columns"]] == schema.names
    assert {c["test"] for c in report["columns"]} == {"ks", "chi2"}
    assert all(c["p_value"] is not None and not c["drifted"] for c in report["columns"])
    outputs = [p["name"] for p in report["prediction_drift"]]
    assert outputs == ["prediction", "proba_Adelie", "proba_Chinstrap", "proba_Gentoo"]
    assert report["tests"] == 6 + 4
    assert report["alpha_per_test"] == pytest.approx(0.05 / 10)


def test_a_shifted_column_is_reported_alone(penguins: Served) -> None:
    trained, schema, service = penguins
    frame = held_out(trained, schema.names)
    frame["bill_depth_mm"] = frame["bill_depth_mm"] * 1.3
    status, report = drift(service, request_records(schema, frame))
    assert status == 200, report
    assert [c["name"] for c in report["columns"] if c["drifted"]] == ["bill_depth_mm"]
    depth = next(c for c in report["columns"] if c["name"] == "bill_depth_mm")
    assert depth["test"] == "ks" and depth["psi"] >= 0.2 and depth["distance"] >= 0.1
    assert depth["note"].startswith("drifted: PSI")
    assert report["drifted"] is True
    depths = [p for p in report["validation"]["problems"] if p["column"] == "bill_depth_mm"]
    assert [p["check"] for p in depths] == ["out_of_range"]
    assert depths[0]["count"] > 10


def labelled_records(
    schema: FeatureSchema, frame: pd.DataFrame, target: str
) -> list[dict[str, Any]]:
    """The rows as records, each with its target value as JSON gives it."""
    records = request_records(schema, frame[schema.names])
    for record, value in zip(records, frame[target].tolist(), strict=True):
        record[target] = None if pd.isna(value) else value
    return records


def same_metrics(
    served_: dict[str, Any], cli: dict[str, Any], exact: set[str], curves: float = 0.0
) -> None:
    """The service's `metrics` are the monitor's: every field equal, the scores of `exact`
    (computed from the predicted classes, which the ONNX model and the pipeline share) to the
    last digit; the others are computed from the ONNX model's float32 outputs in the service
    and from the pipeline's float64 ones in the workbench, so they agree within that rounding,
    and ROC / PR AUC within `curves` (a forest's averaged votes tie in one and not the other)."""
    assert {k: v for k, v in served_.items() if k != "metrics"} == {
        k: v for k, v in cli.items() if k != "metrics"
    }
    assert [m["name"] for m in served_["metrics"]] == [m["name"] for m in cli["metrics"]]
    for ours, theirs in zip(served_["metrics"], cli["metrics"], strict=True):
        if ours["name"] in exact or ours["batch"] is None:
            assert ours == theirs, ours["name"]
            continue
        assert {k: v for k, v in ours.items() if k != "batch"} == {
            k: v for k, v in theirs.items() if k != "batch"
        }
        close = curves if ours["name"] in ("roc_auc", "pr_auc") else 0.0
        assert ours["batch"] == pytest.approx(theirs["batch"], rel=1e-6, abs=close), ours["name"]


def onnx_scores(
    service: Service, records: list[dict[str, Any]], target: str, schema: FeatureSchema
) -> dict[str, float]:
    """score_all (the experiment log's scikit-learn scoring) of the ONNX model's own answers
    (/predict) for the records whose target is a value the model knows."""
    known = [r for r in records if r[target] is not None and r[target] != "expensive"]
    if schema.classes is not None:
        known = [r for r in known if r[target] in schema.classes]
    status, answer = service.post("/predict", {"records": known})
    assert status == 200, answer
    truth = [r[target] for r in known]
    labels = [p["prediction"] for p in answer["predictions"]]
    if schema.classes is None:
        return score_all(TaskType.REGRESSION, truth, labels).scores
    classes = list(schema.classes)
    proba = np.array([[p["probabilities"][str(c)] for c in classes] for p in answer["predictions"]])
    task = TaskType.BINARY if len(classes) == 2 else TaskType.MULTICLASS
    positive = 1 if task == TaskType.BINARY else None
    return score_all(task, truth, labels, proba, classes, positive).scores


def assert_onnx_scores(served_: dict[str, Any], expected: dict[str, float]) -> None:
    """Every score the service gives is scikit-learn's on the model outputs it scored."""
    scored = {m["name"]: m["batch"] for m in served_["metrics"] if m["batch"] is not None}
    assert set(scored) == set(expected)
    for name, value in scored.items():
        assert value == pytest.approx(expected[name], rel=1e-12, abs=1e-12), name


LABEL_METRICS = {
    "accuracy", "balanced_accuracy", "precision", "recall", "f1", "precision_macro",
    "recall_macro", "f1_macro", "precision_weighted", "recall_weighted", "f1_weighted", "mcc",
}  # fmt: skip


def test_a_labelled_batch_gets_the_metrics_workbench_monitor_prints(
    titanic: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trained, schema, service = titanic
    frame = held_out(trained, [*schema.names, "survived"])
    code, cli = monitor_json(trained, frame, tmp_path / "labelled.csv", capsys)
    status, served_ = drift(service, labelled_records(schema, frame, "survived"))
    assert status == 200, served_
    assert served_["columns"] == cli["columns"]
    assert served_["validation"] == cli["validation"]
    assert "survived" not in {p["column"] for p in served_["validation"]["problems"]}
    assert set(served_) == set(cli) and "metrics" in served_
    metrics = served_["metrics"]
    assert (metrics["rows"], metrics["folds"], metrics["metric"]) == (179, 1, "roc_auc")
    same_metrics(metrics, cli["metrics"], LABEL_METRICS, curves=2e-3)
    records = labelled_records(schema, frame, "survived")
    assert_onnx_scores(metrics, onnx_scores(service, records, "survived", schema))
    assert metrics["skipped"] == {}
    scored = {m["name"]: m for m in metrics["metrics"]}
    assert set(scored) == {*LABEL_METRICS, "roc_auc", "pr_auc", "log_loss", "brier"}
    assert all(m["batch"] is not None for m in scored.values())
    # One hold-out validation fold: no spread, so no interval and nothing is called worse.
    assert all(m["low"] is m["high"] is None and not m["worse"] for m in scored.values())
    assert metrics["degraded"] is False
    assert served_["drifted"] is cli["drifted"]
    assert code == (1 if cli["drifted"] else 0)


def test_a_multiclass_batch_with_unknown_classes(
    penguins: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A species the model never saw is the target's validation problem in both, and those
    rows are left out of the scores; a missing species is neither scored nor a problem."""
    trained, schema, service = penguins
    frame = held_out(trained, [*schema.names, "species"])
    frame.loc[[2, 4], "species"] = "Emperor"
    frame.loc[6, "species"] = None
    _, cli = monitor_json(trained, frame, tmp_path / "emperors.csv", capsys)
    status, served_ = drift(service, labelled_records(schema, frame, "species"))
    assert status == 200, served_
    assert served_["validation"] == cli["validation"]
    (problem,) = [p for p in served_["validation"]["problems"] if p["column"] == "species"]
    assert problem == {
        "column": "species",
        "message": "target 'species' holds values that are not classes of the model: "
        "'Emperor'; those rows are not scored",
        "blocking": False,
        "check": "unseen_category",
        "count": 2,
        "rows": [3, 5],
        "values": ["Emperor"],
    }
    assert served_["metrics"]["rows"] == cli["metrics"]["rows"] == 69 - 3
    same_metrics(served_["metrics"], cli["metrics"], LABEL_METRICS)
    records = labelled_records(schema, frame, "species")
    assert_onnx_scores(served_["metrics"], onnx_scores(service, records, "species", schema))
    assert [m["name"] for m in served_["metrics"]["metrics"]] == list(
        metrics_for(TaskType.MULTICLASS)
    )


def test_a_regression_batch_with_text_in_its_target(
    diamonds: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Text in a numeric target is the target's problem, named with its value, in both; the
    other rows are scored, and every score is the monitor's (a ridge regression's float32
    outputs within their rounding)."""
    trained, schema, service = diamonds
    frame = held_out(trained, [*schema.names, "price"]).head(300)
    frame["price"] = frame["price"].astype(object)
    frame.loc[[1, 9], "price"] = "expensive"
    _, cli = monitor_json(trained, frame, tmp_path / "prices.csv", capsys)
    status, served_ = drift(service, labelled_records(schema, frame, "price"))
    assert status == 200, served_
    (problem,) = [p for p in served_["validation"]["problems"] if p["column"] == "price"]
    assert (problem["check"], problem["count"], problem["rows"], problem["values"]) == (
        "wrong_type",
        2,
        [2, 10],
        ["expensive"],
    )
    assert problem["message"] == (
        "target 'price' holds values that are not numbers: 'expensive'; those rows are not scored"
    )
    assert served_["validation"] == cli["validation"]
    assert served_["metrics"]["rows"] == cli["metrics"]["rows"] == 298
    same_metrics(served_["metrics"], cli["metrics"], set())
    records = labelled_records(schema, frame, "price")
    assert_onnx_scores(served_["metrics"], onnx_scores(service, records, "price", schema))
    assert served_["metrics"]["skipped"] == {}


def test_unlabelled_records_get_no_metrics(penguins: Served) -> None:
    trained, schema, service = penguins
    status, report = drift(service, request_records(schema, held_out(trained, schema.names)))
    assert status == 200, report
    assert "metrics" not in report


def test_a_renamed_column_is_refused_naming_it(penguins: Served) -> None:
    trained, schema, service = penguins
    frame = held_out(trained, schema.names).rename(columns={"bill_length_mm": "bill_length"})
    records = [
        {**record, "bill_length": value}
        for record, value in zip(
            request_records(schema, frame.assign(bill_length_mm=0.0)),
            frame["bill_length"],
            strict=True,
        )
    ]
    for record in records:
        del record["bill_length_mm"]
    status, answer = drift(service, records)
    assert status == 422
    assert answer["errors"][0] == "records.0.bill_length_mm: Field required"
    assert len(answer["errors"]) == 69


def test_bad_values_are_refused_as_predict_refuses_them(penguins: Served) -> None:
    trained, schema, service = penguins
    records = request_records(schema, held_out(trained, schema.names).head(3))
    records[2]["body_mass_g"] = "heavy"
    status, answer = drift(service, records)
    assert status == 422
    assert answer["errors"] == [
        "records.2.body_mass_g: 'heavy' is not a number: send a JSON number, or text such as "
        "'1234.5'"
    ]
    status, answer = drift(service, [])
    assert status == 422
    assert answer["errors"] == ["records: List should have at least 1 item after validation, not 0"]


def test_the_body_size_limit_holds_for_drift(small_limit: Served) -> None:
    trained, schema, service = small_limit
    records = request_records(schema, held_out(trained, schema.names))
    status, answer = drift(service, records)
    assert status == 413
    (line,) = answer["errors"]
    assert f"is larger than MAX_BODY_BYTES ({SMALL_LIMIT} bytes)" in line
    status, answer = drift(service, records[:3])
    assert status == 200 and answer["rows"] == 3


def test_the_service_refuses_another_runs_reference(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    _, penguins_folder = exported_bundle("penguins", shared_data, tmp_path_factory)
    titanic_run, titanic_folder = exported_bundle("titanic", shared_data, tmp_path_factory)
    reference = str(titanic_folder / "monitor_reference.json")
    done = import_service(penguins_folder, {"REFERENCE_PATH": reference})
    assert done.returncode != 0
    assert f"is the reference of run '{titanic_run.run_id}', not of this model's run" in done.stderr


def test_the_service_refuses_intervals_it_cannot_use(
    shared_data: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The intervals were computed at export at drift_options.json's interval_level (scipy's
    t, which the service has not): another level, or another run's file, stops it at startup
    naming the file."""
    _, penguins_folder = exported_bundle("penguins", shared_data, tmp_path_factory)
    titanic_run, titanic_folder = exported_bundle("titanic", shared_data, tmp_path_factory)
    performance = str(titanic_folder / "performance_reference.json")
    done = import_service(penguins_folder, {"PERFORMANCE_PATH": performance})
    assert done.returncode != 0
    assert (
        f"is the performance reference of run '{titanic_run.run_id}', not of this model's run"
        in done.stderr
    )
    options = json.loads((penguins_folder / "drift_options.json").read_text(encoding="utf-8"))
    edited = tmp_path / "drift_options.json"
    edited.write_text(json.dumps({**options, "interval_level": 0.9}), encoding="utf-8")
    done = import_service(penguins_folder, {"DRIFT_OPTIONS_PATH": str(edited)})
    assert done.returncode != 0
    assert "holds the intervals at level 0.95, but the interval_level of the thresholds is 0.9" in (
        done.stderr
    )
    own = json.loads((penguins_folder / "performance_reference.json").read_text(encoding="utf-8"))
    damaged = tmp_path / "performance_reference.json"
    damaged.write_text(json.dumps({**own, "metrics": [{"name": "accuracy"}]}), encoding="utf-8")
    done = import_service(penguins_folder, {"PERFORMANCE_PATH": str(damaged)})
    assert done.returncode != 0
    assert "metrics[0] is not a metric's reference" in done.stderr
