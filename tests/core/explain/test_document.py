"""The explain JSON document: the keys the command line prints, strict JSON throughout."""

from __future__ import annotations

import json

import pandas as pd

from workbench.core.explain.contributions import explain_predictions
from workbench.core.explain.document import explain_document
from workbench.core.explain.partial_dependence import partial_dependence_curve
from workbench.core.explain.slices import slice_metrics
from workbench.core.kinds import TaskType


def test_document_of_a_binary_run(titanic) -> None:
    pipeline = titanic.pipeline("random_forest_classifier")
    rows = titanic.X.iloc[:20]
    shap = explain_predictions(pipeline, rows, TaskType.BINARY)
    data = pd.read_parquet(next((titanic.root / "data").glob("*.parquet")))
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
