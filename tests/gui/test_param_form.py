"""The generated parameter form: one editor per ParamType, coerced values, inline errors."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QListWidget,
    QSpinBox,
)

from workbench.core.params import Param, ParamType
from workbench.core.steps.catalog import get_step
from workbench.gui.widgets.param_form import ParamForm

PARAMS = (
    Param("n_bins", "Bins", ParamType.INT, 5, help="How many bins.", minimum=2, maximum=100),
    Param("threshold", "Threshold", ParamType.FLOAT, 0.25, minimum=0.0, maximum=1.0),
    Param("standardize", "Standardize", ParamType.BOOL, True),
    Param("method", "Method", ParamType.CHOICE, "iqr", choices=("percentile", "iqr")),
    Param(
        "parts",
        "Parts",
        ParamType.MULTI_CHOICE,
        ("year", "month"),
        choices=("year", "month", "day", "hour"),
    ),
    Param("fill", "Fill value", ParamType.TEXT, "unknown"),
    Param("order", "Order", ParamType.TEXT_LIST, ("low", "medium", "high")),
    Param("max_categories", "Max categories", ParamType.INT, None, minimum=2, optional=True),
)


@pytest.fixture()
def form(qtbot) -> ParamForm:
    widget = ParamForm(PARAMS, owner="step 'test'")
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _checked(items: QListWidget) -> list[str]:
    return [
        items.item(i).text()
        for i in range(items.count())
        if items.item(i).checkState() == Qt.CheckState.Checked
    ]


def test_each_type_builds_its_editor_with_default_and_range(form: ParamForm) -> None:
    bins = form.editor("n_bins")
    assert isinstance(bins, QSpinBox)
    assert (bins.value(), bins.minimum(), bins.maximum()) == (5, 2, 100)
    threshold = form.editor("threshold")
    assert isinstance(threshold, QDoubleSpinBox)
    assert (threshold.value(), threshold.minimum(), threshold.maximum()) == (0.25, 0.0, 1.0)
    standardize = form.editor("standardize")
    assert isinstance(standardize, QCheckBox) and standardize.isChecked()
    method = form.editor("method")
    assert isinstance(method, QComboBox) and method.currentText() == "iqr"
    assert [method.itemText(i) for i in range(method.count())] == ["percentile", "iqr"]
    parts = form.editor("parts")
    assert isinstance(parts, QListWidget) and _checked(parts) == ["year", "month"]
    fill = form.editor("fill")
    assert isinstance(fill, QLineEdit) and fill.text() == "unknown"
    order = form.editor("order")
    assert isinstance(order, QLineEdit) and order.text() == "low, medium, high"
    # Optional: an "auto" box, ticked for a None default, and the editor greyed out.
    auto = form.auto_box("max_categories")
    assert auto is not None and auto.isChecked()
    assert not form.editor("max_categories").isEnabled()
    assert form.auto_box("n_bins") is None
    # Help shows as a tooltip (with the range and the default) and as a line under the field.
    assert "How many bins." in bins.toolTip() and "from 2 to 100" in bins.toolTip()
    assert form.values() == {
        "n_bins": 5,
        "threshold": 0.25,
        "standardize": True,
        "method": "iqr",
        "parts": ("year", "month"),
        "fill": "unknown",
        "order": ("low", "medium", "high"),
        "max_categories": None,
    }


def test_user_edits_are_coerced_and_signalled(qtbot, form: ParamForm) -> None:
    edited: list[tuple[str, object]] = []
    form.param_edited.connect(lambda name, value: edited.append((name, value)))
    with qtbot.waitSignal(form.values_changed) as changed:
        form.editor("method").setCurrentText("percentile")
    assert changed.args[0]["method"] == "percentile"
    order = form.editor("order")
    order.clear()
    qtbot.keyClicks(order, " b , a,, c ")
    assert form.values()["order"] == ("b", "a", "c")
    bins = form.editor("n_bins")
    bins.lineEdit().selectAll()
    qtbot.keyClicks(bins.lineEdit(), "42")
    assert form.values()["n_bins"] == 42 and isinstance(form.values()["n_bins"], int)
    form.editor("parts").item(3).setCheckState(Qt.CheckState.Checked)
    assert form.values()["parts"] == ("year", "month", "hour")
    form.auto_box("max_categories").setChecked(False)
    assert form.values()["max_categories"] == 2  # the spin box's value once auto is off
    assert ("method", "percentile") in edited and ("n_bins", 42) in edited
    assert edited[-1] == ("max_categories", 2)


def test_set_values_does_not_signal_and_reports_bad_values_inline(qtbot, form: ParamForm) -> None:
    with qtbot.assertNotEmitted(form.values_changed):
        form.set_values({"n_bins": "abc", "threshold": 0.5, "max_categories": 7})
    # The bad value is explained under its field, the default kept; nothing raised.
    message = form.error_label("n_bins").text()
    assert "'n_bins' got 'abc'" in message
    assert form.error_label("n_bins").isVisibleTo(form)
    assert form.values()["n_bins"] == 5
    assert form.values()["threshold"] == 0.5
    assert form.values()["max_categories"] == 7 and not form.auto_box("max_categories").isChecked()
    assert form.errors() == {"n_bins": message}
    form.set_values({"n_bins": 150})
    assert "must be at most 100" in form.error_label("n_bins").text()


def test_out_of_range_typing_is_shown_inline_and_keeps_the_last_value(
    qtbot, form: ParamForm
) -> None:
    bins = form.editor("n_bins")
    line = bins.lineEdit()
    line.selectAll()
    qtbot.keyClicks(line, "1")  # 1 is below the minimum of 2 (it could still become 10..19)
    label = form.error_label("n_bins")
    assert label.isVisibleTo(form)
    assert "'1' is not valid here" in label.text() and "from 2 to 100" in label.text()
    assert form.values()["n_bins"] == 5 and not form.is_valid()
    qtbot.keyClicks(line, "2")  # 12 is fine: the message goes
    assert not label.isVisibleTo(form) and form.values()["n_bins"] == 12


def test_form_from_a_registered_step(qtbot) -> None:
    step = get_step("impute")
    form = ParamForm(step.params, {"strategy": "most_frequent"}, owner="step 'impute'")
    qtbot.addWidget(form)
    strategy = form.editor("strategy")
    assert isinstance(strategy, QComboBox)
    assert [strategy.itemText(i) for i in range(strategy.count())] == list(step.params[0].choices)
    assert form.values()["strategy"] == "most_frequent"
