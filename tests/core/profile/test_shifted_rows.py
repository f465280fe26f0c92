"""A row shifted by one column (a line of the file with a separator missing or one too many) is
found on googleplaystore's real one, on rows shifted on purpose in titanic, and on no row of the
shared files that have none."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _frames import load

from workbench.core.profile.compute import profile_frame
from workbench.core.profile.shifted_rows import shifted_row_alerts, shifted_rows

pytestmark = pytest.mark.shared_data


def _counts(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Each column's exact value counts, values as index (what the profile hands over)."""
    return {str(name): frame[name].value_counts(dropna=True) for name in frame.columns}


def _shifted(shared_data: Path, kind: str) -> list:
    frame = load(shared_data, kind)
    return [a for a in profile_frame(frame).alerts if a.kind == "shifted_rows"]


def test_googleplaystores_line_without_its_category_is_named(shared_data: Path) -> None:
    frame = load(shared_data, "googleplaystore")
    (row,) = shifted_rows(frame, _counts(frame))
    assert row.position == 10472 and row.direction == "left"
    assert frame.iloc[10472]["App"] == "Life Made WI-Fi Touchscreen Photo Frame"
    assert row.moved == (
        ("Category", "1.9"),
        ("Rating", 19.0),
        ("Size", "1,000+"),
        ("Installs", "Free"),
        ("Type", "0"),
        ("Price", "Everyone"),
        ("Genres", "11-Feb-18"),
        ("Last Updated", "1.0.19"),
        ("Current Ver", "4.0 and up"),
    )
    (alert,) = _shifted(shared_data, "googleplaystore")
    assert alert.severity == "warning" and alert.value == 1.0 and alert.columns == ()
    assert alert.message == (
        "Row 10,473 looks shifted by one column: 9 of its values fit the column on their right "
        "(Category '1.9', Rating 19, Size '1,000+', Installs 'Free', …), as when a line of the "
        "file has a separator missing."
    )


def _shift(frame: pd.DataFrame, position: int, step: int) -> None:
    """Move row `position`'s values one column left (step 1: a separator missing, the last
    cell empty) or right (step -1: one too many, the first cell empty), as a reader would."""
    values = frame.iloc[position].tolist()
    moved = [*values[1:], None] if step == 1 else [None, *values[:-1]]
    frame.loc[frame.index[position]] = moved


@pytest.mark.parametrize(("step", "direction"), [(1, "left"), (-1, "right")])
def test_titanic_rows_shifted_on_purpose_are_found_on_their_side(
    shared_data: Path, step: int, direction: str
) -> None:
    frame = load(shared_data, "titanic").astype(object)
    assert shifted_rows(frame, _counts(frame)) == []
    for position in (7, 300, 612):
        _shift(frame, position, step)
    found = shifted_rows(frame, _counts(frame))
    assert [(row.position, row.direction) for row in found] == [
        (7, direction), (300, direction), (612, direction)
    ]  # fmt: skip
    (alert,) = shifted_row_alerts(frame, _counts(frame))
    assert alert.message.startswith("Rows 8, 301 and 613 look shifted by one column: ")
    cause = "missing" if step == 1 else "too many"
    assert alert.message.endswith(f"as when a line of the file has a separator {cause}.")


def test_scattered_oddities_are_not_a_shifted_row(shared_data: Path) -> None:
    """Rare values spread over many rows (typos, outliers) do not line up in one row."""
    frame = load(shared_data, "titanic").astype(object)
    rng = np.random.default_rng(0)
    for position in rng.choice(len(frame), size=60, replace=False):
        column = frame.columns[int(rng.integers(len(frame.columns)))]
        frame.loc[frame.index[position], column] = f"odd-{position}"
    assert shifted_rows(frame, _counts(frame)) == []


@pytest.mark.parametrize(
    "kind", ["titanic", "bank", "penguins", "lending_club", "glassdoor", "diamonds", "mushrooms"]
)
def test_files_without_shifted_lines_have_no_alert(shared_data: Path, kind: str) -> None:
    assert _shifted(shared_data, kind) == []
