"""The Train panel's model column: the tree of models to tick and the selected model's form.

It exists apart from the panel because it owns its own state (which models are on offer for
the task, the settings each one has away from its defaults, the open ParamForm) and its own
rules (a count of changed settings in each row, a warning when the chain rescales numbers
before a tree model); the panel only asks it for the ModelSpecs to train and loads a spec
back into it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.chain.advice import rescaling_note
from workbench.core.chain.model_chain import model_width
from workbench.core.chain.resolve import ResolvedChain, resolve_chain
from workbench.core.chain.width import WIDE_TABLE_COLUMNS, LabelCounts, wide_warning
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.models.catalog import (
    FOREST_ROWS_TEXT,
    ONE_HOT_MAX_LABELS,
    get_model,
    models_for,
)
from workbench.core.models.registry import FAMILIES, ModelDef
from workbench.core.specs import ChainSpec, ModelSpec, TrainSpec
from workbench.gui.widgets.chain_list import NO_ONNX_COLOR, NO_ONNX_TEXT
from workbench.gui.widgets.param_form import ParamForm, muted, muted_label

NO_MODEL_SELECTED_TEXT = "Select a model in the list to see what it does and change its settings."
NAME_ROLE = int(Qt.ItemDataRole.UserRole) + 1
ENCODING_TEXT = (
    f"Categorical columns with more than {ONE_HOT_MAX_LABELS} labels are target encoded (one "
    "column, fitted inside each fold); the others are one-hot encoded. "
    f"{FOREST_ROWS_TEXT[0].upper()}{FOREST_ROWS_TEXT[1:]}."
)


def _changed_params(model: ModelDef, values: Mapping[str, Any]) -> dict[str, Any]:
    """Only the settings set away from their defaults: what a ModelSpec records."""
    defaults = {param.name: param.default for param in model.params}
    return {name: value for name, value in values.items() if defaults.get(name) != value}


class ModelPicker(QSplitter):
    """A vertical splitter: the models to tick (grouped by family, with the baseline box and
    the chain advice) above, the selected model's help and settings form below."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self._task: TaskType | None = None
        self._chain: ResolvedChain = resolve_chain(ChainSpec(), {})
        self._counts = LabelCounts({}, {})
        self._params: dict[str, dict[str, Any]] = {}  # model -> settings away from defaults
        self._form: ParamForm | None = None
        self._form_model: str | None = None
        self.items: dict[str, QTreeWidgetItem] = {}
        self._build()

    # ----------------------------------------------------------------- public API

    def set_task(self, task: TaskType | None) -> None:
        """A new task offers other models: the tree is rebuilt and every edited setting
        dropped."""
        self._task = task
        self._params = {}
        self._populate_models()

    def set_chain(self, chain: ResolvedChain, counts: LabelCounts) -> None:
        """The chain the ticked models will train on, and the labels of the dataset's columns:
        the columns each ticked model will get and the chain's advice show below."""
        self._chain = chain
        self._counts = counts
        self._update_models_hint()

    def model_specs(self) -> tuple[ModelSpec, ...]:
        """The ticked models with their settings away from the defaults."""
        return tuple(
            ModelSpec(name, dict(self._params.get(name, {}))) for name in self.checked_models()
        )

    def checked_models(self) -> list[str]:
        return [
            name for name, item in self.items.items() if item.checkState(0) == Qt.CheckState.Checked
        ]

    def check_model(self, name: str, on: bool = True) -> None:
        self.items[name].setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def select_model(self, name: str) -> None:
        self.model_tree.setCurrentItem(self.items[name])

    def set_model_params(self, name: str, params: Mapping[str, Any]) -> None:
        model = get_model(name)
        self._params[name] = _changed_params(model, model.resolve(params))
        if self._form_model == name:
            self._show_model(name)
        self._mark_changed(name)

    @property
    def param_form(self) -> ParamForm | None:
        """The selected model's settings form."""
        return self._form

    def load_models(self, spec: TrainSpec) -> list[str]:
        """Tick the spec's models with their settings (and the baseline box); the names the
        current task does not offer are returned, not ticked."""
        skipped = []
        self._params = {}
        include_baseline = spec.include_baseline
        for name, item in self.items.items():
            item.setCheckState(0, Qt.CheckState.Unchecked)
            self._mark_changed(name)
        for model in spec.models:
            name = self._offered_name(model.name)
            if name is None:
                if self._is_baseline(model.name):
                    include_baseline = True
                else:
                    skipped.append(model.name)
                continue
            self.check_model(name)
            self.set_model_params(name, model.params)
        self.baseline_box.setChecked(include_baseline)
        return skipped

    def show_first_checked(self) -> None:
        """After a load: open the first ticked model's form, or refresh the one shown."""
        checked = self.checked_models()
        if checked:
            self.select_model(checked[0])
        else:
            self._show_model(self._form_model)

    def _offered_name(self, name: str) -> str | None:
        if self._task is None:
            return None
        try:
            resolved = get_model(name, self._task).name
        except WorkbenchError:
            return None
        return resolved if resolved in self.items else None

    def _is_baseline(self, name: str) -> bool:
        try:
            return self._task is not None and get_model(name, self._task).baseline
        except WorkbenchError:
            return False

    # ----------------------------------------------------------------- layout

    def _build(self) -> None:
        self.model_tree = QTreeWidget()
        self.model_tree.setColumnCount(2)
        self.model_tree.setMinimumHeight(120)
        self.model_tree.setHeaderHidden(True)
        self.model_tree.setRootIsDecorated(False)
        self.model_tree.setIndentation(10)
        self.model_tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.model_tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.model_tree.currentItemChanged.connect(self._model_selected)
        self.model_tree.itemChanged.connect(self._model_checked)
        self.models_hint = muted_label()
        self.chain_advice = QLabel()
        self.chain_advice.setWordWrap(True)
        self.chain_advice.setStyleSheet(f"color: {NO_ONNX_COLOR};")
        self.chain_advice.setVisible(False)
        self.encoding_note = muted_label(ENCODING_TEXT)
        # One short line per model, unwrapped, its full height kept.
        self.widths_label = QLabel()
        self.widths_label.setVisible(False)

        self.baseline_box = QCheckBox("Also train the baseline")
        self.baseline_box.setChecked(True)
        self.baseline_box.setToolTip(
            "A dummy model (the most frequent class, or the mean) trained beside yours: "
            "a floor every real model must beat."
        )

        self.model_title = QLabel()
        font = self.model_title.font()
        font.setBold(True)
        self.model_title.setFont(font)
        self.model_help = QLabel()
        self.model_help.setWordWrap(True)
        self.model_onnx = QLabel()
        self.model_onnx.setWordWrap(True)
        self.model_empty = muted_label(NO_MODEL_SELECTED_TEXT)
        self.reset_button = QPushButton("Reset to defaults")
        self.reset_button.setToolTip("Put every setting of this model back to its default")
        self.reset_button.clicked.connect(self._reset_params)
        self.form_holder = QVBoxLayout()
        self.form_holder.setContentsMargins(0, 0, 0, 0)

        # The notes about the ticked models (columns each gets, the encoding, the chain's
        # advice) sit above the selected model's details, in the half that scrolls: in the
        # top half they squeezed the model list until its rows and the notes overlapped.
        details = QWidget()
        details_layout = QVBoxLayout(details)
        details_layout.addWidget(self.widths_label)
        details_layout.addWidget(self.encoding_note)
        details_layout.addWidget(self.chain_advice)
        details_layout.addWidget(self.model_empty)
        details_layout.addWidget(self.model_title)
        details_layout.addWidget(self.model_help)
        details_layout.addWidget(self.model_onnx)
        details_layout.addLayout(self.form_holder)
        reset_row = QHBoxLayout()
        reset_row.addStretch(1)
        reset_row.addWidget(self.reset_button)
        details_layout.addLayout(reset_row)
        details_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(details)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(QLabel("<b>Models</b> — tick the ones to train"))
        top_layout.addWidget(self.model_tree, 1)
        top_layout.addWidget(self.baseline_box)
        top_layout.addWidget(self.models_hint)
        self.setChildrenCollapsible(False)
        self.addWidget(top)
        self.addWidget(scroll)
        self.setSizes([360, 440])

    # ----------------------------------------------------------------- populating

    def _populate_models(self) -> None:
        self.model_tree.blockSignals(True)
        self.model_tree.clear()
        self.items = {}
        self.model_tree.blockSignals(False)
        self._show_model(None)
        if self._task is None:
            return
        offered = [model for model in models_for(self._task) if not model.baseline]
        bold = QFont(self.font())
        bold.setBold(True)
        self.model_tree.blockSignals(True)
        for family in FAMILIES:
            members = [model for model in offered if model.family == family]
            if not members:
                continue
            header = QTreeWidgetItem([family, ""])
            header.setFont(0, bold)
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.model_tree.addTopLevelItem(header)
            for model in members:
                item = QTreeWidgetItem([model.label, "" if model.onnx else NO_ONNX_TEXT])
                item.setData(0, NAME_ROLE, model.name)
                tip = model.help + ("" if model.onnx else f"\nNot exportable: {model.onnx_note}")
                item.setToolTip(0, tip)
                item.setToolTip(1, model.onnx_note or "Exports to ONNX.")
                if not model.onnx:
                    item.setForeground(1, QBrush(QColor(NO_ONNX_COLOR)))
                item.setFlags(
                    Qt.ItemFlag.ItemIsEnabled
                    | Qt.ItemFlag.ItemIsSelectable
                    | Qt.ItemFlag.ItemIsUserCheckable
                    | Qt.ItemFlag.ItemNeverHasChildren
                )
                item.setCheckState(0, Qt.CheckState.Unchecked)
                header.addChild(item)
                self.items[model.name] = item
            header.setExpanded(True)
        self.model_tree.blockSignals(False)
        self._update_models_hint()

    # ----------------------------------------------------------------- models

    def _model_selected(self, current: QTreeWidgetItem | None, *_args: object) -> None:
        name = current.data(0, NAME_ROLE) if current is not None else None
        self._show_model(str(name) if name else None)

    def _model_checked(self, item: QTreeWidgetItem, column: int) -> None:
        if column == 0:
            self._update_models_hint()

    def _update_models_hint(self) -> None:
        checked = self.checked_models()
        count = len(checked)
        if count == 0:
            self.models_hint.setText("No model ticked yet.")
        else:
            self.models_hint.setText(f"{count} model{'s' if count > 1 else ''} ticked.")
        advice = rescaling_note([get_model(name) for name in checked], self._chain)
        self.chain_advice.setText(advice or "")
        self.chain_advice.setVisible(advice is not None)
        self._show_widths(checked)

    def _show_widths(self, checked: list[str]) -> None:
        """Before training: the columns each ticked model's chain makes, in red above
        chain.width.WIDE_TABLE_COLUMNS; the tooltip holds what `workbench train` prints."""
        lines: list[str] = []
        tips: list[str] = []
        wide = False
        if self._task is not None and not self._chain.problems:
            for name in checked:
                model = get_model(name)
                width = model_width(self._chain, model, self._counts, self._task)
                warning = wide_warning(model.label, width)
                wide = wide or warning is not None
                lines.append(f"{model.label}: {width.count_text()}")
                tips.append(warning or f"{model.label} gets {width.text()}.")
        if wide:
            lines.append(f"Above {WIDE_TABLE_COLUMNS:,} columns: slow to train.")
        self.widths_label.setText("\n".join(lines))
        self.widths_label.setToolTip("\n".join(tips))
        self.widths_label.setStyleSheet(f"color: {NO_ONNX_COLOR};" if wide else "")
        self.widths_label.setMinimumHeight(self.widths_label.sizeHint().height())
        self.widths_label.setVisible(bool(lines))

    def _show_model(self, name: str | None) -> None:
        if self._form is not None:
            self.form_holder.removeWidget(self._form)
            self._form.deleteLater()
            self._form = None
        self._form_model = name
        shown = name is not None
        for widget in (self.model_title, self.model_help, self.model_onnx, self.reset_button):
            widget.setVisible(shown)
        self.model_empty.setVisible(not shown)
        if name is None:
            return
        model = get_model(name)
        self.model_title.setText(f"{model.label} — settings")
        self.model_help.setText(model.help)
        if model.onnx:
            self.model_onnx.setText("Exports to ONNX.")
            muted(self.model_onnx)
            self.model_onnx.setStyleSheet("")
        else:
            self.model_onnx.setText(f"{NO_ONNX_TEXT}: {model.onnx_note}")
            self.model_onnx.setStyleSheet(f"color: {NO_ONNX_COLOR};")
        self._form = ParamForm(model.params, self._params.get(name, {}), owner=model.label)
        self._form.values_changed.connect(lambda values, n=name: self._params_edited(n, values))
        self.form_holder.addWidget(self._form)

    def _params_edited(self, name: str, values: Mapping[str, Any]) -> None:
        self._params[name] = _changed_params(get_model(name), values)
        self._mark_changed(name)

    def _reset_params(self) -> None:
        if self._form_model is not None:
            self.set_model_params(self._form_model, {})

    def _mark_changed(self, name: str) -> None:
        item = self.items.get(name)
        if item is None:
            return
        model = get_model(name)
        changed = len(self._params.get(name, {}))
        suffix = f"  ({changed} changed)" if changed else ""
        self.model_tree.blockSignals(True)
        item.setText(0, model.label + suffix)
        self.model_tree.blockSignals(False)
