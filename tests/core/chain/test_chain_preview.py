"""The chain preview on real data: per-step shapes and column changes, errors, speed, cancel."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from workbench.core.chain.preview import preview_chain
from workbench.core.chain.resolve import resolve_chain
from workbench.core.io.table import read_table
from workbench.core.kinds import ColumnKind, infer_kinds
from workbench.core.progress import Cancelled, CancelToken
from workbench.core.specs import ChainSpec, StepSpec

NUMBERS = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g")


@cache
def _frame(shared_data: Path, relative: str) -> pd.DataFrame:
    return read_table(shared_data / relative).frame


def _penguins(shared_data: Path) -> tuple[pd.DataFrame, dict[str, ColumnKind]]:
    frame = _frame(shared_data, "clean/penguins.csv")
    return frame, infer_kinds(frame)


def test_penguins_step_shapes_and_column_changes(shared_data: Path) -> None:
    frame, kinds = _penguins(shared_data)
    chain = ChainSpec(
        (
            StepSpec("impute", NUMBERS, {"strategy": "median"}),
            StepSpec("one_hot", ("island",)),
            StepSpec("drop_columns", ("sex",)),
            StepSpec("oversample", (), {"ratio": 1.0}),
        )
    )
    calls: list[tuple[float, str]] = []
    preview = preview_chain(
        frame,
        resolve_chain(chain, kinds, "species"),
        show_rows=50,
        progress=lambda f, m: calls.append((f, m)),
    )
    assert preview.error is None and preview.error_step is None
    assert (preview.input_rows, preview.input_columns) == (344, 6)  # all rows: 344 <= 2000
    islands = ("island_Biscoe", "island_Dream", "island_Torgersen")
    assert [(s.index, s.step, s.rows, s.columns, s.added, s.removed) for s in preview.steps] == [
        (0, "impute", 344, 6, (), ()),
        (1, "one_hot", 344, 8, islands, ("island",)),
        (2, "drop_columns", 344, 7, (), ("sex",)),
        # 152 Adelie, 124 Gentoo, 68 Chinstrap: every class copied up to 152
        (3, "oversample", 456, 7, (), ()),
    ]
    assert preview.steps[1].label == "One-hot encode"
    assert list(preview.frame.columns) == [*islands, *NUMBERS]
    assert preview.frame.shape == (50, 7)
    assert preview.frame[list(NUMBERS)].isna().sum().sum() == 0
    assert [message for _, message in calls][:2] == [
        "Previewing step 1 (Fill missing values)",
        "Previewing step 2 (One-hot encode)",
    ]
    assert calls[-1][0] == 1.0


def test_a_step_failing_at_fit_is_reported_on_that_step(shared_data: Path) -> None:
    frame = _frame(shared_data, "clean/titanic.csv")
    kinds = infer_kinds(frame)
    chain = ChainSpec(
        (
            StepSpec("one_hot", ("sex",)),
            StepSpec("drop_columns", ("alive",)),
            StepSpec("power_transform", ("fare",), {"method": "box-cox"}),  # 15 fares are 0
            StepSpec("scale", ("age",)),
        )
    )
    preview = preview_chain(frame, resolve_chain(chain, kinds, "survived"))
    assert preview.error_step == 2
    assert preview.error is not None
    assert preview.error.startswith("step 3 (Power transform) failed: ")
    assert "positive" in preview.error
    assert [(s.index, s.columns, s.error is None) for s in preview.steps] == [
        (0, 15, True),
        (1, 14, True),
        (2, 14, False),
    ]
    # the frame shown is the last good one: after step 2
    assert "alive" not in preview.frame.columns and preview.frame.shape == (200, 14)


def test_a_validation_problem_is_reported_on_its_step(shared_data: Path) -> None:
    frame, kinds = _penguins(shared_data)
    chain = ChainSpec(
        (
            StepSpec("drop_columns", ("sex",)),
            StepSpec("scale", ("island",)),
            StepSpec("one_hot", ("island",)),
        )
    )
    preview = preview_chain(frame, resolve_chain(chain, kinds, "species"))
    assert preview.error_step == 1
    assert preview.error == (
        "step 2 (Scale): column 'island' is categorical here; Scale takes numeric or boolean "
        "columns"
    )
    assert [s.error for s in preview.steps] == [None, preview.error]
    assert preview.frame.shape == (200, 5)


def test_sample_is_seeded_and_steps_change_the_shape(shared_data: Path) -> None:
    """(The preview's time is a figure of benchmarks/chain_bench.py.)"""
    frame = _frame(shared_data, "clean/adult-train.csv")
    kinds = infer_kinds(frame)
    chain = ChainSpec(
        (
            StepSpec(
                "impute", ("column_1", "column_6", "column_13"), {"strategy": "most_frequent"}
            ),
            StepSpec(
                "one_hot", ("column_1", "column_3", "column_5", "column_6"), {"min_frequency": 0.01}
            ),
            StepSpec("scale", ("column_0", "column_2", "column_4", "column_12")),
            StepSpec("log1p", ("column_10", "column_11")),
            StepSpec("drop_columns", ("column_7", "column_8", "column_9", "column_13")),
        )
    )
    first = preview_chain(frame, resolve_chain(chain, kinds, "column_14"))
    assert first.error is None and first.input_rows == 2000 and first.input_columns == 14
    assert [s.columns for s in first.steps] == [14, 49, 49, 49, 45]
    again = preview_chain(frame, resolve_chain(chain, kinds, "column_14"))
    pd.testing.assert_frame_equal(first.frame, again.frame)
    other = preview_chain(frame, resolve_chain(chain, kinds, "column_14"), seed=1)
    assert list(other.frame.index) != list(first.frame.index)


def test_cancel_stops_between_steps(shared_data: Path) -> None:
    frame, kinds = _penguins(shared_data)
    token = CancelToken()
    token.cancel()
    chain = ChainSpec((StepSpec("one_hot", ("island",)),))
    with pytest.raises(Cancelled):
        preview_chain(frame, resolve_chain(chain, kinds, "species"), cancel=token)


def test_empty_chain_previews_the_input(shared_data: Path) -> None:
    frame, kinds = _penguins(shared_data)
    preview = preview_chain(frame, resolve_chain(ChainSpec(), kinds, "species"), show_rows=10)
    assert preview.steps == () and preview.error is None
    assert list(preview.frame.columns) == ["island", *NUMBERS, "sex"]
    assert preview.frame.shape == (10, 6)
