"""A word-wrapped label that keeps every line it wraps to.

Why: a wrapped QLabel inside nested layouts (a form row in a scroll area) is given the height
its one-line size hint asks for, then drawn narrower, so its second and later lines are cut
off (the Train panel's parameter help read "How many trees are averaged. More:"). Qt's layouts
honour heightForWidth only at the top level; this label asks for the height its current width
needs whenever the width changes.
"""

from __future__ import annotations

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget


class WrappedLabel(QLabel):
    """A QLabel with word wrap on whose minimum height follows its width."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit_height()

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit_height()

    def _fit_height(self) -> None:
        if self.width() <= 0:
            return  # not laid out yet: its first resize sets the height
        needed = self.heightForWidth(self.width())
        if needed > 0 and needed != self.minimumHeight():
            self.setMinimumHeight(needed)
