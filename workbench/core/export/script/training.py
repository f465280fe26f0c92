"""The script's model stages: the chain and model as scikit-learn code, the training-row steps,
XGBoost's early stopping, and the steps of `main()` (validate, fit, test, save).

The pipeline is the one the runner built for the run (`core.pipeline.build_pipeline` with the
run's recorded chain, model, seed and the search's winning parameters), written out by a
CodeWriter: the workbench's own transformer classes are copied in with their source.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from typing import Any

from sklearn.base import clone

from workbench.core.chain.stages import model_options
from workbench.core.errors import WorkbenchError
from workbench.core.export.script.bundle import NUMPY, ImportLine
from workbench.core.export.script.objects import CodeWriter, output_container
from workbench.core.export.script.owner import script_refusal
from workbench.core.export.script.sections import Stage
from workbench.core.kinds import TaskType
from workbench.core.runs.loaded import LoadedRun
from workbench.core.specs import ModelSpec
from workbench.core.steps.registry import Stage as StepStage

BEST_PREFIX = "best."


def run_template(run: LoadedRun) -> Any:
    """The unfitted pipeline every fit of the run cloned: the runner's build, with the search's
    winning parameters set."""
    from workbench.core.pipeline import build_pipeline

    chain = run.resolved_chain
    best = {
        key.removeprefix(BEST_PREFIX): value
        for key, value in run.record.params.items()
        if key.startswith(BEST_PREFIX)
    }
    spec = ModelSpec(run.spec.model.name, dict(run.spec.model.params))
    template = build_pipeline(
        chain, spec, run.task, run.spec.seed, run.spec.n_jobs, model_options(chain)
    )
    return template.set_params(**{f"model__{k}": v for k, v in best.items()})


def pipeline_function(template: Any, writer: CodeWriter, function: str = "build_pipeline") -> str:
    """`def build_pipeline()` (or `function`): each kind of column branch of the chain as a named
    variable (columns treated alike share one; the ColumnTransformer fits a copy per column
    group), the ColumnTransformer over them, the chain and the whole pipeline: read top to
    bottom, not as one nested expression."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    chain = template.named_steps.get("chain")
    columns = chain.named_steps.get("columns") if isinstance(chain, Pipeline) else None
    if not isinstance(columns, ColumnTransformer):
        body = f"    return {writer.expression(template)}"
    else:
        # set_output on the chain reaches every step inside it: written once, on the chain.
        pandas = output_container(chain.steps[0][1]) == "pandas"
        lines: list[str] = []
        variables: dict[str, str] = {}  # branch expression -> its variable
        entries = []
        for name, estimator, selected in columns.transformers:
            if isinstance(estimator, str):
                entries.append(writer.expression((name, estimator, selected)))
                continue
            expression = writer.expression(estimator, pandas)
            if expression not in variables:
                variables[expression] = _variable(estimator, set(variables.values()))
                lines.append(f"    {variables[expression]} = {expression}")
            entries.append(f"({name!r}, {variables[expression]}, {writer.expression(selected)})")
        shell = writer.expression(clone(columns).set_params(transformers=[]), pandas)
        transformers = "ColumnTransformer([" + ", ".join(entries) + "]"
        lines.append(f"    columns = {shell.replace('ColumnTransformer([]', transformers, 1)}")
        stages = [
            f"({name!r}, columns)"
            if step is columns
            else f"({name!r}, {writer.expression(step, pandas)})"
            for name, step in chain.steps
        ]
        suffix = ".set_output(transform='pandas')" if pandas else ""
        lines.append(f"    chain = Pipeline([{', '.join(stages)}]){suffix}")
        outer = [
            f"({name!r}, chain)" if step is chain else f"({name!r}, {writer.expression(step)})"
            for name, step in template.steps
        ]
        body = "\n".join(lines) + f"\n    return Pipeline([{', '.join(outer)}])"
    return (
        f"def {function}() -> Pipeline:\n"
        '    """The unfitted chain and model, as the run built them: the column groups the\n'
        "    chain treats alike share a branch, side by side in a ColumnTransformer (which fits\n"
        '    a copy of a branch per group)."""\n' + body
    )


def _variable(branch: Any, taken: set[str]) -> str:
    """A Python name for a branch from its steps' names: `impute_then_scale`."""
    steps = getattr(branch, "steps", None) or [(type(branch).__name__, branch)]
    words = [re.sub(r"^s\d+_", "", name) for name, _ in steps]
    base = re.sub(r"\W+", "_", "_then_".join(words)).strip("_").lower() or "branch"
    if base[0].isdigit():
        base = f"step_{base}"
    variable, number = base, 2
    while variable in taken or keyword.iskeyword(variable):
        variable, number = f"{base}_{number}", number + 1
    return variable


def uses_early_stopping(run: LoadedRun, template: Any) -> bool:
    return bool(run.spec.early_stopping) and type(template.steps[-1][1]).__name__ in (
        "XGBClassifierLabels",
        "XGBRegressorDense",
    )


@dataclass(frozen=True)
class FitNames:
    """The names a fitted model's functions take in the script: a plain run's are
    build_pipeline / fit_pipeline / training_rows; an ensemble's k-th member's carry its
    number."""

    build: str = "build_pipeline"
    fit: str = "fit_pipeline"
    rows: str = "training_rows"

    @classmethod
    def member(cls, number: int) -> FitNames:
        return cls(f"build_member_{number}", f"fit_member_{number}", f"member_{number}_rows")


@dataclass(frozen=True)
class FitCode:
    """How one run's model is built and fitted, as script code: `build` (its pipeline
    function), `fit` (its row steps, early stopping and fit), and what the notes say of it."""

    build: str
    fit: str
    steps: list[str]
    tuned: list[str]
    rows: bool
    early: bool


def fit_code(run: LoadedRun, writer: CodeWriter, names: FitNames) -> FitCode:
    """The run's pipeline function and its fitting function under `names`."""
    from workbench.core.train.fit import xgboost_rounds

    template = run_template(run)
    chain = run.resolved_chain
    listed = []
    for step in chain.steps:
        columns = f" on {', '.join(step.columns)}" if step.columns else ""
        added = " (added for this model)" if step.added else ""
        listed.append(f"{step.index + 1}. {step.title}{columns}{added}")
    tuned = [k.removeprefix(BEST_PREFIX) for k in run.record.params if k.startswith(BEST_PREFIX)]
    row_lines = []
    for step in chain.steps:
        if step.stage == StepStage.ROWS and step.params is not None:
            assert step.definition is not None and step.definition.row_fn is not None
            function = writer.expression(step.definition.row_fn)
            params = writer.expression(dict(step.params))
            row_lines.append(f"    # {step.title}")
            row_lines.append(f"    X, y = {function}(X, y, {params}, SEED)")
    early = uses_early_stopping(run, template)
    fit_lines = []
    if row_lines:
        fit_lines.append(f"    X, y = {names.rows}(X, y)")
    fit_lines.append(f"    pipeline = {names.build}()")
    if early:
        rounds = writer.bundle.add(xgboost_rounds)
        classify = run.task != TaskType.REGRESSION
        fit_lines += [
            f"    rounds = {rounds}(pipeline, X, y, classify={classify}, seed=SEED)",
            "    if rounds is not None:",
            "        pipeline.set_params(model__n_estimators=rounds)",
        ]
    fit_lines.append("    return pipeline.fit(X, y)")
    code = ""
    if row_lines:
        code += (
            f"def {names.rows}(X: pd.DataFrame, y: pd.Series) -> tuple[pd.DataFrame, pd.Series]:\n"
            '    """The chain\'s row steps, on training rows only: validation and test rows are\n'
            '    never dropped or resampled."""\n'
            + "\n".join(row_lines)
            + "\n    return X, y\n\n\n"
        )
    code += (
        f"def {names.fit}(X: pd.DataFrame, y: pd.Series) -> Pipeline:\n"
        '    """A fitted pipeline on these training rows."""\n' + "\n".join(fit_lines)
    )
    build = pipeline_function(template, writer, names.build)
    return FitCode(build, code, listed, tuned, bool(row_lines), early)


def fit_notes(fitted: FitCode) -> str:
    """What the fitting stage says of a fit: its row steps and early stopping."""
    note = ""
    if fitted.rows:
        note += " The chain's row steps run on the fit's training rows first."
    if fitted.early:
        note += (
            " XGBoost stops adding trees when a held-back tenth of the training rows stops "
            "improving, then refits on all of them with that many trees."
        )
    return note


def ensemble_stages(run: LoadedRun, writer: CodeWriter) -> tuple[list[Stage], set[ImportLine]]:
    """A soft-voting ensemble's stages: each member's pipeline and fit as its own run's
    export writes them, then `fit_pipeline` fitting every member on the same rows and averaging
    them with the run's weights, the model the workbench saved (a VotingClassifier (soft) /
    VotingRegressor of the fitted members). Each fold's average is then the weighted mean of the
    members' fold predictions, the figures the run logged.

    A stacking ensemble is refused: its fold scores come from a meta-learner cross-fitted on
    every fold's out-of-fold predictions, which the script's fold-by-fold loop does not hold."""
    refused = script_refusal(run.model)
    if refused:
        raise WorkbenchError(f"run {run.run_id} is {refused}")
    member_ids = [str(m) for m in run.record.params.get("ensemble.members", [])]
    weights = [float(w) for w in run.record.params.get("ensemble.weights", [])]
    if len(member_ids) < 2 or len(weights) != len(member_ids):
        raise WorkbenchError(f"run {run.run_id} does not record its members and their weights")
    builds, fits, listed, notes = [], [], [], []
    for number, member_id in enumerate(member_ids, start=1):
        with LoadedRun.open(run.root, member_id, "script as a member") as member:
            fitted = fit_code(member, writer, FitNames.member(number))
            label = f"{member.model.label} (run {member_id}, weight {weights[number - 1]:.4g})"
        tuned = f" with its search's winners ({', '.join(fitted.tuned)})" if fitted.tuned else ""
        listed.append(f"Member {number}, {label}{tuned}: " + "; ".join(fitted.steps))
        builds.append(fitted.build)
        fits.append(fitted.fit)
        notes.append(fit_notes(fitted))
    classify = run.task != TaskType.REGRESSION
    voting = "VotingClassifier" if classify else "VotingRegressor"
    soft = ', voting="soft"' if classify else ""
    fit_functions = ", ".join(f"fit_member_{n}" for n in range(1, len(member_ids) + 1))
    average = f'''# The run's weights, chosen on the members' out-of-fold predictions.
WEIGHTS = {weights!r}


def fit_pipeline(X: pd.DataFrame, y: pd.Series) -> Pipeline:
    """Every member fitted on these rows as its own run fits, then their weighted average:
    the members are frozen, so the voting model's fit leaves them as they are."""
    members = [
        (f"member{{i}}", FrozenEstimator(fit(X, y)))
        for i, fit in enumerate([{fit_functions}])
    ]
    return Pipeline([("model", {voting}(members{soft}, weights=WEIGHTS))]).fit(X, y)'''
    chain_note = (
        f"The ensemble's {len(member_ids)} members, each its own run's chain and model as one "
        "scikit-learn Pipeline, fitted inside every fold so no validation row leaks into a fit. "
        "Numbers are cast to float32 first (what an exported model is fed). "
        + " ".join(f"{text}." for text in listed)
    )
    fit_note = (
        "How every fit is made, in each fold and for the final model: each member as its own "
        "run fits," + "".join(dict.fromkeys(notes)) + " then the members' predictions averaged "
        "with the run's weights."
    )
    stages = [
        Stage("The members", chain_note, "\n\n\n".join(builds)),
        Stage("Fitting", fit_note, "\n\n\n".join([*fits, average])),
    ]
    imports = {
        ImportLine("sklearn.pipeline", "Pipeline"),
        ImportLine("sklearn.ensemble", voting),
        ImportLine("sklearn.frozen", "FrozenEstimator"),
    }
    return stages, imports


def model_stages(run: LoadedRun, writer: CodeWriter) -> tuple[list[Stage], set[ImportLine]]:
    """The pipeline stage and the fitting stage (row steps, early stopping, `fit_pipeline`)
    for a plain run, or the members' and their average for a soft-voting ensemble
    (`ensemble_stages`); then the steps of `main()`."""
    from workbench.core.train.fit import runner_frame, runner_labels

    if run.model.from_runs:
        stages, imports = ensemble_stages(run, writer)
    else:
        fitted = fit_code(run, writer, FitNames())
        tune = run.spec.tune
        tuned = (
            f" The model's parameters include the winners of the run's {tune.method} search "
            f"({', '.join(fitted.tuned)}); the search itself is not repeated here."
            if fitted.tuned
            else ""
        )
        chain_note = (
            "The preprocessing chain and the model as one scikit-learn Pipeline, fitted inside "
            "every fold so no validation row leaks into a fit. Numbers are cast to float32 first "
            "(what an exported model is fed); steps: " + "; ".join(fitted.steps) + "." + tuned
        )
        fit_note = "How every fit is made, in each fold and for the final model." + fit_notes(
            fitted
        )
        stages = [
            Stage("The chain and the model", chain_note, fitted.build),
            Stage("Fitting", fit_note, fitted.fit),
        ]
        imports = {ImportLine("sklearn.pipeline", "Pipeline")}
    prepare = writer.bundle.add(runner_frame)
    labels = writer.bundle.add(runner_labels)
    stages += [
        Stage(
            "Read and split",
            "The run's rows: its feature columns and target, the test rows set aside, the folds.",
            f"""frame = read_data(data_file).reset_index(drop=True)
# Numbers as float32 and text as object arrays, once, as the workbench prepares its table.
X = {prepare}(frame[FEATURES])
y = {labels}(frame[TARGET])
test_rows, folds = split_rows(frame)""",
            runs=True,
        ),
        Stage(
            "Cross-validate",
            "Each fold's pipeline is fitted on its training rows and scored on its validation "
            "rows; the validation metrics are the means over the folds.",
            """fold_scores = []
for number, (train_rows, valid_rows) in enumerate(folds, start=1):
    fitted = fit_pipeline(X.iloc[train_rows], y.iloc[train_rows])
    fold_scores.append(score(fitted, X.iloc[valid_rows], y.iloc[valid_rows]))
    print(f"fold {number}: {METRIC} {fold_scores[-1].get(METRIC, float('nan')):.6f}")
validation = mean_over_folds(fold_scores)""",
            runs=True,
        ),
        Stage(
            "Fit, test and save",
            "The final model learns from every row the folds used; the untouched test rows are "
            "scored once; the fitted pipeline is saved with joblib. The last line printed is one "
            "JSON object: the mean validation metrics and the test metrics.",
            """development = np.unique(np.concatenate([np.concatenate(fold) for fold in folds]))
model = fit_pipeline(X.iloc[development], y.iloc[development])
test = score(model, X.iloc[test_rows], y.iloc[test_rows]) if test_rows.size else {}
joblib.dump(model, model_file)
print(f"saved the fitted pipeline to {model_file}")
print(json.dumps({"validation": validation, "test": test}))""",
            runs=True,
        ),
    ]
    imports |= {ImportLine("json"), ImportLine("joblib"), NUMPY}
    return stages, imports
