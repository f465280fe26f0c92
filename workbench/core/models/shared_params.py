"""Parameter declarations and tuning ranges shared by several models.

Why a module of its own: kNN, trees, forests, boosting and the SVMs come in a classifier and a
regressor that take the same parameters; declaring them once here keeps the two catalogs
(classifiers.py, regressors.py) from drifting apart.
"""

from __future__ import annotations

from workbench.core.models.registry import Tunable
from workbench.core.params import Param, ParamType


def c_param(default: float = 1.0) -> Param:
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


def max_iter_param(default: int, minimum: int = 10) -> Param:
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
# A random forest's trees each draw at most this many rows (bootstrap, with replacement) when
# its `max_samples` is left on auto. Diamonds (43,152 development rows) took the 200-tree
# forest most of a 90 s `workbench train`. benchmarks/forest_rows_bench.py, 5 folds: 15,000
# rows per tree fit in about a third of the time of every row at the same RMSE (-0.06%),
# 10,000 lost 1.3%; adult is below the limit. Smaller trees also make smaller ONNX files.
FOREST_ROWS_PER_TREE = 15_000
MAX_SAMPLES = Param(
    "max_samples",
    "Share of rows per tree",
    ParamType.FLOAT,
    None,
    help="The share of the training rows each tree draws (with replacement). auto: every row "
    f"up to {FOREST_ROWS_PER_TREE:,} training rows, and {FOREST_ROWS_PER_TREE:,} rows' worth "
    "above that (recorded in the run as the share it came to). 1: every row, however many; "
    "smaller: faster, smaller trees.",
    minimum=0.01,
    maximum=1.0,
    optional=True,
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


def max_features_param(default: str) -> Param:
    return Param(
        "max_features",
        "Features per split",
        ParamType.CHOICE,
        default,
        help="How many features each split may look at: sqrt or log2 of their number (more "
        "varied trees), or all.",
        choices=("sqrt", "log2", "all"),
    )


def criterion_param(choices: tuple[str, ...]) -> Param:
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
        "max_bins",
        "Bins per number",
        ParamType.INT,
        255,
        help="Each number column is cut into at most this many bins before the trees split "
        "it. Fewer bins: coarser splits, less overfitting on small tables.",
        minimum=2,
        maximum=255,
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
    Tunable("max_iter", "int", 50, 1000, log=True),
    Tunable("max_leaf_nodes", "int", 4, 128, log=True),
    Tunable("min_samples_leaf", "int", 5, 100, log=True),
    Tunable("l2_regularization", "float", 0.001, 100.0, log=True),
    Tunable("max_bins", "int", 16, 255, log=True),
)
# Small trees learning slowly: the boosting settings that do well on many tables, small ones
# above all, where the defaults' larger trees overfit. The auto search tries them before its
# draws (ModelDef.tuning_starts): without them its first few draws decide whether the boosting
# models look better than a random forest, and on insurance (1,070 rows, 120 s) a random
# forest's defaults won that race on one split and kept the budget.
HGB_STARTS = (
    {
        "learning_rate": 0.05,
        "max_iter": 300,
        "max_leaf_nodes": 8,
        "min_samples_leaf": 20,
        "l2_regularization": 1.0,
        "max_bins": 255,
    },
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
    Tunable("n_estimators", "int", 50, 1000, log=True),
    Tunable("subsample", "float", 0.5, 1.0),
    Tunable("colsample_bytree", "float", 0.5, 1.0),
    Tunable("min_child_weight", "float", 0.5, 20.0, log=True),
    Tunable("reg_lambda", "float", 0.01, 100.0, log=True),
)
XGB_STARTS = (
    {
        "learning_rate": 0.05,
        "max_depth": 3,
        "n_estimators": 300,
        "subsample": 0.8,
        "colsample_bytree": 0.8,
        "min_child_weight": 1.0,
        "reg_lambda": 1.0,
    },
)
XGB_NOTE = (
    "Converts with onnxmltools' XGBoost converter; the workbench wrapper (original class labels, "
    "dense float32 input) needs the exporter to convert its `model_` and map class indices back "
    "to `classes_`."
)
SCALED_NOTE = "Needs scaled numbers: its default chain scales numeric columns."
