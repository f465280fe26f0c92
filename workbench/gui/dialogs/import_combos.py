"""Combo-box helpers shared by the Import dialog's option form and its target picker.

Both fill combos from code (detected options, a new file's sheets, a preview's columns) and need
the same two rules: select an item by its data, and replace choices without losing the current
one.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QComboBox


def select_data(combo: QComboBox, value: object) -> None:
    """Select the item holding `value`; None falls back to the first item (the 'none' choice)."""
    index = combo.findData(value)
    if index < 0 and value is None:
        index = 0
    if index >= 0:
        combo.setCurrentIndex(index)


def refill(combo: QComboBox, items: Iterable[str], current: str | None) -> None:
    """Replace the choices; no choices (a failed preview) keeps the ones already listed."""
    choices = list(items)
    if choices:
        combo.clear()
        combo.addItems(choices)
    if current is not None:
        if combo.findText(current) < 0:
            combo.addItem(current)
        combo.setCurrentText(current)


__all__ = ["refill", "select_data"]
