"""The Profile panel over real profiles of the shared datasets (titanic, penguins-raw)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPalette

from workbench.core.kinds import ColumnKind, ColumnRole
from workbench.core.profile.compute import profile_frame
from workbench.core.profile.model import Profile
from workbench.core.specs import ChainSpec, StepSpec
from workbench.gui.panels.profile_column_list import COL_KIND, COL_MISSING, COL_NAME, PENDING_TEXT
from workbench.gui.panels.profile_format import column_distribution
from workbench.gui.panels.profile_panel import (
    EMPTY_TEXT,
    TAB_ALERTS,
    TAB_CORRELATIONS,
    ProfilePanel,
)
from workbench.gui.plots.common import SPARKLINE_ROLE

TITANIC_KINDS = {
    "survived": "yes/no",
    "pclass": "numeric",
    "sex": "category",
    "age": "numeric",
    "sibsp": "numeric",
    "parch": "numeric",
    "fare": "numeric",
    "embarked": "category",
    "class": "category",
    "who": "category",
    "adult_male": "yes/no",
    "deck": "category",
    "embark_town": "category",
    "alive": "category",
    "alone": "yes/no",
}


@pytest.fixture(scope="module")
def titanic(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(shared_data / "clean" / "titanic.csv")


@pytest.fixture(scope="module")
def titanic_profile(titanic: pd.DataFrame) -> Profile:
    return profile_frame(titanic, target="survived")


@pytest.fixture
def panel(qtbot) -> ProfilePanel:
    widget = ProfilePanel()
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    return widget


@pytest.fixture
def shown(panel: ProfilePanel, titanic_profile: Profile) -> ProfilePanel:
    panel.set_profile(titanic_profile)
    return panel


def _kind_texts(panel: ProfilePanel) -> dict[str, str]:
    model = panel.columns_model
    return {
        model.index(row, COL_NAME).data(): model.index(row, COL_KIND).data()
        for row in range(model.rowCount())
    }


def test_empty_state_explains_what_to_do(panel: ProfilePanel) -> None:
    assert panel.message.isVisible()
    assert panel.message.text() == EMPTY_TEXT
    assert not panel.content.isVisible()


def test_overview_shows_the_table_at_a_glance(shown: ProfilePanel) -> None:
    values = {key: label.text() for key, label in shown.overview.values.items()}
    assert values["rows"] == "891"
    assert values["columns"] == "15"
    assert values["duplicates"] == "107 (12.0%)"
    # 177 age + 688 deck + 2 embarked + 2 embark_town of 891 x 15 cells.
    assert values["missing"] == "869 (6.5%)"
    assert values["target"] == "survived · binary"
    assert shown.content.isVisible() and not shown.message.isVisible()
    assert shown.message_text() == ""


def test_column_list_has_every_column_with_its_kind(shown: ProfilePanel) -> None:
    assert shown.columns_model.rowCount() == 15
    assert _kind_texts(shown) == TITANIC_KINDS


def test_column_list_sorts_by_missing_share(shown: ProfilePanel) -> None:
    shown.column_table.sortByColumn(COL_MISSING, Qt.SortOrder.DescendingOrder)
    proxy = shown.columns_proxy
    top = [proxy.index(row, COL_NAME).data() for row in range(3)]
    assert top == ["deck", "age", "embarked"]
    assert proxy.index(0, COL_MISSING).data() == "77.2%"


def test_sparkline_gets_the_histogram_counts(shown: ProfilePanel, titanic_profile) -> None:
    row = shown.columns_model.row_of("age")
    counts = shown.columns_model.index(row, 4).data(SPARKLINE_ROLE)
    age = next(c for c in titanic_profile.column_profiles if c.name == "age")
    assert counts == [float(c) for c in age.histogram["counts"]]
    assert sum(counts) == 714


def test_selecting_age_shows_its_histogram_and_statistics(shown: ProfilePanel, qtbot) -> None:
    with qtbot.waitSignal(shown.column_selected) as selected:
        assert shown.select_column("age")
    assert selected.args == ["age"]
    plot = shown.detail.plot
    assert plot.mode == "histogram"
    heights = plot.histogram.bar_heights()
    assert heights.sum() == 714  # the non-missing ages
    assert plot.histogram.bin_edges().size == heights.size + 1
    axis = plot.histogram.plotItem.getAxis("bottom")
    assert axis.labelText == "age"
    assert plot.histogram.plotItem.getAxis("left").labelText == "rows"
    stats = {label: field.text() for label, field in shown.detail.stat_values.items()}
    assert stats["Missing"] == "177 (19.9%)"
    assert stats["Count"] == "714"
    assert stats["Min"] == "0.42"
    assert stats["Max"] == "80"
    assert stats["Median"] == "28"
    assert "Most frequent" not in stats  # a numeric column shows quantiles instead
    assert "High missing" in shown.detail.alerts.text()
    assert "Impute the missing values" in shown.detail.alerts.text()


def test_few_valued_numbers_get_one_bar_per_value(shown: ProfilePanel) -> None:
    shown.select_column("pclass")
    plot = shown.detail.plot
    assert plot.mode == "values"
    assert plot.histogram.bar_heights().tolist() == [216.0, 184.0, 491.0]
    assert plot.histogram.hover_text(3.0) == "3: 491 rows"


def test_selecting_embark_town_shows_categories_most_frequent_first(shown: ProfilePanel) -> None:
    shown.select_column("embark_town")
    plot = shown.detail.plot
    assert plot.mode == "categories"
    assert plot.bars.category_labels() == ["Southampton", "Cherbourg", "Queenstown"]
    assert plot.bars.bar_heights().tolist() == [644.0, 168.0, 77.0]
    assert plot.bars.plotItem.getAxis("left").labels()[0] == "Southampton"
    stats = {label: field.text() for label, field in shown.detail.stat_values.items()}
    assert stats["Most frequent"] == "Southampton (644)"
    assert "Min" not in stats


def test_critical_filter_shows_the_leak_and_clicking_selects_its_column(
    shown: ProfilePanel, qtbot
) -> None:
    alerts = shown.alert_list
    assert len(alerts.visible_alerts()) == len(shown.profile.alerts) == 12
    alerts.set_severity_filter("critical")
    visible = alerts.visible_alerts()
    assert [(a.kind, a.columns) for a in visible] == [("target_leakage", ("alive", "survived"))]
    shown.tabs.setCurrentWidget(alerts)
    table = alerts.table
    rect = table.visualRect(alerts.proxy.index(0, 3))
    with qtbot.waitSignal(shown.column_selected) as selected:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert selected.args == ["alive"]
    assert shown.selected_column() == "alive"
    assert shown.tabs.currentWidget() is alerts  # a click selects, it does not leave the list


def test_alert_text_filter_and_fix_text(shown: ProfilePanel) -> None:
    alerts = shown.alert_list
    alerts.set_text_filter("SIBSP")
    assert sorted(a.kind for a in alerts.visible_alerts()) == ["many_zeros", "skewed"]
    fixes = {alerts.proxy.index(row, 4).data() for row in range(alerts.proxy.rowCount())}
    assert "Apply log1p." in fixes
    alerts.set_text_filter("no such words")
    assert alerts.visible_alerts() == []
    assert alerts.empty_label.isVisible()
    assert alerts.empty_label.text() == "No alert matches the filter."
    with pytest.raises(ValueError, match="unknown severity 'fatal'"):
        alerts.set_severity_filter("fatal")


def test_handled_alerts_are_greyed_marked_and_last(shown: ProfilePanel, qtbot) -> None:
    """alive ignored and age imputed: their alerts say handled, sit last, and offer no fix."""
    alerts = shown.alert_list
    assert shown.tabs.tabText(TAB_ALERTS) == "Alerts (12)"
    roles = {"survived": ColumnRole.TARGET, "alive": ColumnRole.IGNORE}
    chain = ChainSpec((StepSpec("impute", ("age",), {"strategy": "median"}),))
    shown.set_project_state(roles, chain)
    visible = alerts.visible_alerts()
    assert len(visible) == 12
    assert [(a.kind, a.columns) for a in visible[-2:]] == [
        ("target_leakage", ("alive", "survived")),
        ("high_missing", ("age",)),
    ]
    assert all(not a.handled for a in visible[:-2])
    leak = alerts.proxy.index(10, 0)
    assert leak.data() == "Critical (handled)"
    assert leak.data(Qt.ItemDataRole.ForegroundRole) == QColor("#9e9e9e")
    assert "Handled: 'alive' is not a feature (its role is ignore)." in leak.data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert alerts.proxy.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is None
    # Sorting either way keeps the handled alerts last.
    alerts.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    assert all(a.handled for a in alerts.visible_alerts()[-2:])
    alerts.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)
    assert all(a.handled for a in alerts.visible_alerts()[-2:])
    # The tab counts what is still open; a handled alert's fix button is off and says why.
    assert shown.tabs.tabText(TAB_ALERTS) == "Alerts (10)"
    alerts.table.setCurrentIndex(alerts.proxy.index(11, 0))
    assert not alerts.fix_button.isEnabled()
    assert alerts.fix_button.toolTip().startswith("Already handled: ")
    alerts.table.setCurrentIndex(alerts.proxy.index(0, 0))
    assert alerts.fix_button.isEnabled()
    # Removing the step opens the age alert again.
    shown.set_project_state(roles, ChainSpec())
    assert [a.handled for a in alerts.visible_alerts()].count("") == 11


def test_correlation_heat_map_names_both_axes(shown: ProfilePanel, titanic_profile) -> None:
    shown.tabs.setCurrentIndex(TAB_CORRELATIONS)
    view = shown.correlations
    heatmap = view.heatmap
    pearson = titanic_profile.correlations["pearson"]
    columns = pearson["columns"]
    assert columns == ["survived", "pclass", "age", "sibsp", "parch", "fare", "adult_male", "alone"]
    assert heatmap.image.image.shape == (8, 8)
    assert heatmap.columns == columns
    assert heatmap.x_axis.labels() == columns
    assert heatmap.y_axis.labels() == columns
    assert heatmap.cell_text(0, 2) == f"survived × age: {pearson['matrix'][0][2]:.2f}"
    assert np.allclose(np.diag(heatmap.matrix()), 1.0)
    view.set_method("spearman")
    spearman = np.array(titanic_profile.correlations["spearman"]["matrix"], dtype=float)
    assert np.allclose(heatmap.matrix(), spearman)
    assert heatmap.plot.titleLabel.text == "Spearman correlation"


def test_heat_map_empty_state_with_one_numeric_column(
    panel: ProfilePanel, titanic: pd.DataFrame
) -> None:
    panel.set_profile(profile_frame(titanic[["sex", "embark_town", "age"]]))
    panel.tabs.setCurrentIndex(TAB_CORRELATIONS)
    assert panel.correlations.empty.isVisible()
    assert "at least two numeric columns" in panel.correlations.empty.text()


def test_partial_profile_fills_row_by_row(
    panel: ProfilePanel, titanic: pd.DataFrame, titanic_profile: Profile, qtbot
) -> None:
    model = panel.columns_model
    panel.begin_partial(list(titanic.columns), len(titanic))
    assert list(_kind_texts(panel).values()) == [PENDING_TEXT] * 15
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    for column in titanic_profile.column_profiles[:2]:
        with qtbot.waitSignal(model.dataChanged) as changed:
            panel.add_column_profile(column)
        top, bottom = changed.args[0], changed.args[1]
        assert top.row() == bottom.row() == model.row_of(column.name)
    assert resets == []  # one row changes, the table is never rebuilt
    kinds = list(_kind_texts(panel).values())
    assert kinds.count(PENDING_TEXT) == 13
    assert kinds[:2] == ["yes/no", "numeric"]
    assert panel.overview.note.text() == "Profiling: 2 of 15 columns done."
    panel.select_column("age")
    assert "still being profiled" in panel.detail.plot.message.text()
    panel.set_profile(titanic_profile)
    assert PENDING_TEXT not in _kind_texts(panel).values()
    assert panel.selected_column() == "age"  # the selection survives the final profile
    assert panel.detail.plot.mode == "histogram"


def test_show_message_replaces_the_panel(shown: ProfilePanel) -> None:
    shown.show_message("Profiling cancelled. Press Profile again to restart.")
    assert shown.message.isVisible()
    assert shown.message_text() == "Profiling cancelled. Press Profile again to restart."
    shown.set_profile(None)
    assert shown.message.text() == EMPTY_TEXT


def test_plots_follow_a_dark_palette(shown: ProfilePanel) -> None:
    shown.select_column("age")
    dark = QPalette(shown.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#e6e6e6"))
    shown.setPalette(dark)
    histogram = shown.detail.plot.histogram
    assert histogram.backgroundBrush().color() == QColor("#1e1e1e")
    assert histogram.plotItem.getAxis("left").textPen().color() == QColor("#e6e6e6")
    heatmap = shown.correlations.heatmap
    assert heatmap.graphics.backgroundBrush().color() == QColor("#1e1e1e")


def test_dates_are_plotted_on_a_date_axis(panel: ProfilePanel, shared_data: Path) -> None:
    frame = pd.read_csv(shared_data / "messy" / "penguins-raw.csv", parse_dates=["Date Egg"])
    profile = profile_frame(frame[["Date Egg", "Species"]])
    dates = profile.column_profiles[0]
    assert dates.kind == ColumnKind.DATETIME
    panel.set_profile(profile)
    panel.select_column("Date Egg")
    plot = panel.detail.plot
    assert plot.mode == "dates"
    assert plot.dates.bar_heights().sum() == dates.count == 344
    edges = plot.dates.bin_edges()
    assert column_distribution(dates).keys[0] == edges[0]
    # The first edge is the earliest egg date, read back through the hover text.
    assert plot.dates.hover_text(edges[0]).startswith(f"[{dates.min[:10]}")


def test_hovering_a_heat_map_cell_reads_its_value(shown: ProfilePanel, qtbot) -> None:
    shown.tabs.setCurrentIndex(TAB_CORRELATIONS)
    heatmap = shown.correlations.heatmap
    qtbot.waitExposed(heatmap.graphics)
    scene_point = heatmap.plot.getViewBox().mapViewToScene(QPointF(2.5, 0.5))
    qtbot.mouseMove(heatmap.graphics.viewport(), heatmap.graphics.mapFromScene(scene_point))
    qtbot.waitUntil(lambda: heatmap.hover_label.text() == heatmap.cell_text(0, 2))
    assert heatmap.hover_label.text().startswith("survived × age: ")
