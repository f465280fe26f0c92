"""Writing a widget to PNG, shared by scripts/screenshots.py and the shot_*.py inspection scripts.

One place that creates the folder and fails loudly: QPixmap.save returns False (and nothing is
written) for a missing folder, which once left a script printing "wrote" for files that were not
there.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget


def settle(app: QApplication, rounds: int = 3) -> None:
    """Let pending layouts and repaints run before a grab."""
    for _ in range(rounds):
        app.processEvents()


def write_png(widget: QWidget, path: Path) -> Path:
    """`widget` as it is now, saved to `path` (its folder made); raises if nothing was written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(path)):
        raise RuntimeError(f"could not write {path}")
    print(f"wrote {path}")
    return path
