"""Run by test_data_table.py in a fresh interpreter: sort and filter a million-row table in the
Data panel while a 10 ms timer ticks; print the worst gap between ticks as JSON."""

from __future__ import annotations

import json
import sys
import time

import pandas as pd
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from workbench.core.io import read_table
from workbench.core.kinds import default_role, infer_kinds
from workbench.gui.panels.data_panel import DataPanel


def wait_until(app: QApplication, condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the panel stayed busy")
        app.processEvents()
        time.sleep(0.001)


def main() -> None:
    app = QApplication([])
    penguins = read_table(sys.argv[1]).frame
    big = pd.concat([penguins] * 2907, ignore_index=True)
    panel = DataPanel()
    kinds = infer_kinds(penguins)
    panel.set_data(big, kinds, {name: default_role(kind) for name, kind in kinds.items()})
    panel.show()
    for _ in range(20):  # the first paint of the new table is not what is measured
        app.processEvents()
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(10)
    column = panel.model.column_names.index("species")
    panel.table.horizontalHeader().setSortIndicator(column, Qt.SortOrder.DescendingOrder)
    wait_until(app, lambda: not panel.busy)
    model = panel.model
    first_after_sort = model.data(model.index(0, column))
    panel.filter_edit.setText("Chinstrap")
    panel.apply_filter()
    wait_until(app, lambda: not panel.busy)
    timer.stop()
    outcome = {
        "worst_ms": max(gaps) * 1000,
        "first_after_sort": first_after_sort,
        "rows_after_filter": model.rowCount(),
        "first_after_filter": model.data(model.index(0, column)),
    }
    panel.close()
    print(json.dumps(outcome))


if __name__ == "__main__":
    main()
