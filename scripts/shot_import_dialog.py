"""Render the Import dialog offscreen on messy files and save PNGs to /tmp, to look at the UI.

Usage: QT_QPA_PLATFORM=offscreen python scripts/shot_import_dialog.py [data folder]

Saves /tmp/import_<name>.png for: bank marketing (semicolons, target y), adult (no header),
the legacy Excel file (sheets), a ragged CSV (inline error), a target that cannot be one,
and the dialog at 1280x800 and at its minimum size (clipping check).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from workbench.gui.dialogs.import_dialog import ImportDialog

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shot_common import write_png

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def settle(app: QApplication, dialog: ImportDialog, timeout: float = 20.0) -> None:
    """Spin the event loop until the newest preview is on screen."""
    deadline = time.monotonic() + timeout
    app.processEvents()
    while dialog.is_previewing() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    app.processEvents()


def shoot(app: QApplication, dialog: ImportDialog, name: str) -> None:
    settle(app, dialog)
    write_png(dialog, Path("/tmp") / f"import_{name}.png")
    print(f"  ({dialog.width()}x{dialog.height()})")


def open_on(app: QApplication, path: Path, size: tuple[int, int] | None = None) -> ImportDialog:
    dialog = ImportDialog(path=path)
    if size is not None:
        dialog.resize(*size)
    dialog.show()
    settle(app, dialog)
    return dialog


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA
    app = QApplication.instance() or QApplication(sys.argv)

    empty = ImportDialog()
    empty.show()
    shoot(app, empty, "empty")

    bank = open_on(app, data / "messy" / "bank-additional.csv")
    shoot(app, bank, "bank")
    bank.resize(1280, 800)
    shoot(app, bank, "bank_1280x800")
    bank.resize(bank.minimumSize())
    shoot(app, bank, "bank_minimum")

    adult = open_on(app, data / "clean" / "adult-train.csv")
    shoot(app, adult, "adult_no_header")
    adult.options_form.editor("header").widget.click()
    shoot(app, adult, "adult_header_ticked")

    xls = open_on(app, data / "messy" / "statsmodels_macrodata.xls")
    shoot(app, xls, "macrodata_xls")

    penguins = open_on(app, data / "messy" / "penguins-raw.csv")
    penguins.target_combo.setCurrentText("Comments")
    shoot(app, penguins, "penguins_bad_target")

    life = open_on(app, data / "messy" / "Life_Expectancy_Data.csv")
    shoot(app, life, "life_expectancy_warnings")

    with tempfile.TemporaryDirectory() as folder:
        ragged = Path(folder) / "ragged.csv"
        rows = ["a,b,c,d", "1,2,3,4", "1,2,3,4", "1,2,3,4", "5,6,7,8,9,10"]
        rows += [f"{i},{i},{i},{i}" for i in range(20)]
        ragged.write_text("\n".join(rows) + "\n", encoding="utf-8")
        broken = open_on(app, ragged)
        shoot(app, broken, "ragged_error")

    for dialog in (empty, bank, adult, xls, penguins, life, broken):
        dialog.close()


if __name__ == "__main__":
    main()
