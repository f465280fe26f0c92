"""The classification models, each declared once and registered on import.

Why a module of its own: the catalog is long, and the classifiers are read and edited apart
from the regressors. catalog.py imports this module before regressors.py, so
`models_for` lists the classifiers in this order (baseline first).
"""

from __future__ import annotations

from workbench.core.models.registry import CLASSIFICATION, ModelDef, Tunable, built_by, register
from workbench.core.models.shared_params import (
    CLASS_CRITERIA,
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

register(
    ModelDef(
        name="dummy_classifier",
        label="Baseline (no model)",
        family="Baseline",
        help="Ignores the features and predicts from the class shares alone. Not a model to "
        "use: the score any real model must beat to have learned something.",
        tasks=CLASSIFICATION,
        factory=built_by("make_dummy_classifier"),
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
        factory=built_by("make_logistic_regression"),
        params=(c_param(), max_iter_param(1000)),
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
        factory=built_by("make_linear_svm"),
        params=(c_param(), max_iter_param(2000)),
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
        factory=built_by("make_svm_rbf"),
        params=(c_param(), GAMMA),
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
        factory=built_by("make_knn_classifier"),
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
        factory=built_by("make_naive_bayes"),
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
        factory=built_by("make_decision_tree"),
        params=(MAX_DEPTH, MIN_SAMPLES_LEAF, criterion_param(CLASS_CRITERIA)),
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
        factory=built_by("make_random_forest"),
        params=(
            N_ESTIMATORS_FOREST,
            MAX_DEPTH,
            MIN_SAMPLES_LEAF,
            max_features_param("sqrt"),
            MAX_SAMPLES,
        ),
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
        factory=built_by("make_extra_trees"),
        params=(N_ESTIMATORS_FOREST, MAX_DEPTH, MIN_SAMPLES_LEAF, max_features_param("sqrt")),
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
        factory=built_by("make_hist_gradient_boosting"),
        params=HGB_PARAMS,
        tuning=HGB_TUNING,
        tuning_starts=HGB_STARTS,
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
        factory=built_by("make_xgboost"),
        params=XGB_PARAMS,
        tuning=XGB_TUNING,
        tuning_starts=XGB_STARTS,
        handles_missing=True,
        supports_class_weight=True,  # the wrapper turns class weights into row weights
        onnx_note=XGB_NOTE,
    )
)
