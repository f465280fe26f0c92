"""Render the Profile panel offscreen with real profiles and save one PNG per state to /tmp.

    .venv/bin/python scripts/shot_profile_panel.py [--out /tmp] [--data ../shared/data]

For looking at the panel without a display: every tab in the light palette, the key ones in a
dark palette, the partial (still profiling) and empty states, and a 20-column correlation heat
map (Life Expectancy data) to check that long axis labels neither overlap nor clip.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pandas as pd
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from workbench.core.profile.compute import profile_frame
from workbench.gui.panels.profile_panel import (
    TAB_ALERTS,
    TAB_COLUMN,
    TAB_CORRELATIONS,
    ProfilePanel,
)

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
from shot_common import settle, write_png  # noqa: E402


def dark_palette() -> QPalette:
    palette = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#2b2b2b",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1e1e",
        QPalette.ColorRole.AlternateBase: "#262626",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#353535",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.Highlight: "#3d8ee6",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: "#9a9a9a",
        QPalette.ColorRole.ToolTipBase: "#353535",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
    }
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#808080"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#808080"))
    return palette


def save(app: QApplication, panel: ProfilePanel, path: Path) -> None:
    settle(app)
    write_png(panel, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp"))
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setStyle("Fusion")
    light = app.palette()

    titanic = pd.read_csv(args.data / "clean" / "titanic.csv")
    profile = profile_frame(titanic, target="survived")
    life = pd.read_csv(args.data / "messy" / "Life_Expectancy_Data.csv")
    wide = profile_frame(life, target="Life expectancy ")

    panel = ProfilePanel()
    panel.resize(1280, 800)
    panel.show()
    out: Path = args.out
    save(app, panel, out / "profile_empty.png")

    panel.begin_partial([str(c) for c in titanic.columns], len(titanic))
    for column in profile.column_profiles[:4]:
        panel.add_column_profile(column)
    save(app, panel, out / "profile_partial.png")

    panel.set_profile(profile)
    for theme, palette in (("light", light), ("dark", dark_palette())):
        app.setPalette(palette)
        panel.tabs.setCurrentIndex(TAB_ALERTS)
        save(app, panel, out / f"profile_alerts_{theme}.png")
        for name in ("age", "embark_town", "pclass"):
            panel.select_column(name)
            panel.tabs.setCurrentIndex(TAB_COLUMN)
            save(app, panel, out / f"profile_column_{name}_{theme}.png")
        panel.tabs.setCurrentIndex(TAB_CORRELATIONS)
        save(app, panel, out / f"profile_correlations_{theme}.png")
    app.setPalette(light)

    panel.set_profile(wide)
    panel.tabs.setCurrentIndex(TAB_CORRELATIONS)
    save(app, panel, out / "profile_correlations_wide.png")
    panel.select_column("Country")
    panel.tabs.setCurrentIndex(TAB_COLUMN)
    save(app, panel, out / "profile_column_country.png")
    panel.show_message("Profiling cancelled. Press Profile again to restart.")
    save(app, panel, out / "profile_message.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
