"""A sort-filter proxy whose filter reads the proxy's own fields (a text, a status, a severity).

Changing such a field must tell Qt the filter changed, and how to say so moved between Qt
versions: `beginFilterChange` / `endFilterChange` arrived in Qt 6.9 (where `invalidateFilter`
is deprecated); older Qt only has `invalidateRowsFilter`. The alert list and the runs table both
filter this way, so the dance lives here once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QSortFilterProxyModel


class FilterProxy(QSortFilterProxyModel):
    """Subclasses change their filter fields inside `with self.filter_change():`."""

    @contextmanager
    def filter_change(self) -> Iterator[None]:
        """Re-filter the rows once the fields set in the block are in place."""
        modern = hasattr(self, "beginFilterChange")
        if modern:
            self.beginFilterChange()
        try:
            yield
        finally:
            if modern:
                self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
            else:
                self.invalidateRowsFilter()
