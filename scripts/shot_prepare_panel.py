"""Render the Prepare panel offscreen with a real dataset and a 4-step chain; save PNGs to /tmp.

    .venv/bin/python scripts/shot_prepare_panel.py [--out /tmp] [--data ../shared/data]
        [--dataset titanic|penguins]

For looking at the panel without a display: the empty states, the chain with a step selected
(light and dark palettes), a bad chain (problem marker), and a failing preview.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from workbench.core.io.table import read_table
from workbench.core.kinds import infer_kinds
from workbench.core.specs import ChainSpec, StepSpec
from workbench.gui.panels.prepare_panel import PreparePanel

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
from shot_common import write_png  # noqa: E402
from shot_profile_panel import dark_palette  # noqa: E402

DATASETS = {
    "titanic": ("clean/titanic.csv", "survived"),
    "penguins": ("clean/penguins.csv", "species"),
}


def chain_for(dataset: str) -> ChainSpec:
    if dataset == "penguins":
        return ChainSpec(
            (
                StepSpec("impute", ("bill_length_mm", "body_mass_g"), {"strategy": "median"}),
                StepSpec("impute", ("sex",), {"strategy": "most_frequent"}),
                StepSpec("one_hot", ("island", "sex")),
                StepSpec("scale", ("bill_length_mm", "body_mass_g"), {"method": "robust"}),
            )
        )
    return ChainSpec(
        (
            StepSpec("impute", ("age", "fare"), {"strategy": "median"}),
            StepSpec("one_hot", ("sex", "embarked", "class")),
            StepSpec("drop_columns", ("alive", "deck", "embark_town", "who")),
            StepSpec("scale", ("age", "fare"), {"method": "robust"}),
        )
    )


def settle(app: QApplication, panel: PreparePanel, seconds: float = 30.0) -> None:
    """Let the debounce fire and the preview process finish."""
    deadline = time.monotonic() + seconds
    time.sleep(0.05)
    app.processEvents()
    while time.monotonic() < deadline:
        app.processEvents()
        if not panel.previewing:
            break
        time.sleep(0.05)
    for _ in range(3):
        app.processEvents()


def save(app: QApplication, panel: PreparePanel, path: Path) -> None:
    settle(app, panel)
    write_png(panel, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp"))
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="titanic")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setStyle("Fusion")
    light = app.palette()
    relative, target = DATASETS[args.dataset]
    frame = read_table(args.data / relative).frame
    kinds = infer_kinds(frame)
    out: Path = args.out
    name = args.dataset

    panel = PreparePanel()
    panel.resize(1280, 800)
    panel.show()
    save(app, panel, out / "prepare_no_data.png")
    panel.set_context(frame, kinds, target)
    save(app, panel, out / f"prepare_{name}_empty_chain.png")

    panel.set_chain(chain_for(name))
    for theme, palette in (("light", light), ("dark", dark_palette())):
        app.setPalette(palette)
        panel.select_step(0)
        save(app, panel, out / f"prepare_{name}_impute_{theme}.png")
        panel.select_step(3)
        save(app, panel, out / f"prepare_{name}_scale_{theme}.png")
    app.setPalette(light)

    bad = "sex" if name == "titanic" else "island"
    panel.add_step(StepSpec("scale", (bad,)), 0)  # before its one-hot: still a category
    save(app, panel, out / f"prepare_{name}_bad_step.png")
    panel.undo_stack.undo()
    panel.add_step(StepSpec("log1p", ("age",) if name == "titanic" else ("body_mass_g",)))
    panel.add_step(StepSpec("datetime_parts", ()))
    panel.select_step(len(panel.chain().steps) - 1)
    save(app, panel, out / f"prepare_{name}_dates_step.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
