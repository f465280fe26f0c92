"""The model registry: every model declared once, like the steps.

A declaration says what the GUI shows (label, family, help), which tasks the model does, its
typed parameters, its tuning space, how to build the estimator, what it needs from the data
(scaling, no missing values) and whether it converts to ONNX. Forms, validation, the CLI's
listings and the tuner read the declarations; `build_model` turns a ModelSpec into an unfitted
estimator.

This module imports no scikit-learn or xgboost: the desktop window reads the declarations, and
only fitting (in child processes) pays for the import. Factories live in factories.py and are
named with `LazyFactory`.

Decisions:
- Names are stable snake_case with the task in them (`random_forest_classifier`); the short
  aliases of the CLI (`random_forest`, `xgboost`, ...) resolve by task (`resolve_model_name`).
- `model_options` (from the chain's MODEL steps, see chain.model_options) are honoured where the
  model supports them and ignored where it does not; `option_notes` says which were ignored, so
  the runner can show it. Ignoring is the right default: "class weights" on a kNN model is a
  reasonable chain the user may compare across models, not an error.
- Seeds: every model with randomness gets `random_state=seed`; `n_jobs` goes to the models that
  take it (forests, kNN, xgboost).

The registry is split by job: registry.py holds ModelDef, Tunable and
`register`; shared_params.py the parameters several models share; classifiers.py and
regressors.py the declarations, registered when this module imports them. This module keeps
the look-ups.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnKind, TaskType

# Imported for their registrations, classifiers first: `models_for` keeps registration order.
from workbench.core.models import classifiers, ensembles, regressors  # noqa: F401
from workbench.core.models.registry import (
    ModelDef,
    Tunable,
    TunableKind,
    registered_models,
)
from workbench.core.models.shared_params import FOREST_ROWS_PER_TREE
from workbench.core.params import Param, ParamType
from workbench.core.specs import ChainSpec, ModelSpec, StepSpec

TASK_PHRASES = {
    TaskType.BINARY: "binary classification",
    TaskType.MULTICLASS: "multiclass classification",
    TaskType.REGRESSION: "regression",
}
# The options a MODEL step may hand over (chain.model_options).
MODEL_OPTIONS = ("class_weight",)

# Short names for the CLI: (classification model, regression model).
ALIASES: dict[str, tuple[str, str | None]] = {
    "dummy": ("dummy_classifier", "dummy_regressor"),
    "logistic_regression": ("logistic_regression", None),
    "knn": ("knn_classifier", "knn_regressor"),
    "decision_tree": ("decision_tree_classifier", "decision_tree_regressor"),
    "random_forest": ("random_forest_classifier", "random_forest_regressor"),
    "extra_trees": ("extra_trees_classifier", "extra_trees_regressor"),
    "hist_gradient_boosting": (
        "hist_gradient_boosting_classifier",
        "hist_gradient_boosting_regressor",
    ),
    "xgboost": ("xgboost_classifier", "xgboost_regressor"),
    "svm": ("svm_rbf", "svr"),
}


# --- look-ups ------------------------------------------------------------------------------


def all_models() -> dict[str, ModelDef]:
    return dict(registered_models())


def models_for(task: TaskType | str) -> list[ModelDef]:
    """The models that do `task`, in registration order (baseline first); the ensembles built
    from other runs (`ModelDef.from_runs`) are not among them: nobody trains one from a list."""
    task = TaskType(task)
    return [
        model
        for model in registered_models().values()
        if task in model.tasks and not model.from_runs
    ]


def baseline_for(task: TaskType | str) -> ModelDef:
    return next(model for model in models_for(task) if model.baseline)


def resolve_model_name(name: str, task: TaskType | str) -> str:
    """A registered name for `name`: itself, or the alias's model for the task."""
    if name in registered_models() or name not in ALIASES:
        return name
    classifier, regressor = ALIASES[name]
    if TaskType(task) == TaskType.REGRESSION:
        return regressor or classifier  # no regression twin: get_model names the task mismatch
    return classifier


def get_model(name: str, task: TaskType | str | None = None) -> ModelDef:
    """The declaration of `name` (an alias when `task` is given); a WorkbenchError naming the
    models for the task when the name is unknown or the model does not do the task."""
    if task is None:
        if name not in registered_models():
            raise WorkbenchError(
                f"unknown model '{name}'; known models: {', '.join(sorted(registered_models()))}"
            )
        return registered_models()[name]
    task = TaskType(task)
    resolved = resolve_model_name(name, task)
    names = ", ".join(model.name for model in models_for(task))
    phrase = TASK_PHRASES[task]
    if resolved not in registered_models():
        raise WorkbenchError(f"unknown model '{name}'; models for {phrase}: {names}")
    model = registered_models()[resolved]
    if task not in model.tasks:
        raise WorkbenchError(
            f"model '{resolved}' does not do {phrase}; models for {phrase}: {names}"
        )
    return model


def option_notes(
    model: ModelDef, task: TaskType | str, model_options: Mapping[str, Any] | None
) -> list[str]:
    """One sentence per model option that `build_model` ignores for this model and task, for
    the run's notes; a WorkbenchError for an option no model knows."""
    notes: list[str] = []
    for option, value in (model_options or {}).items():
        if option not in MODEL_OPTIONS:
            known = ", ".join(MODEL_OPTIONS)
            raise WorkbenchError(f"unknown model option '{option}'; known: {known}")
        if option == "class_weight" and value is not None:
            if TaskType(task) == TaskType.REGRESSION:
                notes.append("class weights apply to classification only: ignored")
            elif not model.supports_class_weight:
                notes.append(f"{model.label} cannot weight classes: class weights ignored")
    return notes


def build_model(
    spec: ModelSpec,
    task: TaskType | str,
    seed: int = 0,
    n_jobs: int | None = None,
    model_options: Mapping[str, Any] | None = None,
) -> Any:
    """The unfitted estimator for `spec`: parameters checked (a WorkbenchError names the model
    and the parameter), `random_state=seed` wherever the model is random, `n_jobs` where it is
    taken, and the options of `option_notes` that apply (the others are left out)."""
    task = TaskType(task)
    model = get_model(spec.name, task)
    params = model.resolve(spec.params)
    ignored = option_notes(model, task, model_options)  # also rejects unknown options
    options: dict[str, Any] = {}
    if not ignored and model_options and model_options.get("class_weight") is not None:
        options["class_weight"] = model_options["class_weight"]
    return model.factory(params, seed, n_jobs, task, options)


# The rule of row_scaled_params in words, for the Train panel and the CLI's notes.
FOREST_ROWS_TEXT = (
    f"a random forest on more than {FOREST_ROWS_PER_TREE:,} training rows draws "
    f"{FOREST_ROWS_PER_TREE:,} of them for each tree (its 'Share of rows per tree' on auto; "
    "the run records the share)"
)


def scales_with_rows(model: ModelDef) -> bool:
    """Whether `model` has a setting row_scaled_params fills in from the training rows."""
    return any(param.name == "max_samples" for param in model.params)


def row_scaled_params(model: ModelDef, params: Mapping[str, Any], rows: int) -> dict[str, Any]:
    """`params` with the settings whose default depends on the training rows filled in for
    `rows` rows, so the run records the value it trained with (a rerun repeats it; the
    Experiments panel shows it). A value the user set is kept.

    Today one: a random forest's `max_samples` left on auto becomes the share of `rows` that
    makes FOREST_ROWS_PER_TREE rows per tree, when `rows` is larger (see shared_params)."""
    resolved = dict(params)
    auto = scales_with_rows(model) and resolved.get("max_samples") is None
    if auto and rows > FOREST_ROWS_PER_TREE:
        resolved["max_samples"] = round(FOREST_ROWS_PER_TREE / rows, 4)
    return resolved


def row_scaling_note(model: ModelDef, params: Mapping[str, Any], rows: int) -> str | None:
    """What `row_scaled_params` decided for `model` on `rows` rows, in one sentence, or None
    when it changed nothing (for the Train panel and the CLI's notes)."""
    scaled = row_scaled_params(model, params, rows)
    if scaled.get("max_samples") == params.get("max_samples"):
        return None
    return (
        f"{model.label}: each tree draws {FOREST_ROWS_PER_TREE:,} of the {rows:,} training rows "
        f"(share {scaled['max_samples']:g}); set 'Share of rows per tree' to 1 for every row"
    )


# --- what a model needs from the data -------------------------------------------------------

SCALE_KINDS = (ColumnKind.NUMERIC, ColumnKind.DATETIME)
# A categorical column with more distinct labels than this is not one-hot encoded by the
# default chain (one column per label: googleplaystore's `Reviews` alone would make 6,002) but
# target encoded, one column (one per class for a multiclass target) fitted inside each fold.
# Chosen by measurement: benchmarks/default_chain_bench.py and the README's "Performance".
ONE_HOT_MAX_LABELS = 50
MANY_LABELS_STEP = "target_encode"


def default_model_chain(
    model: ModelDef, kinds: Mapping[str, ColumnKind], many_labels: Collection[str] = ()
) -> ChainSpec:
    """The COLUMNS steps that make the columns in `kinds` usable by `model`.

    Pass the columns the user's chain leaves untouched (never the target), with their kinds,
    and among them the categorical columns with more than ONE_HOT_MAX_LABELS labels
    (`many_labels`, see chain.width.many_label_columns).
    The steps, in this order, each naming its columns in the order of `kinds`:

    1. drop_columns: text and identifier columns (no model takes raw strings or keys);
    2. datetime_parts (default parts): dates, which then count as numeric;
    3. impute median: numeric and date columns, unless the model takes missing values
       (hist gradient boosting, xgboost, the dummies);
    4. impute most_frequent: boolean columns, on the same condition;
    5. one_hot (no grouping): categorical columns with at most ONE_HOT_MAX_LABELS labels, for
       every model; a missing label becomes its own 0/1 column, so no imputation is needed;
    6. target_encode (MANY_LABELS_STEP): the categorical columns in `many_labels`; a missing
       label is a label of its own there too;
    7. scale standard: numeric and date columns, for `needs_scaling` models only (a scaler
       before a tree model only breaks ONNX parity); booleans and one-hot columns are 0/1
       already.

    Steps with no columns are left out. Every step acts on columns, so the runner must place
    the result before the user's first MATRIX step (PCA, feature selection), which needs the
    numbers these steps make.
    """
    groups: dict[ColumnKind, list[str]] = {kind: [] for kind in ColumnKind}
    for column, kind in kinds.items():
        groups[ColumnKind(kind)].append(str(column))
    numeric = groups[ColumnKind.NUMERIC] + groups[ColumnKind.DATETIME]
    numeric.sort(key=list(kinds).index)
    dropped = groups[ColumnKind.TEXT] + groups[ColumnKind.IDENTIFIER]
    dropped.sort(key=list(kinds).index)
    impute = not model.handles_missing
    planned: list[tuple[str, Sequence[str], dict[str, Any]]] = [
        ("drop_columns", dropped, {}),
        ("datetime_parts", groups[ColumnKind.DATETIME], {}),
        ("impute", numeric if impute else [], {"strategy": "median"}),
        ("impute", groups[ColumnKind.BOOLEAN] if impute else [], {"strategy": "most_frequent"}),
        ("one_hot", [c for c in groups[ColumnKind.CATEGORICAL] if c not in many_labels], {}),
        (MANY_LABELS_STEP, [c for c in groups[ColumnKind.CATEGORICAL] if c in many_labels], {}),
        ("scale", numeric if model.needs_scaling else [], {"method": "standard"}),
    ]
    return ChainSpec(
        tuple(
            StepSpec(step, tuple(columns), params) for step, columns, params in planned if columns
        )
    )


# --- tuning space -------------------------------------------------------------------------


def search_space(model: ModelDef, overrides: Mapping[str, Any] | None = None) -> dict[str, Tunable]:
    """The model's tuning space with the user's edits (TuneSpec.space[model.name]).

    An override is a list of values (choices), a {"low", "high", "log"} range for a whole or
    decimal parameter, a Tunable, or None to stop tuning that parameter. Any declared
    parameter may be added; values are checked like the parameter itself.
    """
    space = {tunable.name: tunable for tunable in model.tuning}
    owner = f"model '{model.name}'"
    for name, value in (overrides or {}).items():
        param = model.param(name)
        if value is None:
            space.pop(name, None)
        elif isinstance(value, Tunable):
            space[name] = value
        elif isinstance(value, Mapping) and "choices" in value:
            space[name] = _choices(param, value["choices"], owner)
        elif isinstance(value, Mapping):
            space[name] = _range(param, value, owner)
        elif isinstance(value, list | tuple):
            space[name] = _choices(param, value, owner)
        else:
            raise WorkbenchError(
                f"{owner}: tuning '{name}' needs a list of values or a low/high range, "
                f"got {value!r}"
            )
    return space


def _choices(param: Param, values: Sequence[Any], owner: str) -> Tunable:
    coerced = tuple(dict.fromkeys(param.coerce(value, owner) for value in values))
    if not coerced:
        raise WorkbenchError(f"{owner}: tuning '{param.name}' needs at least one value")
    return Tunable(param.name, "choice", choices=coerced)


def _range(param: Param, value: Mapping[str, Any], owner: str) -> Tunable:
    if param.type not in (ParamType.INT, ParamType.FLOAT):
        raise WorkbenchError(
            f"{owner}: '{param.name}' is a {param.type.value} parameter: tune it with a list "
            "of values, not a range"
        )
    unknown = sorted(set(value) - {"low", "high", "log"})
    if unknown or "low" not in value or "high" not in value:
        raise WorkbenchError(
            f"{owner}: the range of '{param.name}' needs 'low' and 'high' (and optionally "
            f"'log'), got {sorted(value)}"
        )
    low, high = param.coerce(value["low"], owner), param.coerce(value["high"], owner)
    log = bool(value.get("log", False))
    if low > high or (log and low <= 0):
        problem = "low must not exceed high" if low > high else "a log range must start above 0"
        raise WorkbenchError(f"{owner}: tuning '{param.name}' {problem}, got {low:g}..{high:g}")
    kind: TunableKind = "int" if param.type == ParamType.INT else "float"
    return Tunable(param.name, kind, float(low), float(high), log=log)
