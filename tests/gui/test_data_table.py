"""The Data panel and its virtual table model, on real data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from _python_calls import count_python_calls
from PySide6.QtCore import Qt, QTimer

from workbench.core.io.table import read_table
from workbench.core.kinds import ColumnRole, default_role, infer_kinds
from workbench.gui.panels.data_panel import DataPanel
from workbench.gui.widgets.frame_model import DataFrameModel

DISPLAY = Qt.ItemDataRole.DisplayRole
LIVENESS_MS = 60_000  # a bound against hangs on a busy machine, not a speed requirement


@pytest.fixture(scope="module")
def penguins(repo_root: Path) -> pd.DataFrame:
    return read_table(repo_root / "resources/data/penguins.csv").frame


@pytest.fixture()
def panel(qtbot, penguins: pd.DataFrame) -> DataPanel:
    widget = DataPanel()
    qtbot.addWidget(widget)
    kinds = infer_kinds(penguins)
    roles = {name: default_role(kind) for name, kind in kinds.items()}
    roles["species"] = ColumnRole.TARGET
    widget.set_data(penguins, kinds, roles)
    return widget


def cell(model: DataFrameModel, row: int, column: str) -> str:
    return model.data(model.index(row, model.column_names.index(column)), DISPLAY)


def test_cells_show_values_and_missing(panel: DataPanel) -> None:
    model = panel.model
    assert (model.rowCount(), model.columnCount()) == (344, 7)
    assert cell(model, 0, "species") == "Adelie"
    assert cell(model, 0, "bill_length_mm") == "39.1"
    assert cell(model, 0, "body_mass_g") == "3750"
    assert cell(model, 3, "bill_length_mm") == "missing"
    assert panel.summary_label.text() == "344 rows × 7 columns · 19 missing cells"


def test_sorting_puts_missing_last(panel: DataPanel) -> None:
    model = panel.model
    column = model.column_names.index("body_mass_g")
    model.sort(column, Qt.SortOrder.AscendingOrder)
    assert cell(model, 0, "body_mass_g") == "2700"
    assert cell(model, 343, "body_mass_g") == "missing"
    model.sort(column, Qt.SortOrder.DescendingOrder)
    assert cell(model, 0, "body_mass_g") == "6300"
    assert cell(model, 343, "body_mass_g") == "missing"


def test_filter_counts_matching_rows(panel: DataPanel) -> None:
    panel.set_filter("Gentoo")
    assert panel.model.rowCount() == 124
    assert "124 of 344 rows match" in panel.summary_label.text()
    panel.set_filter("dream", column="island")
    assert panel.model.rowCount() == 124  # case-insensitive: Dream island
    panel.set_filter("")
    assert panel.model.rowCount() == 344


def test_a_new_target_demotes_the_old_one(qtbot, panel: DataPanel) -> None:
    with qtbot.waitSignal(panel.roles_changed) as emitted:
        panel.set_role("island", ColumnRole.TARGET)
    assert emitted.args[0]["island"] == "target"
    assert emitted.args[0]["species"] == "feature"
    assert panel.target() == "island"


def test_empty_state_explains_how_to_get_data(qtbot) -> None:
    widget = DataPanel()
    qtbot.addWidget(widget)
    assert widget.is_empty
    assert "Import" in widget.empty_label.text()


def test_a_million_rows_open_and_scroll_without_per_row_work(qtbot, penguins) -> None:
    big = pd.concat([penguins] * 2907, ignore_index=True)  # 1,000,008 rows
    model = DataFrameModel()
    kinds = infer_kinds(penguins)
    _, loading = count_python_calls(lambda: model.set_frame(big, kinds, {}))
    screen = [(row, column) for row in range(500_000, 500_040) for column in range(big.shape[1])]
    _, painting = count_python_calls(
        lambda: [model.data(model.index(row, column), DISPLAY) for row, column in screen]
    )
    assert model.rowCount() == 1_000_008
    # A Python loop over the rows would make a million calls (the times: window_bench.py).
    assert loading < 50_000
    assert painting / len(screen) < 100


def test_big_tables_sort_and_filter_without_freezing(qtbot, penguins: pd.DataFrame) -> None:
    """On a million rows, sort and filter run in a thread while the event loop keeps turning
    (a 10 ms timer ticks while the panel is busy), and their results are right. The worst gap
    between ticks is a figure of benchmarks/window_bench.py."""
    big = pd.concat([penguins] * 2907, ignore_index=True)
    panel = DataPanel()
    qtbot.addWidget(panel)
    kinds = infer_kinds(penguins)
    panel.set_data(big, kinds, {name: default_role(kind) for name, kind in kinds.items()})
    panel.show()
    ticks_while_busy: list[str] = []
    timer = QTimer()
    timer.timeout.connect(lambda: panel.busy and ticks_while_busy.append("tick"))
    timer.start(10)
    column = panel.model.column_names.index("species")
    panel.table.horizontalHeader().setSortIndicator(column, Qt.SortOrder.DescendingOrder)
    assert panel.busy  # the sort went to a thread: the call returned at once
    qtbot.waitUntil(lambda: not panel.busy, timeout=LIVENESS_MS)
    sorted_ticks = len(ticks_while_busy)
    assert panel.model.data(panel.model.index(0, column)) == "Gentoo"
    panel.filter_edit.setText("Chinstrap")
    panel.apply_filter()
    assert panel.busy
    qtbot.waitUntil(lambda: not panel.busy, timeout=LIVENESS_MS)
    timer.stop()
    assert sorted_ticks >= 1 and len(ticks_while_busy) > sorted_ticks
    assert panel.model.rowCount() == 68 * 2907
    assert panel.model.data(panel.model.index(0, column)) == "Chinstrap"
