"""Which files an export would replace, and whose they were."""

from __future__ import annotations

import json
from pathlib import Path

from workbench.core.export.export_run import ExportRequest
from workbench.core.export.replaced_files import ReplacedExport, replaced_export


def _request(folder: Path) -> ExportRequest:
    return ExportRequest(onnx=folder / "model.onnx", joblib=folder / "pipeline.joblib")


def test_an_empty_folder_or_the_same_runs_export_replaces_nothing_to_ask_about(
    tmp_path: Path,
) -> None:
    assert replaced_export(_request(tmp_path / "missing"), "run-a") is None
    assert replaced_export(_request(tmp_path), "run-a") is None
    (tmp_path / "model.onnx").write_bytes(b"onnx")
    (tmp_path / "schema.json").write_text(json.dumps({"run_id": "run-a"}))
    (tmp_path / "model_card.md").write_text("# card")
    assert replaced_export(_request(tmp_path), "run-a") is None


def test_another_runs_files_are_listed_with_its_run(tmp_path: Path) -> None:
    (tmp_path / "model.onnx").write_bytes(b"onnx")
    (tmp_path / "schema.json").write_text(json.dumps({"run_id": "run-a"}))
    (tmp_path / "model_card.md").write_text("# card")
    assert replaced_export(_request(tmp_path), "run-b") == ReplacedExport(
        [tmp_path / "model.onnx", tmp_path / "schema.json", tmp_path / "model_card.md"], "run-a"
    )
    # Without the card, the card is not in the way.
    request = ExportRequest(onnx=tmp_path / "model.onnx", card=False)
    assert replaced_export(request, "run-b").files == [
        tmp_path / "model.onnx",
        tmp_path / "schema.json",
    ]


def test_files_of_unknown_origin_are_in_the_way_too(tmp_path: Path) -> None:
    (tmp_path / "pipeline.joblib").write_bytes(b"pickle")
    assert replaced_export(_request(tmp_path), "run-b") == ReplacedExport(
        [tmp_path / "pipeline.joblib"], ""
    )
    (tmp_path / "pipeline.joblib.json").write_text("{not json")
    assert replaced_export(_request(tmp_path), "run-b").run_id == ""
    docker = ExportRequest(docker=tmp_path / "docker", card=False)
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "schema.json").write_text(json.dumps({"run_id": "run-c"}))
    assert replaced_export(docker, "run-b") == ReplacedExport(
        [tmp_path / "docker" / "schema.json"], "run-c"
    )
