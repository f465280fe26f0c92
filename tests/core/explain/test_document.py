"""The explain JSON document: the keys the command line prints, strict JSON throughout."""

from __future__ import annotations

import json
import subprocess
import sys

from workbench.core.explain.contributions import explain_predictions
from workbench.core.explain.document import explain_document
from workbench.core.explain.limitations import limitation_sentences
from workbench.core.explain.partial_dependence import partial_dependence_curve
from workbench.core.explain.slices import slice_metrics
from workbench.core.kinds import TaskType
from workbench.core.parquet_frames import read_frame_parquet


def test_document_of_a_binary_run(titanic) -> None:
    pipeline = titanic.pipeline("random_forest_classifier")
    rows = titanic.X.iloc[:20]
    shap = explain_predictions(pipeline, rows, TaskType.BINARY)
    data = read_frame_parquet(next((titanic.root / "data").glob("*.parquet")))
    oof = titanic.oof("random_forest_classifier")
    # Deck G has 4 rows, all in one fold: no spread across folds (null, not NaN).
    slices = slice_metrics(data, oof, "deck", TaskType.BINARY, list(pipeline.classes_))
    pdp = partial_dependence_curve(pipeline, rows, "fare", TaskType.BINARY)
    document = json.loads(json.dumps(explain_document(shap, slices, pdp), allow_nan=False))
    assert list(document) == ["shap", "importance", "slices", "pdp"]
    assert document["shap"]["base_value"] == shap.outputs[0].base_value
    assert len(document["shap"]["rows"]) == 20
    assert document["importance"] == shap.importance()
    assert list(document["importance"]) == list(shap.importance())  # most important first
    assert document["slices"]["column"] == "deck"
    deck_g = next(g for g in document["slices"]["groups"] if g["value"] == "G")
    assert deck_g["count"] == 4 and deck_g["folds"] == 1
    assert deck_g["fold_std"]["accuracy"] is None
    # 19 distinct fares among the 20 rows: fewer than the grid's 20 points, so the fares.
    assert document["pdp"]["column"] == "fare"
    assert document["pdp"]["grid"] == sorted(rows["fare"].unique().tolist())
    assert explain_document() == {"shap": None, "importance": None, "slices": None, "pdp": None}


def test_reading_results_loads_no_machine_learning_library(titanic, tmp_path) -> None:
    # The window shows explanations a job computed: reading them back, and the card's
    # sentences, must not cost it scikit-learn's import (over a second) or fairlearn's.
    pipeline = titanic.pipeline("random_forest_classifier")
    data = read_frame_parquet(next((titanic.root / "data").glob("*.parquet")))
    slices = slice_metrics(
        data, titanic.oof("random_forest_classifier"), "sex", TaskType.BINARY, [0, 1]
    )
    document = explain_document(
        explain_predictions(pipeline, titanic.X.iloc[:3], TaskType.BINARY),
        slices,
        partial_dependence_curve(pipeline, titanic.X.iloc[:30], "sex", TaskType.BINARY),
    )
    path = tmp_path / "explain.json"
    path.write_text(json.dumps(document))
    script = f"""
import json, sys
from workbench.core.explain.contributions import ShapExplanation
from workbench.core.explain.limitations import limitation_sentences
from workbench.core.explain.partial_dependence import PartialDependence
from workbench.core.explain.slices import SliceReport
document = json.loads(open({str(path)!r}).read())
ShapExplanation.from_dict(document["shap"]).importance()
PartialDependence.from_dict(document["pdp"])
sentences = limitation_sentences([SliceReport.from_dict(document["slices"])])
loaded = {{name.split(".")[0] for name in sys.modules}}
heavy = sorted(loaded & {{"sklearn", "scipy", "xgboost", "fairlearn"}})
print(json.dumps([heavy, sentences]))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    heavy, sentences = json.loads(done.stdout)
    assert heavy == []
    assert sentences == limitation_sentences([slices])
