"""The model registry: every model declared once, like the steps.

A declaration says what the GUI shows (label, family, help), which tasks the model does, its
typed parameters, its tuning space, how to build the estimator, what it needs from the data
(scaling, no missing values) and whether it converts to ONNX. Forms, validation, the CLI's
listings and the tuner read the declarations; `build_model` turns a ModelSpec into an unfitted
estimator.

This module imports no scikit-learn or xgboost: the desktop window reads the declarations, and
only fitting (in child processes) pays for the import. Factories live in models_impl.py and are
named with `LazyModelFactory`.

Decisions:
- Names are stable snake_case with the task in them (`random_forest_classifier`); the short
  aliases of the CLI (`random_forest`, `xgboost`, ...) resolve by task (`resolve_model_name`).
- `model_options` (from the chain's MODEL steps, see chain.model_options) are honoured where the
  model supports them and ignored where it does not; `option_notes` says which were ignored, so
  the runner can show it. Ignoring is the right default: "class weights" on a kNN model is a
  reasonable chain the user may compare across models, not an error.
- Seeds: every model with randomness gets `random_state=seed`; `n_jobs` goes to the models that
  take it (forests, kNN, xgboost).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, Literal

import numpy as np

from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnKind, TaskType
from workbench.core.params import Param, ParamType, resolve_params
from workbench.core.specs import ChainSpec, ModelSpec, StepSpec

CLASSIFICATION = frozenset({TaskType.BINARY, TaskType.MULTICLASS})
REGRESSION = frozenset({TaskType.REGRESSION})
TASK_PHRASES = {
    TaskType.BINARY: "binary classification",
    TaskType.MULTICLASS: "multiclass classification",
    TaskType.REGRESSION: "regression",
}
FAMILIES = ("Baseline", "Linear", "Kernel", "Neighbours", "Probabilistic", "Trees", "Boosting")
# Models that split on thresholds: they need no scaling, and rescaled inputs move rows across
# their split points once ONNX computes the rescaling in float32.
TREE_FAMILIES = frozenset({"Trees", "Boosting"})
# The options a MODEL step may hand over (chain.model_options).
MODEL_OPTIONS = ("class_weight",)

# factory(params, seed, n_jobs, task, model_options) -> an unfitted estimator
ModelFactory = Callable[[Mapping[str, Any], int, "int | None", TaskType, Mapping[str, Any]], Any]


@dataclass(frozen=True)
class LazyModelFactory:
    """`module.function` as a model factory, imported on its first call (see steps/lazy.py)."""

    module: str
    function: str

    def resolve(self) -> ModelFactory:
        return getattr(import_module(self.module), self.function)

    def __call__(
        self,
        params: Mapping[str, Any],
        seed: int,
        n_jobs: int | None,
        task: TaskType,
        model_options: Mapping[str, Any],
    ) -> Any:
        return self.resolve()(params, seed, n_jobs, task, model_options)


def _impl(function: str) -> LazyModelFactory:
    return LazyModelFactory("workbench.core.models_impl", function)


# --- tuning ranges -------------------------------------------------------------------------

TunableKind = Literal["int", "float", "choice"]


@dataclass(frozen=True)
class Tunable:
    """A tuning range for one hyperparameter: whole numbers or numbers between `low` and `high`
    (sampled evenly on a log scale when `log`), or a list of `choices` (which may hold None)."""

    name: str
    kind: TunableKind
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple = ()

    def __post_init__(self) -> None:
        if self.kind == "choice":
            if not self.choices:
                raise WorkbenchError(f"tuning '{self.name}': give at least one choice")
            return
        if self.kind not in ("int", "float"):
            raise WorkbenchError(f"tuning '{self.name}': unknown kind '{self.kind}'")
        if self.low is None or self.high is None or self.low > self.high:
            raise WorkbenchError(
                f"tuning '{self.name}': a range needs low <= high, got {self.low}..{self.high}"
            )
        if self.log and self.low <= 0:
            raise WorkbenchError(
                f"tuning '{self.name}': a log range must start above 0, got {self.low:g}"
            )

    def sample(self, rng: np.random.Generator) -> Any:
        """One value drawn at random (random search)."""
        if self.kind == "choice":
            return self.choices[int(rng.integers(len(self.choices)))]
        assert self.low is not None and self.high is not None
        if self.log:
            value = math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        else:
            value = rng.uniform(self.low, self.high)
        if self.kind == "int":
            return int(min(max(round(value), math.ceil(self.low)), math.floor(self.high)))
        return float(value)

    def grid(self, points: int = 5) -> tuple:
        """At most `points` evenly spread values, ends included (grid search); all choices."""
        if self.kind == "choice":
            return tuple(self.choices)
        assert self.low is not None and self.high is not None
        if points <= 1 or self.low == self.high:
            return (round(float(self.low)) if self.kind == "int" else float(self.low),)
        if self.log:
            values = np.geomspace(self.low, self.high, points)
        else:
            values = np.linspace(self.low, self.high, points)
        if self.kind == "int":
            return tuple(dict.fromkeys(round(float(v)) for v in values))
        return tuple(float(v) for v in values)

    def to_dict(self) -> dict[str, Any]:
        """The TuneSpec.space form: a list of choices, or {"low", "high", "log"}."""
        if self.kind == "choice":
            return {"choices": list(self.choices)}
        return {"low": self.low, "high": self.high, "log": self.log}


# --- declarations --------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelDef:
    name: str  # stable snake_case, used in project files and on the CLI
    label: str
    family: str  # one of FAMILIES, for grouping in the GUI
    help: str
    tasks: frozenset[TaskType]
    factory: LazyModelFactory
    params: tuple[Param, ...] = ()
    tuning: tuple[Tunable, ...] = ()
    needs_scaling: bool = False  # default_model_chain scales numeric columns
    handles_missing: bool = False  # takes NaN; otherwise default_model_chain imputes
    needs_dense: bool = True  # every model here takes dense input (one-hot is dense)
    supports_class_weight: bool = False
    onnx: bool = True
    onnx_note: str = ""
    baseline: bool = False  # the dummies: a floor every real model must beat
    tags: tuple[str, ...] = field(default_factory=tuple)

    def resolve(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Every parameter with a checked value, or a WorkbenchError naming model and parameter."""
        return resolve_params(self.params, params, f"model '{self.name}'")

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        names = ", ".join(p.name for p in self.params) or "none"
        raise WorkbenchError(
            f"model '{self.name}' has no parameter '{name}'; its parameters: {names}"
        )

    def to_dict(self) -> dict[str, Any]:
        """For documentation and the CLI's listings."""
        return {
            "name": self.name,
            "label": self.label,
            "family": self.family,
            "help": self.help,
            "tasks": sorted(task.value for task in self.tasks),
            "params": [param.to_dict() for param in self.params],
            "tuning": {t.name: t.to_dict() for t in self.tuning},
            "needs_scaling": self.needs_scaling,
            "handles_missing": self.handles_missing,
            "supports_class_weight": self.supports_class_weight,
            "onnx": self.onnx,
            "onnx_note": self.onnx_note,
            "baseline": self.baseline,
        }


_REGISTRY: dict[str, ModelDef] = {}


def register(model: ModelDef) -> ModelDef:
    if model.name in _REGISTRY:
        raise ValueError(f"model '{model.name}' is registered twice")
    if model.family not in FAMILIES:
        raise ValueError(f"model '{model.name}' has unknown family '{model.family}'")
    declared = {param.name for param in model.params}
    for tunable in model.tuning:
        if tunable.name not in declared:
            raise ValueError(f"model '{model.name}' tunes undeclared parameter '{tunable.name}'")
    _REGISTRY[model.name] = model
    return model


# --- shared parameter declarations ----------------------------------------------------------


def _c_param(default: float = 1.0) -> Param:
    return Param(
        "C",
        "Regularisation C",
        ParamType.FLOAT,
        default,
        help="Inverse strength of the penalty: smaller C = simpler model that underfits less "
        "noise; larger C = follows the training rows more closely.",
        minimum=1e-6,
        maximum=1e6,
    )


def _max_iter(default: int, minimum: int = 10) -> Param:
    return Param(
        "max_iter",
        "Maximum iterations",
        ParamType.INT,
        default,
        help="Upper bound on the solver's iterations; raise it if a convergence warning shows.",
        minimum=minimum,
        maximum=1_000_000,
    )


GAMMA = Param(
    "gamma",
    "Kernel width (gamma)",
    ParamType.FLOAT,
    None,
    help="How far one training row's influence reaches: larger = more local, wigglier "
    "boundary. Empty: 1 / (number of features x variance), scikit-learn's 'scale'.",
    minimum=1e-9,
    maximum=1e6,
    optional=True,
)
N_NEIGHBORS = Param(
    "n_neighbors",
    "Neighbours",
    ParamType.INT,
    5,
    help="How many nearest training rows vote (or are averaged). More: smoother, less local.",
    minimum=1,
    maximum=1000,
)
WEIGHTS = Param(
    "weights",
    "Neighbour weights",
    ParamType.CHOICE,
    "uniform",
    help="uniform: every neighbour counts the same; distance: closer neighbours count more.",
    choices=("uniform", "distance"),
)
MAX_DEPTH = Param(
    "max_depth",
    "Maximum depth",
    ParamType.INT,
    None,
    help="How many questions a tree may ask in a row. Empty: grow until leaves are pure "
    "(or reach the minimum leaf size). Shallower trees overfit less.",
    minimum=1,
    maximum=200,
    optional=True,
)
MIN_SAMPLES_LEAF = Param(
    "min_samples_leaf",
    "Minimum rows per leaf",
    ParamType.INT,
    1,
    help="A split is kept only if each side keeps at least this many training rows. Larger: "
    "smoother predictions, less overfitting.",
    minimum=1,
    maximum=100_000,
)
N_ESTIMATORS_FOREST = Param(
    "n_estimators",
    "Trees",
    ParamType.INT,
    200,
    help="How many trees are averaged. More: steadier results, slower; never worse on average.",
    minimum=1,
    maximum=10_000,
)


def _max_features(default: str) -> Param:
    return Param(
        "max_features",
        "Features per split",
        ParamType.CHOICE,
        default,
        help="How many features each split may look at: sqrt or log2 of their number (more "
        "varied trees), or all.",
        choices=("sqrt", "log2", "all"),
    )


def _criterion(choices: tuple[str, ...]) -> Param:
    return Param(
        "criterion",
        "Split quality",
        ParamType.CHOICE,
        choices[0],
        help="How a split is scored. The default is almost always fine.",
        choices=choices,
    )


CLASS_CRITERIA = ("gini", "entropy", "log_loss")
REGRESSION_CRITERIA = ("squared_error", "absolute_error", "friedman_mse", "poisson")

DEPTH_CHOICES = Tunable("max_depth", "choice", choices=(None, 3, 5, 8, 12, 20, 30))
TREE_TUNING = (
    Tunable("max_depth", "choice", choices=(None, 3, 5, 8, 12, 20)),
    Tunable("min_samples_leaf", "int", 1, 50, log=True),
)
FOREST_TUNING = (
    Tunable("n_estimators", "int", 100, 500),
    DEPTH_CHOICES,
    Tunable("min_samples_leaf", "int", 1, 20, log=True),
    Tunable("max_features", "choice", choices=("sqrt", "log2", "all")),
)
KNN_TUNING = (
    Tunable("n_neighbors", "int", 1, 50, log=True),
    Tunable("weights", "choice", choices=("uniform", "distance")),
)
HGB_PARAMS = (
    Param(
        "learning_rate",
        "Learning rate",
        ParamType.FLOAT,
        0.1,
        help="How much each new tree corrects the previous ones. Smaller: needs more "
        "iterations, often generalises better.",
        minimum=1e-4,
        maximum=1.0,
    ),
    Param(
        "max_iter",
        "Boosting iterations",
        ParamType.INT,
        100,
        help="How many trees are added one after the other (fewer when early stopping "
        "ends it; early stopping is on above 10,000 rows).",
        minimum=1,
        maximum=10_000,
    ),
    Param(
        "max_leaf_nodes",
        "Leaves per tree",
        ParamType.INT,
        31,
        help="Size of each tree. Empty: no limit.",
        minimum=2,
        maximum=4096,
        optional=True,
    ),
    MAX_DEPTH,
    Param(
        "min_samples_leaf",
        "Minimum rows per leaf",
        ParamType.INT,
        20,
        help="A leaf holds at least this many training rows.",
        minimum=1,
        maximum=100_000,
    ),
    Param(
        "l2_regularization",
        "L2 penalty",
        ParamType.FLOAT,
        0.0,
        help="Shrinks leaf values; above 0 makes the model more conservative.",
        minimum=0.0,
        maximum=1e6,
    ),
)
HGB_TUNING = (
    Tunable("learning_rate", "float", 0.01, 0.3, log=True),
    Tunable("max_iter", "int", 100, 1000),
    Tunable("max_leaf_nodes", "int", 8, 128, log=True),
    Tunable("min_samples_leaf", "int", 5, 100, log=True),
    Tunable("l2_regularization", "float", 0.0, 10.0),
)
XGB_PARAMS = (
    Param(
        "n_estimators",
        "Boosting rounds",
        ParamType.INT,
        300,
        help="How many trees are added one after the other.",
        minimum=1,
        maximum=20_000,
    ),
    Param(
        "learning_rate",
        "Learning rate",
        ParamType.FLOAT,
        0.1,
        help="How much each tree corrects the previous ones. Smaller needs more rounds.",
        minimum=1e-4,
        maximum=1.0,
    ),
    Param(
        "max_depth",
        "Maximum depth",
        ParamType.INT,
        6,
        help="Depth of each tree. Deeper: more interactions, more overfitting.",
        minimum=1,
        maximum=30,
    ),
    Param(
        "subsample",
        "Row sample",
        ParamType.FLOAT,
        1.0,
        help="Share of training rows each tree sees (below 1 adds randomness, reduces "
        "overfitting).",
        minimum=0.05,
        maximum=1.0,
    ),
    Param(
        "colsample_bytree",
        "Column sample",
        ParamType.FLOAT,
        1.0,
        help="Share of the features each tree sees.",
        minimum=0.05,
        maximum=1.0,
    ),
    Param(
        "min_child_weight",
        "Minimum leaf weight",
        ParamType.FLOAT,
        1.0,
        help="A leaf needs at least this much weight (roughly rows); larger is more conservative.",
        minimum=0.0,
        maximum=1e6,
    ),
    Param(
        "reg_lambda",
        "L2 penalty",
        ParamType.FLOAT,
        1.0,
        help="Shrinks leaf values; larger is more conservative.",
        minimum=0.0,
        maximum=1e6,
    ),
)
XGB_TUNING = (
    Tunable("learning_rate", "float", 0.01, 0.3, log=True),
    Tunable("max_depth", "int", 2, 10),
    Tunable("n_estimators", "int", 100, 1000),
    Tunable("subsample", "float", 0.5, 1.0),
    Tunable("colsample_bytree", "float", 0.5, 1.0),
    Tunable("min_child_weight", "float", 1.0, 20.0, log=True),
)
XGB_NOTE = (
    "Converts with onnxmltools' XGBoost converter; the workbench wrapper (original class labels, "
    "dense float32 input) needs the exporter to convert its `model_` and map class indices back "
    "to `classes_`."
)
SCALED_NOTE = "Needs scaled numbers: its default chain scales numeric columns."

# --- classification ------------------------------------------------------------------------

register(
    ModelDef(
        name="dummy_classifier",
        label="Baseline (no model)",
        family="Baseline",
        help="Ignores the features and predicts from the class shares alone. Not a model to "
        "use: the score any real model must beat to have learned something.",
        tasks=CLASSIFICATION,
        factory=_impl("make_dummy_classifier"),
        params=(
            Param(
                "strategy",
                "Strategy",
                ParamType.CHOICE,
                "prior",
                help="prior: always the most frequent class, probabilities = class shares; "
                "most_frequent: the same with 0/1 probabilities; stratified: random classes "
                "in the training shares.",
                choices=("prior", "most_frequent", "stratified"),
            ),
        ),
        handles_missing=True,
        onnx=False,
        onnx_note="A baseline for comparison; it is not exported.",
        baseline=True,
    )
)
register(
    ModelDef(
        name="logistic_regression",
        label="Logistic regression",
        family="Linear",
        help="A weighted sum of the features turned into a probability. Fast, explainable "
        "(one weight per feature), a strong baseline; misses interactions unless you build "
        "them. " + SCALED_NOTE,
        tasks=CLASSIFICATION,
        factory=_impl("make_logistic_regression"),
        params=(_c_param(), _max_iter(1000)),
        tuning=(Tunable("C", "float", 1e-3, 100.0, log=True),),
        needs_scaling=True,
        supports_class_weight=True,
        onnx_note="LogisticRegression converts.",
    )
)
register(
    ModelDef(
        name="linear_svm",
        label="Linear SVM",
        family="Linear",
        help="A straight boundary with the widest margin between classes; probabilities come "
        "from a sigmoid calibrated on 5 internal folds. Fast on large tables (a second on "
        "adult's 32k rows). " + SCALED_NOTE,
        tasks=CLASSIFICATION,
        factory=_impl("make_linear_svm"),
        params=(_c_param(), _max_iter(2000)),
        tuning=(Tunable("C", "float", 1e-3, 100.0, log=True),),
        needs_scaling=True,
        supports_class_weight=True,
        onnx_note="CalibratedClassifierCV(LinearSVC) converts with skl2onnx.",
    )
)
register(
    ModelDef(
        name="svm_rbf",
        label="SVM (RBF kernel)",
        family="Kernel",
        help="A curved boundary built from similarities to training rows; strong on small "
        "and medium tables. Slow beyond ~20,000 rows (time grows with the square of the "
        "rows). Probabilities come from a sigmoid calibrated on 5 internal folds. " + SCALED_NOTE,
        tasks=CLASSIFICATION,
        factory=_impl("make_svm_rbf"),
        params=(_c_param(), GAMMA),
        tuning=(
            Tunable("C", "float", 1e-2, 100.0, log=True),
            Tunable("gamma", "float", 1e-4, 1.0, log=True),
        ),
        needs_scaling=True,
        supports_class_weight=True,
        onnx_note="CalibratedClassifierCV(SVC) converts with skl2onnx.",
        tags=("slow_on_large",),
    )
)
register(
    ModelDef(
        name="knn_classifier",
        label="k-nearest neighbours",
        family="Neighbours",
        help="Predicts the class most common among the most similar training rows. No "
        "training, slow prediction on large tables; suffers with many features. " + SCALED_NOTE,
        tasks=CLASSIFICATION,
        factory=_impl("make_knn_classifier"),
        params=(N_NEIGHBORS, WEIGHTS),
        tuning=KNN_TUNING,
        needs_scaling=True,
        onnx_note="KNeighborsClassifier converts.",
    )
)
register(
    ModelDef(
        name="naive_bayes",
        label="Naive Bayes (Gaussian)",
        family="Probabilistic",
        help="Assumes every feature is bell-shaped within each class and independent of the "
        "others. Very fast, works on tiny tables; probabilities are often overconfident.",
        tasks=CLASSIFICATION,
        factory=_impl("make_naive_bayes"),
        params=(
            Param(
                "var_smoothing",
                "Variance smoothing",
                ParamType.FLOAT,
                1e-9,
                help="Share of the largest variance added to every variance, for stability.",
                minimum=0.0,
                maximum=1.0,
            ),
        ),
        tuning=(Tunable("var_smoothing", "float", 1e-12, 1e-2, log=True),),
        onnx_note="GaussianNB converts.",
    )
)
register(
    ModelDef(
        name="decision_tree_classifier",
        label="Decision tree",
        family="Trees",
        help="A flowchart of yes/no questions on the features. Readable, needs no scaling; "
        "one deep tree overfits: limit the depth or use a forest.",
        tasks=CLASSIFICATION,
        factory=_impl("make_decision_tree"),
        params=(MAX_DEPTH, MIN_SAMPLES_LEAF, _criterion(CLASS_CRITERIA)),
        tuning=(*TREE_TUNING, Tunable("criterion", "choice", choices=CLASS_CRITERIA)),
        supports_class_weight=True,
        onnx_note="DecisionTreeClassifier converts.",
    )
)
register(
    ModelDef(
        name="random_forest_classifier",
        label="Random forest",
        family="Trees",
        help="Many deep trees on random samples of rows and features, averaged. Robust, "
        "little tuning needed, no scaling; larger files on disk than boosting.",
        tasks=CLASSIFICATION,
        factory=_impl("make_random_forest"),
        params=(N_ESTIMATORS_FOREST, MAX_DEPTH, MIN_SAMPLES_LEAF, _max_features("sqrt")),
        tuning=FOREST_TUNING,
        supports_class_weight=True,
        onnx_note="RandomForestClassifier converts.",
    )
)
register(
    ModelDef(
        name="extra_trees_classifier",
        label="Extra trees",
        family="Trees",
        help="Like a random forest with random split points: faster to train, often as "
        "accurate, a little smoother.",
        tasks=CLASSIFICATION,
        factory=_impl("make_extra_trees"),
        params=(N_ESTIMATORS_FOREST, MAX_DEPTH, MIN_SAMPLES_LEAF, _max_features("sqrt")),
        tuning=FOREST_TUNING,
        supports_class_weight=True,
        onnx_note="ExtraTreesClassifier converts.",
    )
)
register(
    ModelDef(
        name="hist_gradient_boosting_classifier",
        label="Histogram gradient boosting",
        family="Boosting",
        help="Trees added one after the other, each fixing the previous ones' errors, on "
        "binned features. Usually the most accurate on tables; fast on large ones; takes "
        "missing values as they are.",
        tasks=CLASSIFICATION,
        factory=_impl("make_hist_gradient_boosting"),
        params=HGB_PARAMS,
        tuning=HGB_TUNING,
        handles_missing=True,
        supports_class_weight=True,
        onnx_note="HistGradientBoostingClassifier converts.",
    )
)
register(
    ModelDef(
        name="xgboost_classifier",
        label="XGBoost",
        family="Boosting",
        help="Gradient-boosted trees from the XGBoost library (histogram method). Among the "
        "most accurate on tables; takes missing values as they are; many knobs to tune.",
        tasks=CLASSIFICATION,
        factory=_impl("make_xgboost"),
        params=XGB_PARAMS,
        tuning=XGB_TUNING,
        handles_missing=True,
        supports_class_weight=True,  # the wrapper turns class weights into row weights
        onnx_note=XGB_NOTE,
    )
)

# --- regression ----------------------------------------------------------------------------

ALPHA_HELP = "Strength of the penalty: larger = smaller weights, a simpler model."

register(
    ModelDef(
        name="dummy_regressor",
        label="Baseline (no model)",
        family="Baseline",
        help="Ignores the features and always predicts the training mean (or median). The "
        "score any real model must beat.",
        tasks=REGRESSION,
        factory=_impl("make_dummy_regressor"),
        params=(
            Param(
                "strategy",
                "Strategy",
                ParamType.CHOICE,
                "mean",
                help="mean or median of the training target.",
                choices=("mean", "median"),
            ),
        ),
        handles_missing=True,
        onnx=False,
        onnx_note="A baseline for comparison; it is not exported.",
        baseline=True,
    )
)
register(
    ModelDef(
        name="linear_regression",
        label="Linear regression",
        family="Linear",
        help="Ordinary least squares: a weighted sum of the features. Fast and explainable; "
        "unstable with many correlated features (use ridge). " + SCALED_NOTE,
        tasks=REGRESSION,
        factory=_impl("make_linear_regression"),
        needs_scaling=True,
        onnx_note="LinearRegression converts.",
    )
)
for _name, _label, _help, _params, _tuning in (
    (
        "ridge",
        "Ridge regression",
        "Linear regression with an L2 penalty that shrinks weights: stable with correlated "
        "features. ",
        (Param("alpha", "Penalty (alpha)", ParamType.FLOAT, 1.0, ALPHA_HELP, 0.0, 1e9),),
        (Tunable("alpha", "float", 1e-3, 1000.0, log=True),),
    ),
    (
        "lasso",
        "Lasso",
        "Linear regression with an L1 penalty that sets weak features' weights to exactly 0: "
        "a built-in feature selection. ",
        (
            Param("alpha", "Penalty (alpha)", ParamType.FLOAT, 1.0, ALPHA_HELP, 1e-8, 1e9),
            _max_iter(10_000),
        ),
        (Tunable("alpha", "float", 1e-4, 100.0, log=True),),
    ),
    (
        "elastic_net",
        "Elastic net",
        "Linear regression with a mix of the L1 (lasso) and L2 (ridge) penalties. ",
        (
            Param("alpha", "Penalty (alpha)", ParamType.FLOAT, 1.0, ALPHA_HELP, 1e-8, 1e9),
            Param(
                "l1_ratio",
                "L1 share",
                ParamType.FLOAT,
                0.5,
                help="0: pure ridge penalty; 1: pure lasso.",
                minimum=0.0,
                maximum=1.0,
            ),
            _max_iter(10_000),
        ),
        (
            Tunable("alpha", "float", 1e-4, 100.0, log=True),
            Tunable("l1_ratio", "float", 0.05, 1.0),
        ),
    ),
):
    register(
        ModelDef(
            name=_name,
            label=_label,
            family="Linear",
            help=_help + SCALED_NOTE,
            tasks=REGRESSION,
            factory=_impl(f"make_{_name}"),
            params=_params,
            tuning=_tuning,
            needs_scaling=True,
            onnx_note="Linear models convert.",
        )
    )
register(
    ModelDef(
        name="svr",
        label="Support vector regression",
        family="Kernel",
        help="Fits a curved function that ignores errors smaller than epsilon. Strong on small "
        "tables; slow beyond ~20,000 rows. Epsilon is in the target's units. " + SCALED_NOTE,
        tasks=REGRESSION,
        factory=_impl("make_svr"),
        params=(
            _c_param(),
            Param(
                "epsilon",
                "Tolerance (epsilon)",
                ParamType.FLOAT,
                0.1,
                help="Errors smaller than this (in the target's units) cost nothing.",
                minimum=0.0,
                maximum=1e12,
            ),
            GAMMA,
        ),
        tuning=(
            Tunable("C", "float", 1e-2, 1000.0, log=True),
            Tunable("gamma", "float", 1e-4, 1.0, log=True),
        ),
        needs_scaling=True,
        onnx_note="SVR converts.",
        tags=("slow_on_large",),
    )
)
register(
    ModelDef(
        name="knn_regressor",
        label="k-nearest neighbours",
        family="Neighbours",
        help="Predicts the average target of the most similar training rows. " + SCALED_NOTE,
        tasks=REGRESSION,
        factory=_impl("make_knn_regressor"),
        params=(N_NEIGHBORS, WEIGHTS),
        tuning=KNN_TUNING,
        needs_scaling=True,
        onnx_note="KNeighborsRegressor converts.",
    )
)
register(
    ModelDef(
        name="decision_tree_regressor",
        label="Decision tree",
        family="Trees",
        help="A flowchart of yes/no questions ending in a value. Readable; one deep tree overfits.",
        tasks=REGRESSION,
        factory=_impl("make_decision_tree"),
        params=(MAX_DEPTH, MIN_SAMPLES_LEAF, _criterion(REGRESSION_CRITERIA[:3])),
        tuning=TREE_TUNING,
        onnx_note="DecisionTreeRegressor converts.",
    )
)
register(
    ModelDef(
        name="random_forest_regressor",
        label="Random forest",
        family="Trees",
        help="Many deep trees on random samples of rows, averaged. Robust, little tuning.",
        tasks=REGRESSION,
        factory=_impl("make_random_forest"),
        params=(N_ESTIMATORS_FOREST, MAX_DEPTH, MIN_SAMPLES_LEAF, _max_features("all")),
        tuning=FOREST_TUNING,
        onnx_note="RandomForestRegressor converts.",
    )
)
register(
    ModelDef(
        name="extra_trees_regressor",
        label="Extra trees",
        family="Trees",
        help="Like a random forest with random split points: faster, a little smoother.",
        tasks=REGRESSION,
        factory=_impl("make_extra_trees"),
        params=(N_ESTIMATORS_FOREST, MAX_DEPTH, MIN_SAMPLES_LEAF, _max_features("all")),
        tuning=FOREST_TUNING,
        onnx_note="ExtraTreesRegressor converts.",
    )
)
register(
    ModelDef(
        name="hist_gradient_boosting_regressor",
        label="Histogram gradient boosting",
        family="Boosting",
        help="Trees added one after the other, each fixing the previous ones' errors. Usually "
        "the most accurate on tables; fast; takes missing values as they are.",
        tasks=REGRESSION,
        factory=_impl("make_hist_gradient_boosting"),
        params=HGB_PARAMS,
        tuning=HGB_TUNING,
        handles_missing=True,
        onnx_note="HistGradientBoostingRegressor converts.",
    )
)
register(
    ModelDef(
        name="xgboost_regressor",
        label="XGBoost",
        family="Boosting",
        help="Gradient-boosted trees from the XGBoost library (histogram method); takes "
        "missing values as they are.",
        tasks=REGRESSION,
        factory=_impl("make_xgboost"),
        params=XGB_PARAMS,
        tuning=XGB_TUNING,
        handles_missing=True,
        onnx_note=XGB_NOTE,
    )
)

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
    return dict(_REGISTRY)


def models_for(task: TaskType | str) -> list[ModelDef]:
    """The models that do `task`, in registration order (baseline first)."""
    task = TaskType(task)
    return [model for model in _REGISTRY.values() if task in model.tasks]


def baseline_for(task: TaskType | str) -> ModelDef:
    return next(model for model in models_for(task) if model.baseline)


def resolve_model_name(name: str, task: TaskType | str) -> str:
    """A registered name for `name`: itself, or the alias's model for the task."""
    if name in _REGISTRY or name not in ALIASES:
        return name
    classifier, regressor = ALIASES[name]
    if TaskType(task) == TaskType.REGRESSION:
        return regressor or classifier  # no regression twin: get_model names the task mismatch
    return classifier


def get_model(name: str, task: TaskType | str | None = None) -> ModelDef:
    """The declaration of `name` (an alias when `task` is given); a WorkbenchError naming the
    models for the task when the name is unknown or the model does not do the task."""
    if task is None:
        if name not in _REGISTRY:
            raise WorkbenchError(
                f"unknown model '{name}'; known models: {', '.join(sorted(_REGISTRY))}"
            )
        return _REGISTRY[name]
    task = TaskType(task)
    resolved = resolve_model_name(name, task)
    names = ", ".join(model.name for model in models_for(task))
    phrase = TASK_PHRASES[task]
    if resolved not in _REGISTRY:
        raise WorkbenchError(f"unknown model '{name}'; models for {phrase}: {names}")
    model = _REGISTRY[resolved]
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


# --- what a model needs from the data -------------------------------------------------------

SCALE_KINDS = (ColumnKind.NUMERIC, ColumnKind.DATETIME)


def default_model_chain(model: ModelDef, kinds: Mapping[str, ColumnKind]) -> ChainSpec:
    """The COLUMNS steps that make the columns in `kinds` usable by `model`.

    Pass the columns the user's chain leaves untouched (never the target), with their kinds.
    The steps, in this order, each naming its columns in the order of `kinds`:

    1. drop_columns: text and identifier columns (no model takes raw strings or keys);
    2. datetime_parts (default parts): dates, which then count as numeric;
    3. impute median: numeric and date columns, unless the model takes missing values
       (hist gradient boosting, xgboost, the dummies);
    4. impute most_frequent: boolean columns, on the same condition;
    5. one_hot (no grouping, so ONNX-convertible): categorical columns, for every model; a
       missing label becomes its own 0/1 column, so no imputation is needed;
    6. scale standard: numeric and date columns, for `needs_scaling` models only (a scaler
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
        ("one_hot", groups[ColumnKind.CATEGORICAL], {}),
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
