"""Batch prediction from a run and from an exported ONNX file, on the shared datasets."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import onnx
import pandas as pd
import pytest
from _runs import pipeline_of
from _serve_runs import exported_onnx, trained_run

from workbench.core.errors import SchemaError, WorkbenchError
from workbench.core.export.predict import (
    BatchPrediction,
    predict_file,
    predict_file_onnx,
    spreadsheet_safe,
)
from workbench.core.parquet_frames import read_frame_parquet
from workbench.core.progress import Cancelled, CancelToken
from workbench.core.project import open_project
from workbench.core.runs.loaded import LoadedRun

pytestmark = pytest.mark.shared_data
Factory = pytest.TempPathFactory


def predict_run(project: Path, run_id: str, *args: object, **kwargs: object) -> BatchPrediction:
    """predict_file with the run opened as `workbench predict` opens it."""
    with LoadedRun.open(project, run_id) as run:
        return predict_file(run, *args, **kwargs)  # type: ignore[arg-type]


def _test_rows(project: Path, run_id: str) -> pd.DataFrame:
    return read_frame_parquet(project / "runs" / run_id / "test_predictions.parquet")


def test_a_run_predicts_what_it_predicted_in_training(
    shared_data: Path, tmp_path_factory: Factory, tmp_path: Path
) -> None:
    run = trained_run("penguins", shared_data, tmp_path_factory)
    seen: list[float] = []
    result = predict_run(
        run.project,
        run.run_id,
        shared_data / "clean" / "penguins.csv",
        tmp_path / "out.csv",
        progress=lambda fraction, _: seen.append(fraction),
    )
    classes = ["Adelie", "Chinstrap", "Gentoo"]
    columns = ["row", "prediction", *(f"proba_{c}" for c in classes)]
    assert (result.path, result.rows, result.columns, result.keys) == (
        tmp_path / "out.csv", 344, columns, ["row"]
    )  # fmt: skip
    assert seen[-1] == 1.0 and seen == sorted(seen)
    out = pd.read_csv(tmp_path / "out.csv")
    assert list(out.columns) == columns
    assert out["row"].tolist() == list(range(1, 345))
    # The held-out rows: the same labels and probabilities the run logged (`row` there is
    # 0-based, here it is the file's 1-based row number).
    logged = _test_rows(run.project, run.run_id)
    assert len(logged) == 69
    mine = out.set_index("row").loc[logged["row"] + 1]
    assert mine["prediction"].tolist() == logged["y_pred"].tolist()
    for name in classes:
        np.testing.assert_allclose(mine[f"proba_{name}"], logged[f"proba_{name}"], atol=1e-12)
    np.testing.assert_allclose(out.filter(like="proba_").sum(axis=1), 1.0, atol=1e-9)


def test_onnx_predicts_the_same_and_writes_parquet(
    shared_data: Path, tmp_path_factory: Factory, tmp_path: Path
) -> None:
    run, model = exported_onnx("titanic", shared_data, tmp_path_factory)
    source = shared_data / "clean" / "titanic.csv"
    by_run = predict_run(run.project, run.run_id, source, tmp_path / "run.parquet")
    by_onnx = predict_file_onnx(model, source, tmp_path / "onnx.parquet")
    assert by_onnx.columns == by_run.columns == ["row", "prediction", "proba_0", "proba_1"]
    a, b = read_frame_parquet(by_run.path), read_frame_parquet(by_onnx.path)
    assert len(a) == len(b) == 891
    assert str(b["prediction"].dtype) == "int64"
    assert (a["prediction"] == b["prediction"]).all()
    np.testing.assert_allclose(a[["proba_0", "proba_1"]], b[["proba_0", "proba_1"]], atol=1e-4)
    logged = _test_rows(run.project, run.run_id)
    assert b.loc[logged["row"], "prediction"].tolist() == logged["y_pred"].tolist()


def test_regression_from_onnx_and_from_the_run(
    shared_data: Path, tmp_path_factory: Factory, tmp_path: Path
) -> None:
    run, model = exported_onnx("diamonds", shared_data, tmp_path_factory)
    source = shared_data / "clean" / "diamonds.csv"
    by_run = predict_run(run.project, run.run_id, source, tmp_path / "run.csv")
    by_onnx = predict_file_onnx(model, source, tmp_path / "onnx.csv")
    assert by_run.columns == by_onnx.columns == ["row", "prediction"]
    a, b = pd.read_csv(by_run.path), pd.read_csv(by_onnx.path)
    assert len(a) == 53940
    # Not the logged y_pred: the runner stores a regression's predictions in the target's dtype,
    # and diamonds' price is an integer, so the log holds them truncated.
    frame = open_project(run.project).load_frame()
    own = pipeline_of(run.project, run.run_id).predict(frame[frame.columns.drop("price")])
    np.testing.assert_allclose(a["prediction"], own, rtol=1e-12)
    np.testing.assert_allclose(a["prediction"], b["prediction"], rtol=1e-4, atol=1e-2)
    assert a["prediction"].iloc[:2].round(2).tolist() == [-1361.04, -679.53]


def test_identifier_columns_are_the_default_keys(
    shared_data: Path, tmp_path_factory: Factory, tmp_path: Path
) -> None:
    run = trained_run("credit", shared_data, tmp_path_factory)
    assert "rownames" not in open_project(run.project).feature_kinds()
    source = shared_data / "clean" / "modeldata_credit_data.csv"
    result = predict_run(run.project, run.run_id, source, tmp_path / "out.csv")
    assert result.keys == ["rownames"]
    out = pd.read_csv(result.path)
    assert list(out.columns) == ["rownames", "prediction", "proba_bad", "proba_good"]
    assert out["rownames"].tolist() == list(range(1, 4455))
    chosen = predict_run(
        run.project, run.run_id, source, tmp_path / "k.csv", keys=["Home", "rownames"]
    )
    assert chosen.columns[:3] == ["Home", "rownames", "prediction"]
    assert pd.read_csv(chosen.path)["Home"].iloc[:3].tolist() == ["rent", "rent", "owner"]


def test_a_parquet_from_elsewhere_is_predicted_and_extra_columns_ignored(
    shared_data: Path, tmp_path_factory: Factory, tmp_path: Path
) -> None:
    """R arrow's penguins: other sex spelling ('male'), an index column, a year column."""
    _, model = exported_onnx("penguins", shared_data, tmp_path_factory)
    source = shared_data / "clean" / "penguins_R_arrow.parquet"
    result = predict_file_onnx(model, source, tmp_path / "out.csv", keys=["...1"])
    out = pd.read_csv(result.path)
    assert list(out.columns)[:2] == ["...1", "prediction"]
    truth = read_frame_parquet(source)["species"]
    assert len(out) == 344
    assert (out["prediction"] == truth).mean() > 0.95


def test_the_new_file_is_checked_first(
    shared_data: Path, tmp_path_factory: Factory, tmp_path: Path
) -> None:
    run = trained_run("penguins", shared_data, tmp_path_factory)
    frame = pd.read_csv(shared_data / "clean" / "penguins.csv")
    frame.drop(columns=["island"]).to_csv(tmp_path / "no_island.csv", index=False)
    out = tmp_path / "out.csv"
    with pytest.raises(SchemaError, match=r"^no_island\.csv: required column 'island' is missing"):
        predict_run(run.project, run.run_id, tmp_path / "no_island.csv", out)
    bad = frame.astype({"bill_length_mm": object})
    bad.loc[5, "bill_length_mm"] = "long"
    bad.to_csv(tmp_path / "text.csv", index=False)
    with pytest.raises(
        SchemaError,
        match=r"^text\.csv: column 'bill_length_mm' should hold numbers but holds 'long' \(row 6\)",
    ):
        predict_run(run.project, run.run_id, tmp_path / "text.csv", out)
    with pytest.raises(SchemaError, match=r"^penguins\.csv: key column 'penguin_id' is not in"):
        predict_run(
            run.project, run.run_id, shared_data / "clean" / "penguins.csv", out, ["penguin_id"]
        )
    assert not out.exists()


def test_output_name_cancel_and_onnx_errors(
    shared_data: Path, tmp_path_factory: Factory, tmp_path: Path
) -> None:
    run, model = exported_onnx("penguins", shared_data, tmp_path_factory)
    source = shared_data / "clean" / "penguins.csv"
    with pytest.raises(WorkbenchError, match=r"cannot write predictions to out\.xlsx: use a "):
        predict_run(run.project, run.run_id, source, tmp_path / "out.xlsx")
    copy = tmp_path / "penguins.csv"
    shutil.copy(source, copy)
    with pytest.raises(WorkbenchError, match="would overwrite the input file"):
        predict_file_onnx(model, copy, copy)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        predict_file_onnx(model, source, tmp_path / "cancelled.csv", cancel=token)
    assert not (tmp_path / "cancelled.csv").exists()
    with pytest.raises(WorkbenchError, match=r"ONNX model not found: .*absent\.onnx"):
        predict_file_onnx(tmp_path / "absent.onnx", source, tmp_path / "o.csv")
    (tmp_path / "junk.onnx").write_bytes(b"not a model")
    with pytest.raises(WorkbenchError, match=r"junk\.onnx is not a model onnxruntime can load"):
        predict_file_onnx(tmp_path / "junk.onnx", source, tmp_path / "o.csv")


def test_the_schema_json_beside_a_model_without_metadata(
    shared_data: Path, tmp_path_factory: Factory, tmp_path: Path
) -> None:
    _, model = exported_onnx("penguins", shared_data, tmp_path_factory)
    proto = onnx.load(model)
    del proto.metadata_props[:]
    bare = tmp_path / "bare.onnx"
    onnx.save(proto, bare)
    source = shared_data / "clean" / "penguins.csv"
    with pytest.raises(
        WorkbenchError, match=r"no 'workbench\.schema' metadata and no schema\.json"
    ):
        predict_file_onnx(bare, source, tmp_path / "o.csv")
    shutil.copy(model.with_name("schema.json"), tmp_path / "schema.json")
    result = predict_file_onnx(bare, source, tmp_path / "o.csv")
    expected = predict_file_onnx(model, source, tmp_path / "e.csv")
    pd.testing.assert_frame_equal(pd.read_csv(result.path), pd.read_csv(expected.path))


# --- hostile new files (issue 13): both ways of predicting refuse the same thing ---------------


def _penguins_with(shared_data: Path, tmp_path: Path, name: str, value: str) -> Path:
    """The penguins file with one raw cell replaced by `value`, on the file's row 3."""
    lines = (shared_data / "clean" / "penguins.csv").read_text().splitlines()
    cells = lines[3].split(",")
    cells[2] = value  # bill_length_mm
    lines[3] = ",".join(cells)
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("value", "shown"), [("inf", "inf"), ("-inf", "-inf"), ("1e400", "inf"), ("1e39", "1e+39")]
)
def test_numbers_beyond_float32_are_refused_by_both_paths_alike(
    shared_data: Path, tmp_path_factory: Factory, tmp_path: Path, value: str, shown: str
) -> None:
    run, model = exported_onnx("penguins", shared_data, tmp_path_factory)
    source = _penguins_with(shared_data, tmp_path, "big.csv", value)
    expected = (
        f"big.csv: column 'bill_length_mm' holds {shown} (row 3); the model takes finite "
        "numbers up to ±3.403e+38"
    )
    with pytest.raises(SchemaError) as from_run:
        predict_run(run.project, run.run_id, source, tmp_path / "a.csv")
    with pytest.raises(SchemaError) as from_onnx:
        predict_file_onnx(model, source, tmp_path / "b.csv")
    assert str(from_run.value) == str(from_onnx.value) == expected
    assert not (tmp_path / "a.csv").exists() and not (tmp_path / "b.csv").exists()
    # The largest float32 itself is a number the model takes, on both paths alike.
    edge = _penguins_with(shared_data, tmp_path, "edge.csv", "3.4e38")
    a = predict_run(run.project, run.run_id, edge, tmp_path / "a.csv")
    b = predict_file_onnx(model, edge, tmp_path / "b.csv")
    assert a.rows == b.rows == 344


def test_a_header_only_file_has_nothing_to_predict_on_both_paths(
    shared_data: Path, tmp_path_factory: Factory, tmp_path: Path
) -> None:
    run, model = exported_onnx("penguins", shared_data, tmp_path_factory)
    source = tmp_path / "header.csv"
    source.write_text((shared_data / "clean" / "penguins.csv").read_text().splitlines()[0] + "\n")
    expected = "header.csv has no data rows: nothing to predict"
    with pytest.raises(SchemaError, match=expected):
        predict_run(run.project, run.run_id, source, tmp_path / "a.csv")
    with pytest.raises(SchemaError, match=expected):
        predict_file_onnx(model, source, tmp_path / "b.csv")


def test_csv_output_escapes_cells_a_spreadsheet_would_run(
    shared_data: Path, tmp_path_factory: Factory, tmp_path: Path
) -> None:
    run = trained_run("penguins", shared_data, tmp_path_factory)
    frame = pd.read_csv(shared_data / "clean" / "penguins.csv").head(8)
    keys = ["=cmd|' /C calc'!A0", "+1+2", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A9)",
            "-5", "+1.5e3", "plain", "a,=b"]  # fmt: skip
    frame["key"] = keys
    frame['=HYPERLINK("x")'] = 1
    source = tmp_path / "keys.csv"
    frame.to_csv(source, index=False)
    out = tmp_path / "out.csv"
    predict_run(run.project, run.run_id, source, out, keys=["key", '=HYPERLINK("x")'])
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(written.columns)[:2] == ["key", '\'=HYPERLINK("x")']
    assert written["key"].tolist() == [
        "'=cmd|' /C calc'!A0", "'+1+2", "'-2+3+cmd|' /C calc'!A0", "'@SUM(A1:A9)",
        "-5", "+1.5e3", "plain", "a,=b",
    ]  # fmt: skip
    assert written['\'=HYPERLINK("x")'].tolist() == ["1"] * 8  # numbers stay numbers
    # Parquet is no spreadsheet: its cells are written as they are.
    predict_run(run.project, run.run_id, source, tmp_path / "out.parquet", keys=["key"])
    assert read_frame_parquet(tmp_path / "out.parquet")["key"].tolist() == keys


def test_spreadsheet_safe_follows_the_owasp_rule() -> None:
    frame = pd.DataFrame(
        {
            "text": ["=1+1", "+x", "-x", "@x", "\tx", "\rx", "x=1", "-1", "-1.5e-3", None],
            "number": [-1.0, 2.0, -3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
        }
    )
    safe = spreadsheet_safe(frame)
    assert safe["text"].tolist()[:9] == [
        "'=1+1", "'+x", "'-x", "'@x", "'\tx", "'\rx", "x=1", "-1", "-1.5e-3"
    ]  # fmt: skip
    assert pd.isna(safe["text"].iloc[9])
    pd.testing.assert_series_equal(safe["number"], frame["number"])
    assert frame["text"].iloc[0] == "=1+1"  # the caller's frame is left as it was
