"""The script's metrics stage: every metric the run logged, computed as the workbench does.

Binary precision, recall and F1 are for the run's positive class; the `_macro` and `_weighted`
variants average over the classes present; `brier` is the mean one-vs-rest Brier score;
`log_loss` clips each row's probability of its true class to [eps, 1 - eps]. A metric that
cannot be computed on some rows (ROC AUC with one class present, MAPE with a zero target) is
left out of that fold, and the mean over folds takes the folds that have it, as the log does.
"""

from __future__ import annotations

from workbench.core.export.script.bundle import NUMPY, PANDAS, ImportLine
from workbench.core.export.script.sections import Stage
from workbench.core.kinds import TaskType

_CLASSIFICATION = '''
def score(model: Pipeline, X: pd.DataFrame, y: pd.Series) -> dict[str, float]:
    """Every classification metric of the run on these rows, from the model's probabilities
    (the predicted class is the most probable one)."""
    classes = list(model.classes_)
    proba = np.asarray(model.predict_proba(X), dtype=np.float64)
    truth = y.to_numpy()
    predicted = np.asarray(classes, dtype=object)[np.argmax(proba, axis=1)]
    if pd.api.types.is_numeric_dtype(y.dtype) or pd.api.types.is_bool_dtype(y.dtype):
        predicted = predicted.astype(truth.dtype)
    indicator = np.column_stack([(truth == label).astype("int64") for label in classes])
    computations = {
        "accuracy": lambda: metrics.accuracy_score(truth, predicted),
        "balanced_accuracy": lambda: metrics.balanced_accuracy_score(truth, predicted),
%(binary_labels)s        "precision_macro": lambda: metrics.precision_score(
            truth, predicted, average="macro", zero_division=0
        ),
        "recall_macro": lambda: metrics.recall_score(
            truth, predicted, average="macro", zero_division=0
        ),
        "f1_macro": lambda: metrics.f1_score(truth, predicted, average="macro", zero_division=0),
        "precision_weighted": lambda: metrics.precision_score(
            truth, predicted, average="weighted", zero_division=0
        ),
        "recall_weighted": lambda: metrics.recall_score(
            truth, predicted, average="weighted", zero_division=0
        ),
        "f1_weighted": lambda: metrics.f1_score(
            truth, predicted, average="weighted", zero_division=0
        ),
        "mcc": lambda: metrics.matthews_corrcoef(truth, predicted),
%(curves)s        "log_loss": lambda: log_loss(truth, proba, classes),
        "brier": lambda: float(np.mean((indicator - proba) ** 2)),
    }
    every_class_present = set(classes) <= set(truth.tolist())
    return finite(computations, skip=() if every_class_present else ("roc_auc", "pr_auc"))


def log_loss(truth: np.ndarray, proba: np.ndarray, classes: list) -> float:
    """Mean of minus the log of each row's probability of its true class, clipped."""
    eps = np.finfo(proba.dtype).eps
    chosen = proba[np.arange(proba.shape[0]), pd.Index(classes).get_indexer(truth)]
    return float(np.mean(-np.log(np.clip(chosen, eps, 1 - eps))))
'''

_BINARY_LABELS = """        "precision": lambda: metrics.precision_score(
            truth, predicted, pos_label=POSITIVE, zero_division=0
        ),
        "recall": lambda: metrics.recall_score(
            truth, predicted, pos_label=POSITIVE, zero_division=0
        ),
        "f1": lambda: metrics.f1_score(truth, predicted, pos_label=POSITIVE, zero_division=0),
"""

_BINARY_CURVES = """        "roc_auc": lambda: metrics.roc_auc_score(
            truth == POSITIVE, proba[:, classes.index(POSITIVE)]
        ),
        "pr_auc": lambda: metrics.average_precision_score(
            truth == POSITIVE, proba[:, classes.index(POSITIVE)]
        ),
"""

_MULTICLASS_CURVES = """        "roc_auc": lambda: metrics.roc_auc_score(
            truth, proba, multi_class="ovr", average="macro", labels=classes
        ),
        "pr_auc": lambda: metrics.average_precision_score(indicator, proba, average="macro"),
"""

_REGRESSION = '''
def score(model: Pipeline, X: pd.DataFrame, y: pd.Series) -> dict[str, float]:
    """Every regression metric of the run on these rows."""
    truth = y.to_numpy(dtype=np.float64)
    predicted = np.asarray(model.predict(X), dtype=np.float64)
    computations = {
        "mae": lambda: metrics.mean_absolute_error(truth, predicted),
        "mse": lambda: metrics.mean_squared_error(truth, predicted),
        "rmse": lambda: metrics.root_mean_squared_error(truth, predicted),
        "r2": lambda: metrics.r2_score(truth, predicted),
        "mape": lambda: metrics.mean_absolute_percentage_error(truth, predicted),
        "median_ae": lambda: metrics.median_absolute_error(truth, predicted),
    }
    # R² needs two rows; a percentage error is undefined where the target is zero.
    skip = (() if truth.size >= 2 else ("r2",)) + (("mape",) if np.any(truth == 0) else ())
    return finite(computations, skip)
'''

_SHARED = '''

def finite(computations: dict, skip: tuple = ()) -> dict[str, float]:
    """The metrics that are defined on these rows (finite, no error), in the run's order."""
    scores = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, compute in computations.items():
            if name in skip:
                continue
            try:
                value = float(compute())
            except ValueError:
                continue
            if math.isfinite(value):
                scores[name] = value
    return scores


def mean_over_folds(fold_scores: list[dict[str, float]]) -> dict[str, float]:
    """Each metric's mean over the folds that have it."""
    names = dict.fromkeys(name for scores in fold_scores for name in scores)
    return {
        name: float(np.mean([scores[name] for scores in fold_scores if name in scores]))
        for name in names
    }
'''


def metrics_stage(task: TaskType) -> tuple[Stage, set[ImportLine]]:
    """The `score(model, X, y)` function for the run's task, and `mean_over_folds`."""
    if task == TaskType.REGRESSION:
        code = _REGRESSION
    else:
        binary = task == TaskType.BINARY
        code = _CLASSIFICATION % {
            "binary_labels": _BINARY_LABELS if binary else "",
            "curves": _BINARY_CURVES if binary else _MULTICLASS_CURVES,
        }
    imports = {
        ImportLine("math"),
        ImportLine("warnings"),
        NUMPY,
        PANDAS,
        ImportLine("sklearn", "metrics"),
        ImportLine("sklearn.pipeline", "Pipeline"),
    }
    note = (
        "The metrics the workbench logs for this task. Binary precision, recall and F1 are "
        "for the positive class the run chose; a metric undefined on some rows is left out "
        "there, and its mean is over the folds that have it."
        if task != TaskType.REGRESSION
        else "The metrics the workbench logs for a regression."
    )
    return Stage("Metrics", note, (code + _SHARED).strip()), imports
