"""Start-up time: from launching Python to a visible main window, and to the demo's data shown.

Each measurement is a fresh interpreter (what a user's double-click costs), offscreen, repeated;
the baseline is a bare PySide6 QMainWindow in the same run, so the table shows what the
workbench itself adds. Run: `.venv/bin/python benchmarks/startup_bench.py`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REPEATS = 5

BARE = """
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1280, 800)
window.show()
app.processEvents()
"""

WINDOW = """
import sys
from pathlib import Path
from workbench.gui.application import create_application
from workbench.gui.settings import AppSettings
app = create_application()
from workbench.gui.main_window import MainWindow
window = MainWindow(AppSettings(Path(sys.argv[1])))
window.show()
app.processEvents()
"""

DEMO = (
    WINDOW
    + """
import time
window.open_project(Path(sys.argv[2]))
while window.controller.profile is None or window.data_panel.model.rowCount() == 0:
    app.processEvents()
    time.sleep(0.005)
"""
)

# Widgets must go before the QApplication does, as in run_app; module teardown order is arbitrary.
CLOSE = """
window.close()
del window
app.processEvents()
"""


def measure(code: str, *args: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True, env=env, cwd=REPO)
    return time.perf_counter() - started


def main() -> None:
    demo = REPO / "projects" / "demo"
    with tempfile.TemporaryDirectory() as folder:
        settings = str(Path(folder) / "settings.ini")
        rows = [
            ("bare PySide6 QMainWindow (baseline)", [measure(BARE) for _ in range(REPEATS)]),
            (
                "workbench window visible",
                [measure(WINDOW + CLOSE, settings) for _ in range(REPEATS)],
            ),
            (
                "workbench demo data + profile shown",
                [measure(DEMO + CLOSE, settings, str(demo)) for _ in range(REPEATS)],
            ),
        ]
    print(f"start-up, fresh interpreter each, offscreen, median of {REPEATS} (min-max)")
    print(f"{'what':<40} {'median s':>9} {'range s':>13}")
    for name, times in rows:
        print(f"{name:<40} {statistics.median(times):>9.2f} {min(times):>6.2f}-{max(times):<6.2f}")


if __name__ == "__main__":
    main()
