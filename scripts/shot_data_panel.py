"""Render the Data panel offscreen with penguins and save PNGs to /tmp, to look at the UI.

Usage: QT_QPA_PLATFORM=offscreen python scripts/shot_data_panel.py [csv]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pandas as pd
from PySide6.QtWidgets import QApplication

from workbench.core.kinds import ColumnKind, ColumnRole
from workbench.gui.panels.data_panel import DataPanel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shot_common import write_png

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared/data/clean/penguins.csv"


def kinds_for(frame: pd.DataFrame) -> dict[str, ColumnKind]:
    try:
        from workbench.core.kinds import infer_kinds

        return dict(infer_kinds(frame))
    except Exception:  # a screenshot aid: fall back to a crude guess
        return {
            str(c): ColumnKind.NUMERIC
            if pd.api.types.is_numeric_dtype(frame[c])
            else ColumnKind.CATEGORICAL
            for c in frame.columns
        }


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CSV
    app = QApplication.instance() or QApplication(sys.argv)
    panel = DataPanel()
    panel.resize(1000, 520)
    panel.show()
    app.processEvents()
    write_png(panel, Path("/tmp/data_panel_empty.png"))

    frame = pd.read_csv(path)
    roles = {str(c): ColumnRole.FEATURE for c in frame.columns}
    panel.set_data(frame, kinds_for(frame), roles)
    first = str(frame.columns[0])
    panel.set_role(first, ColumnRole.TARGET)
    if frame.shape[1] > 2:
        panel.set_role(str(frame.columns[-1]), ColumnRole.IGNORE)
    app.processEvents()
    write_png(panel, Path("/tmp/data_panel.png"))

    menu = panel.build_role_menu(first)
    menu.adjustSize()
    write_png(menu, Path("/tmp/data_panel_menu.png"))

    panel.table.sortByColumn(min(5, frame.shape[1] - 1), panel.model.sort_order)
    panel.set_filter("gentoo")
    app.processEvents()
    write_png(panel, Path("/tmp/data_panel_filtered.png"))
    print("saved /tmp/data_panel_empty.png, /tmp/data_panel.png, /tmp/data_panel_menu.png,")
    print("      /tmp/data_panel_filtered.png")


if __name__ == "__main__":
    main()
