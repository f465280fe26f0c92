"""The regression models, each declared once and registered on import.

Why a module of its own: the catalog is long, and the regressors are read and edited apart
from the classifiers. catalog.py imports this module after classifiers.py, so
`models_for` lists the regressors in this order (baseline first).
"""

from __future__ import annotations

from workbench.core.models.registry import REGRESSION, ModelDef, Tunable, built_by, register
from workbench.core.models.shared_params import (
    FOREST_TUNING,
    GAMMA,
    HGB_PARAMS,
    HGB_STARTS,
    HGB_TUNING,
    KNN_TUNING,
    MAX_DEPTH,
    MAX_SAMPLES,
    MIN_SAMPLES_LEAF,
    N_ESTIMATORS_FOREST,
    N_NEIGHBORS,
    REGRESSION_CRITERIA,
    SCALED_NOTE,
    TREE_TUNING,
    WEIGHTS,
    XGB_NOTE,
    XGB_PARAMS,
    XGB_STARTS,
    XGB_TUNING,
    c_param,
    criterion_param,
    max_features_param,
    max_iter_param,
)
from workbench.core.params import Param, ParamType

ALPHA_HELP = "Strength of the penalty: larger = smaller weights, a simpler model."

register(
    ModelDef(
        name="dummy_regressor",
        label="Baseline (no model)",
        family="Baseline",
        help="Ignores the features and always predicts the training mean (or median). The "
        "score any real model must beat.",
        tasks=REGRESSION,
        factory=built_by("make_dummy_regressor"),
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
        factory=built_by("make_linear_regression"),
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
            max_iter_param(10_000),
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
            max_iter_param(10_000),
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
            factory=built_by(f"make_{_name}"),
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
        factory=built_by("make_svr"),
        params=(
            c_param(),
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
        factory=built_by("make_knn_regressor"),
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
        factory=built_by("make_decision_tree"),
        params=(MAX_DEPTH, MIN_SAMPLES_LEAF, criterion_param(REGRESSION_CRITERIA[:3])),
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
        factory=built_by("make_random_forest"),
        params=(
            N_ESTIMATORS_FOREST,
            MAX_DEPTH,
            MIN_SAMPLES_LEAF,
            max_features_param("all"),
            MAX_SAMPLES,
        ),
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
        factory=built_by("make_extra_trees"),
        params=(N_ESTIMATORS_FOREST, MAX_DEPTH, MIN_SAMPLES_LEAF, max_features_param("all")),
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
        factory=built_by("make_hist_gradient_boosting"),
        params=HGB_PARAMS,
        tuning=HGB_TUNING,
        tuning_starts=HGB_STARTS,
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
        factory=built_by("make_xgboost"),
        params=XGB_PARAMS,
        tuning=XGB_TUNING,
        tuning_starts=XGB_STARTS,
        handles_missing=True,
        onnx_note=XGB_NOTE,
    )
)
