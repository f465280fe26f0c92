"""Guards against known defects of the Qt binding that would crash the application."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    flag = Signal(bool)


def test_bool_signals_keep_the_reference_count_of_true(qtbot) -> None:
    """PySide6 6.12.0 released a reference to True on every emit of a bool signal to a Python
    slot; on Python 3.11 the interpreter aborts once the count reaches zero (seen after the
    whole test suite, as `bool_dealloc`). The window emits such signals all the time."""
    emitter = _Emitter()
    received: list[bool] = []
    emitter.flag.connect(received.append)
    before = sys.getrefcount(True)
    for _ in range(200):
        emitter.flag.emit(True)
    assert len(received) == 200
    received.clear()
    # Other code may take a reference meanwhile; the defect loses one per emit.
    assert sys.getrefcount(True) > before - 50
