"""`workbench train` and `workbench runs`: the CLI over the training runner and the log.

The value parsers turn the short forms (`kfold:5`, `random:60s`) into specs; a bad value is a
WorkbenchError naming it, which cli.main prints as one line with exit code 2. The forms, the
parsers and the help texts come from the declared split schemes and tuning methods
(train.schemes): a scheme registered there is a `--split` value here.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.cli.output import print_json, print_table
from workbench.core.compute.setting import FORMS, parse_compute
from workbench.core.errors import WorkbenchError
from workbench.core.numbers import format_number
from workbench.core.schemes import split_schemes, tune_methods
from workbench.core.specs import ModelSpec, SplitSpec, TrainSpec, TuneSpec

if TYPE_CHECKING:
    from workbench.core.runs.log import RunRecord
    from workbench.core.train.runner import TrainingInput

# `train` ran on good input but every model failed (bad input is 2, as for every command).
EXIT_NOTHING_FINISHED = 1


def _listed(forms: list[str]) -> str:
    """ "a, b or c"."""
    return forms[0] if len(forms) == 1 else ", ".join(forms[:-1]) + " or " + forms[-1]


def split_forms() -> str:
    """Every declared scheme as the command line writes it."""
    return _listed([scheme.cli_form() for scheme in split_schemes().values()])


def tune_forms() -> str:
    methods = tune_methods().values()
    examples = [form for method in methods for form in method.examples]
    return _listed(examples + [m.budget_example for m in methods if m.budget_example])


def add_parsers(sub: Any) -> None:
    train = sub.add_parser("train", help="train and cross-validate models on a project")
    train.add_argument("project", type=Path)
    train.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="NAME",
        help="model to train (repeatable), e.g. random_forest, xgboost, logistic_regression",
    )
    train.add_argument("--split", default="stratified_kfold:5", help=f"validation: {split_forms()}")
    train.add_argument("--test", default="0.2", help="share of rows kept for the final test")
    train.add_argument(
        "--tune",
        default="none",
        help=f"search: {tune_forms()} (a number ending in s: a time budget in seconds)",
    )
    train.add_argument(
        "--auto",
        metavar="BUDGET",
        help="find the best model within a time budget (300s, 5m): a search across the model "
        "families, then an ensemble of the best",
    )
    train.add_argument("--metric", help="metric to optimise (default: by task)")
    train.add_argument("--seed", default="0", help="random seed (default 0)")
    train.add_argument("--jobs", help="cores to use (default: all)")
    train.add_argument("--no-baseline", action="store_true", help="skip the dummy baseline")
    train.add_argument(
        "--cluster",
        metavar="ADDRESS|local:N",
        help="run the folds and tuning trials on a Dask scheduler (tcp://host:8786) or on a "
        "local Dask cluster of N worker processes (default: the project's compute setting)",
    )
    train.add_argument("--json", action="store_true", help="print the results as JSON")

    runs = sub.add_parser("runs", help="list a project's runs")
    runs.add_argument("project", type=Path)
    runs.add_argument("--json", action="store_true")
    rerun = sub.add_parser(
        "rerun", help="re-fit a run from its recorded settings (same data, chain, model, seed)"
    )
    rerun.add_argument("project", type=Path)
    rerun.add_argument("run", help="run id (see `workbench runs`)")
    rerun.add_argument("--json", action="store_true", help="print the outcome as JSON")
    compute = sub.add_parser(
        "compute", help="show or set where a project's training runs (the Train panel's Compute)"
    )
    compute.add_argument("project", type=Path)
    compute.add_argument(
        "setting", nargs="?", help=f"new setting: {FORMS} (default: show the current one)"
    )
    train.set_defaults(handler=cmd_train)
    compute.set_defaults(handler=cmd_compute)
    runs.set_defaults(handler=cmd_runs)
    rerun.set_defaults(handler=cmd_rerun)


def _number(text: str, kind: type, option: str, value: str, forms: str) -> Any:
    try:
        number = kind(text)
    except ValueError:
        raise WorkbenchError(f"bad {option} value '{value}'; use {forms}") from None
    if isinstance(number, float) and not math.isfinite(number):
        raise WorkbenchError(f"bad {option} value '{value}'; use {forms}")
    return number


def parse_split(value: str, test: str) -> SplitSpec:
    """`scheme[:count_or_fraction[:column]]` -> SplitSpec, with `test` the test share."""
    test_fraction = _number(test, float, "--test", test, "a share such as 0.2 (0 for none)")
    forms = split_forms()
    name, *rest = value.split(":")

    def bad() -> WorkbenchError:
        return WorkbenchError(f"bad --split value '{value}'; use {forms}")

    scheme = split_schemes().get(name)
    if scheme is None:
        raise bad()
    if len(rest) > (2 if scheme.column else 1) or (scheme.column and len(rest) != 2):
        raise bad()
    settings: dict[str, Any] = {"scheme": name, "test_fraction": test_fraction}
    if rest:
        number = rest[0]
        if scheme.count == "fraction":
            settings["validation_fraction"] = _number(number, float, "--split", value, forms)
        else:
            if scheme.repeats:
                number, _, repeats = number.partition("x")
                if repeats:
                    settings["n_repeats"] = _number(repeats, int, "--split", value, forms)
            settings["n_splits"] = _number(number, int, "--split", value, forms)
    if scheme.column is not None:
        settings[scheme.column.setting] = rest[1]
    if any(isinstance(v, str) and not v for v in settings.values()):
        raise bad()
    return SplitSpec(**settings)


def parse_tune(value: str, metric: str | None) -> TuneSpec:
    """`method[:trials]` or `method:SECONDSs` -> TuneSpec."""
    forms = tune_forms()
    name, _, budget = value.partition(":")
    method = tune_methods().get(name)
    if method is None or (not method.searches and budget):
        raise WorkbenchError(f"bad --tune value '{value}'; use {forms}")
    settings: dict[str, Any] = {"method": name, "metric": metric}
    if budget.endswith("s"):
        seconds = _number(budget[:-1], float, "--tune", value, forms)
        if seconds <= 0:
            raise WorkbenchError(f"bad --tune value '{value}': the time budget must be above 0")
        # A time budget alone: the trial count is only a generous ceiling.
        settings.update(time_budget_seconds=seconds, n_trials=1000)
    elif budget:
        trials = _number(budget, int, "--tune", value, forms)
        if trials < 1:
            raise WorkbenchError(f"bad --tune value '{value}': give at least 1 trial")
        settings["n_trials"] = trials
    return TuneSpec(**settings)


def train_spec(args: argparse.Namespace) -> TrainSpec:
    jobs = None
    if args.jobs is not None:
        jobs = _number(args.jobs, int, "--jobs", args.jobs, "a whole number of cores, 1 or more")
        if jobs < 1:
            raise WorkbenchError(f"bad --jobs value '{args.jobs}'; use 1 or more cores")
    return TrainSpec(
        models=tuple(ModelSpec(name) for name in args.model),
        split=parse_split(args.split, args.test),
        tune=parse_tune(args.tune, args.metric),
        seed=_number(args.seed, int, "--seed", args.seed, "a whole number"),
        n_jobs=jobs,
        include_baseline=not args.no_baseline,
    )


def _fmt(value: float | None) -> str:
    return "" if value is None else format_number(value)


def cmd_train(args: argparse.Namespace) -> int:
    from workbench.cli.auto import check_auto_arguments, run_auto_command
    from workbench.core.compute.cluster import check_reachable
    from workbench.core.dataset import dataset_file
    from workbench.core.project import open_project
    from workbench.core.train.runner import train, training_input

    budget = check_auto_arguments(args) if args.auto is not None else None
    spec = train_spec(args)
    cluster = parse_compute(args.cluster) if args.cluster is not None else None
    if not args.project.is_dir():
        raise WorkbenchError(f"project folder not found: {args.project}")
    project = open_project(args.project)
    if project.dataset is not None:
        # A dataset path leading outside the project is refused before anything is said.
        dataset_file(project.root, project.dataset)
    inputs = training_input(project)
    if cluster is not None:
        inputs = dataclasses.replace(inputs, compute=cluster)
    check_reachable(inputs.compute)
    if not inputs.compute.in_process:
        print(f"workbench: note: training {inputs.compute.describe()}", file=sys.stderr)
    _say_grouping(inputs, spec)
    if budget is not None:
        return run_auto_command(args, inputs, spec, budget)
    _say_widths(inputs, spec)
    results = train(inputs, spec)
    if args.json:
        print_json(
            [
                {
                    "run_id": r.run_id,
                    "model": r.model,
                    "label": r.label,
                    "status": r.status,
                    "metric": r.metric,
                    "validation": {
                        name: {"mean": v["mean"], "std": v["std"]}
                        for name, v in r.validation.items()
                    },
                    "test": r.test,
                    "best_params": r.best_params,
                    "fit_seconds": r.fit_seconds,
                    "predict_seconds": r.predict_seconds,
                    "message": r.message,
                }
                for r in results
            ]
        )
        return _nothing_finished(results)
    metric = results[0].metric if results else ""
    rows = []
    for r in results:
        summary = r.validation.get(metric)
        shown = f"{_fmt(summary['mean'])} ± {_fmt(summary['std'])}" if summary else ""
        rows.append((r.run_id, r.model, r.status, shown, _fmt(r.test.get(metric)), r.message or ""))
    print_table(("run", "model", "status", f"{metric} (validation)", "test", "message"), rows)
    return _nothing_finished(results)


def _say_grouping(inputs: TrainingInput, spec: TrainSpec) -> None:
    """Before training with a split that mixes a group's rows across folds, on stderr: the
    rows come in groups (the profile's grouped-rows alert, what the Train panel says beside
    the scheme), and the --split that keeps a group together."""
    from workbench.core.dataset import load_dataset_frame
    from workbench.core.profile.grouped_rows import grouped_row_alerts, mixes_groups
    from workbench.core.profile.store import load_stored_profile

    if not mixes_groups(spec.split.scheme):
        return
    # The stored profile (the window's, for this data and target) has the alert already.
    stored = load_stored_profile(inputs.root, inputs.dataset, inputs.target)
    if stored is not None:
        alerts = [alert for alert in stored.alerts if alert.kind == "grouped_rows"]
    else:
        frame = load_dataset_frame(inputs.root, inputs.dataset)
        alerts = grouped_row_alerts(frame, inputs.dataset.kinds, inputs.target)
    for alert in alerts:
        entity = alert.columns[0]
        folds = spec.split.n_splits
        print(
            f"workbench: warning: {alert.message} --split group_kfold:{folds}:{entity} "
            f"validates on {entity} values not seen in fitting.",
            file=sys.stderr,
        )


def _say_widths(inputs: TrainingInput, spec: TrainSpec) -> None:
    """Before training, on stderr: how many columns each model's chain makes, and a warning
    for a chain above chain.width.WIDE_TABLE_COLUMNS (what the Train panel shows)."""
    from workbench.core.chain.model_chain import model_width
    from workbench.core.chain.width import LabelCounts, wide_warning
    from workbench.core.models.catalog import (
        FOREST_ROWS_TEXT,
        ONE_HOT_MAX_LABELS,
        get_model,
        scales_with_rows,
    )
    from workbench.core.train.runner import models_to_train

    models = [get_model(model.name, inputs.task) for model in models_to_train(spec, inputs.task)]
    counts = LabelCounts.from_schema(inputs.dataset.schema)
    print(
        f"workbench: note: categorical columns with more than {ONE_HOT_MAX_LABELS} labels are "
        "target encoded, the others one-hot encoded",
        file=sys.stderr,
    )
    if any(scales_with_rows(model) for model in models):
        print(f"workbench: note: {FOREST_ROWS_TEXT}", file=sys.stderr)
    for model in models:
        width = model_width(inputs.chain, model, counts, inputs.task)
        print(f"workbench: note: {model.label} gets {width.text()}", file=sys.stderr)
        warning = wide_warning(model.label, width)
        if warning:
            print(f"workbench: warning: {warning}", file=sys.stderr)


def _nothing_finished(results: list[Any]) -> int:
    """Exit code 0 when a model finished; else 1 (training ran, the input was fine) with one
    line on stderr saying why, so a script does not take a run of failures for a success."""
    if any(r.status == "finished" for r in results):
        return 0
    failed = next((r for r in results if r.message), None)
    why = f"; {failed.label}: {failed.message}" if failed else ""
    noun = "model" if len(results) == 1 else "models"
    print(
        f"workbench: no model finished training ({len(results)} {noun} failed){why}",
        file=sys.stderr,
    )
    return EXIT_NOTHING_FINISHED


def run_summary(record: RunRecord) -> dict[str, Any]:
    """One run of the log as the `runs` listing shows it."""
    metric = record.spec.metric
    folds = record.fold_summary().get(metric)
    return {
        "run_id": record.run_id,
        "status": record.status,
        "model": record.spec.model.name,
        "parent_run_id": record.parent_run_id,
        "metric": metric,
        "validation_mean": folds["mean"] if folds else None,
        "validation_std": folds["std"] if folds else None,
        "test": record.metrics.get("test", {}).get(metric),
        "started_at": record.started_at,
        "duration": record.duration,
        "message": record.message,
    }


def cmd_runs(args: argparse.Namespace) -> int:
    from workbench.core.project import open_project
    from workbench.core.runs.log import LOG_FILE, ExperimentLog

    project = open_project(args.project)
    path = project.root / LOG_FILE
    records: list[RunRecord] = []
    skipped: list[str] = []
    if path.exists():
        with ExperimentLog(path) as log:
            records = log.runs(skipped=skipped)
    for reason in skipped:
        print(f"workbench: note: skipped {reason}", file=sys.stderr)
    summaries = [run_summary(record) for record in records]
    if args.json:
        print_json(summaries)
        return 0
    if not summaries:
        print(f"project '{project.name}' has no runs yet")
        return 0
    rows = []
    for s in summaries:
        mean = s["validation_mean"]
        shown = f"{_fmt(mean)} ± {_fmt(s['validation_std'])}" if mean is not None else ""
        duration = f"{_fmt(s['duration'])} s" if s["duration"] is not None else ""
        rows.append(
            (s["run_id"], s["status"], s["model"] or "", s["metric"] or "", shown,
             _fmt(s["test"]), s["started_at"][:19], duration)
        )  # fmt: skip
    print_table(
        ("run", "status", "model", "metric", "validation", "test", "started", "duration"), rows
    )
    return 0


def cmd_compute(args: argparse.Namespace) -> int:
    """Print the project's compute setting, or set it (saved in project.json)."""
    from workbench.core.project import open_project

    setting = parse_compute(args.setting) if args.setting is not None else None
    project = open_project(args.project)
    if setting is not None:
        project.set_compute(setting)
        project.save()
    print(f"{project.compute.text}: training runs {project.compute.describe()}")
    return 0


def cmd_rerun(args: argparse.Namespace) -> int:
    """Train the run's recorded spec again as a new run; exit 1 when it did not finish."""
    from workbench.core.automl.refit import refit_any_run

    outcome = refit_any_run(args.project, args.run)
    result = outcome.result
    if args.json:
        print_json(
            {
                "original": outcome.original,
                "run_id": result.run_id,
                "status": result.status,
                "metric": result.metric,
                "same_metrics": outcome.finished and not outcome.changes,
                "changes": [
                    {"split": c.split, "metric": c.metric, "before": c.before, "after": c.after}
                    for c in outcome.changes
                ],
                "message": result.message,
            }
        )
    else:
        print(outcome.summary)
    if not outcome.finished:
        if args.json:
            print(f"workbench: {outcome.summary}", file=sys.stderr)
        return EXIT_NOTHING_FINISHED
    return 0
