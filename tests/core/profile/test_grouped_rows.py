"""Panel data (one row per entity and period) is named with the split that scores a model on
unseen entities: Life_Expectancy's countries by year, the Norwegian car models by year and
month; no other shared table is flagged."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from _frames import load

from workbench.core.kinds import ColumnKind, infer_kinds
from workbench.core.profile.compute import profile_frame
from workbench.core.profile.grouped_rows import grouped_row_alerts, period_columns

pytestmark = pytest.mark.shared_data


def _grouped(frame: pd.DataFrame, target: str | None = None) -> list:
    return [a for a in profile_frame(frame, target=target).alerts if a.kind == "grouped_rows"]


def test_life_expectancy_is_countries_by_year(shared_data: Path) -> None:
    frame = pd.read_csv(shared_data / "messy" / "Life_Expectancy_Data.csv")
    (alert,) = _grouped(frame, target="Life expectancy ")
    assert alert.columns == ("Country", "Year") and alert.value == 133.0
    assert alert.severity == "warning"
    assert alert.message == (
        "Rows come in groups: 'Country' (133 values) has up to 16 rows, one per 'Year'. A random "
        "split validates on Country values the model was fitted on (their other periods are "
        "much alike), which flatters the scores."
    )
    assert alert.fix == (
        "Validate with a group k-fold on 'Country' (scored on Country values not seen in "
        "fitting) or a time-series split on 'Year' (scored on later periods)."
    )


def test_norwegian_car_sales_are_models_by_year_and_month(shared_data: Path) -> None:
    frame = pd.read_csv(
        shared_data / "messy" / "norway_new_car_sales_by_model.csv", encoding="latin-1"
    )
    kinds = infer_kinds(frame)
    counts = {str(name): frame[name].value_counts(dropna=True) for name in frame.columns}
    assert period_columns(frame, kinds, counts) == ["Year", "Month"]
    (alert,) = grouped_row_alerts(frame, kinds, target="Quantity")
    assert alert.columns == ("Model", "Year", "Month")
    assert "one per 'Year' and 'Month'" in alert.message
    # Make is no entity: a make sells several models a month, so make and month repeat.
    assert frame.duplicated(["Make", "Year", "Month"]).sum() > 1000


def test_a_repeated_period_row_or_a_unique_timestamp_is_no_panel(shared_data: Path) -> None:
    frame = pd.read_csv(shared_data / "messy" / "Life_Expectancy_Data.csv")
    kinds = infer_kinds(frame)
    twice = pd.concat([frame, frame], ignore_index=True)  # every country-year twice
    assert grouped_row_alerts(twice, kinds) == []
    stamped = frame.assign(Year=pd.date_range("2000-01-01", periods=len(frame), freq="D"))
    stamped_kinds = {**kinds, "Year": ColumnKind.DATETIME}
    assert grouped_row_alerts(stamped, stamped_kinds) == []  # each row its own moment


@pytest.mark.parametrize(
    "kind",
    ["titanic", "bank", "penguins", "lending_club", "glassdoor", "diamonds", "googleplaystore"],
)
def test_tables_without_periods_per_entity_have_no_alert(shared_data: Path, kind: str) -> None:
    assert _grouped(load(shared_data, kind)) == []
