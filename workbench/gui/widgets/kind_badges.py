"""Colours, short labels and help texts for column kinds and roles.

One place so every panel shows a kind or a role the same way: the data table header, the
profile cards and the prepare panel all read from here. Colour is never the only channel:
each badge also has a word, so the badge stays readable for colour-blind users.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from workbench.core.kinds import ColumnKind, ColumnRole

KIND_LABELS: dict[ColumnKind, str] = {
    ColumnKind.NUMERIC: "numeric",
    ColumnKind.CATEGORICAL: "category",
    ColumnKind.BOOLEAN: "yes/no",
    ColumnKind.DATETIME: "date/time",
    ColumnKind.TEXT: "text",
    ColumnKind.IDENTIFIER: "ID-like",
}

KIND_DESCRIPTIONS: dict[ColumnKind, str] = {
    ColumnKind.NUMERIC: "numbers that can be measured or counted",
    ColumnKind.CATEGORICAL: "a small set of repeated values",
    ColumnKind.BOOLEAN: "two values, such as yes/no or true/false",
    ColumnKind.DATETIME: "dates or times",
    ColumnKind.TEXT: "free text, mostly different in every row",
    ColumnKind.IDENTIFIER: "a different value in every row, such as a code or a name",
}

# Blue/orange/purple/teal stay distinct under the common colour-vision deficiencies;
# the two kinds a model rarely uses as they are (text, ID) get muted greys.
KIND_COLORS: dict[ColumnKind, str] = {
    ColumnKind.NUMERIC: "#2f7ebc",
    ColumnKind.CATEGORICAL: "#e08a1e",
    ColumnKind.BOOLEAN: "#8e5bb5",
    ColumnKind.DATETIME: "#2a9d8f",
    ColumnKind.TEXT: "#6b7a8f",
    ColumnKind.IDENTIFIER: "#9e9e9e",
}

ROLE_LABELS: dict[ColumnRole, str] = {
    ColumnRole.FEATURE: "feature",
    ColumnRole.TARGET: "target",
    ColumnRole.IDENTIFIER: "identifier",
    ColumnRole.IGNORE: "ignored",
}

ROLE_DESCRIPTIONS: dict[ColumnRole, str] = {
    ColumnRole.FEATURE: "an input the model learns from",
    ColumnRole.TARGET: "what the model learns to predict (one column at most)",
    ColumnRole.IDENTIFIER: "names a row; kept with predictions, never a model input",
    ColumnRole.IGNORE: "left out of modelling",
}

UNKNOWN_KIND_LABEL = "unknown kind"
_UNKNOWN_COLOR = "#c8c8c8"


def kind_label(kind: ColumnKind | None) -> str:
    """A one-word label for a kind; `None` (not inferred yet) reads as 'unknown kind'."""
    return KIND_LABELS.get(kind, UNKNOWN_KIND_LABEL) if kind is not None else UNKNOWN_KIND_LABEL


def kind_description(kind: ColumnKind | None) -> str:
    return (
        KIND_DESCRIPTIONS.get(kind, "not inferred yet") if kind is not None else "not inferred yet"
    )


def kind_color(kind: ColumnKind | None) -> QColor:
    return QColor(KIND_COLORS.get(kind, _UNKNOWN_COLOR) if kind is not None else _UNKNOWN_COLOR)


def role_label(role: ColumnRole) -> str:
    return ROLE_LABELS[ColumnRole(role)]


def role_description(role: ColumnRole) -> str:
    return ROLE_DESCRIPTIONS[ColumnRole(role)]


@cache
def kind_icon(kind: ColumnKind | None, size: int = 10) -> QIcon:
    """A filled dot in the kind's colour; cached because headers ask for it on every paint."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(kind_color(kind))
    painter.drawEllipse(0, 0, size - 1, size - 1)
    painter.end()
    return QIcon(pixmap)
