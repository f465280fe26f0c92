"""The model card: a Markdown page beside every export saying what the model is and is not.

Everything on it is read from the run and the project (nothing is typed by hand), so the card
cannot drift from the model: the data's fingerprint and class balance, what an engineer must
send (the columns the fitted chain reads, from the same schema as schema.json), the chain the run
recorded its pipeline was compiled from (the model's default steps included, as they were when
it trained), the parameters, every validation metric as fold mean ± standard deviation, the
test score, the parity result, and the limitations the workbench can state: profile alerts that
no step of the chain fixes, class imbalance, the notes the training run made, and the largest
gaps between slices of the data with the fairness differences (explain.limitations).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.core.explain.limitations import limitation_sentences
from workbench.core.explain.run_explanations import all_slice_reports
from workbench.core.export.contract_text import columns_table, raw_input_lines
from workbench.core.export.feature_schema import schema_for_run
from workbench.core.export.parity import ParityResult
from workbench.core.kinds import TaskType
from workbench.core.profile.store import load_stored_profile
from workbench.core.runs.facts import fitted_settings
from workbench.core.runs.loaded import LoadedRun

# Below this share of the rows, the rarest class makes accuracy a misleading number.
IMBALANCE_SHARE = 0.2
# Alert severities worth a line in the limitations.
_SEVERE = ("warning", "critical")


def model_card_text(
    run: LoadedRun, parity: ParityResult | None = None, files: list[Path] | None = None
) -> str:
    """The card's Markdown."""
    record, target = run.record, run.spec.target
    balance = _class_balance(run.frame, target) if run.task != TaskType.REGRESSION else None
    lines = [
        f"# Model card: {run.model.label} predicting '{target}'",
        "",
        f"Run `{record.run_id}` of project '{run.project.name}', trained {record.started_at}; "
        f"card written {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}.",
        "",
        "## Intended use",
        "",
        _intended_use(run, target),
        "",
        "## Data",
        "",
        *_data_lines(run, target, balance),
        "",
        "## What to send",
        "",
        *_send_lines(run),
        "",
        "## Preprocessing chain",
        "",
        *_chain_lines(run),
        "",
        "## Model",
        "",
        f"- model: {run.model.label} (`{run.model.name}`)",
        *[f"- {s.label} (`{s.name}`): {s.value} ({s.source})" for s in fitted_settings(run)],
        "",
        "## Validation",
        "",
        *_validation_lines(run),
        "",
        "## ONNX parity",
        "",
        parity.summary() if parity is not None else "Not checked: this export holds no ONNX model.",
        "",
        "## Limitations",
        "",
        *_limitations(run, balance),
        "",
        "## Versions",
        "",
        *_version_lines(run),
    ]  # fmt: skip
    if files:
        lines += ["", "## Files", "", *[f"- `{path.name}`" for path in files]]
    return "\n".join(lines) + "\n"


# ---- sections -------------------------------------------------------------------------------


def _intended_use(run: LoadedRun, target: str) -> str:
    what = {
        TaskType.BINARY: "which of two classes a row belongs to",
        TaskType.MULTICLASS: "which of several classes a row belongs to",
        TaskType.REGRESSION: "a number",
    }[run.task]
    dataset = run.project.dataset
    source = dataset.source_name if dataset else "the project's data"
    return (
        f"Predicts '{target}' ({what}) from {len(run.inputs)} columns of rows like those of "
        f"`{source}`. Use it on data collected the same way; rows outside the training ranges "
        "or with categories never seen in training get predictions no validation measured. "
        "It is a statistical model of past data, not a rule: check it before decisions about "
        "people."
    )


def _class_balance(frame: pd.DataFrame, target: str) -> pd.Series:
    counts = frame[target].dropna().value_counts()
    return counts.sort_index()


def _data_lines(run: LoadedRun, target: str, balance: pd.Series | None) -> list[str]:
    dataset, rows = run.project.dataset, run.spec.rows
    lines = [
        f"- source file: `{dataset.source_name}`" if dataset else "- source file: unknown",
        f"- fingerprint (sha256 of the stored data): `{run.spec.dataset_sha256}`",
        f"- rows: {rows.total} in total, {rows.development} for training and "
        f"validation, {rows.test} held out for the test, {rows.unlabelled} without a target",
        f"- target: `{target}` ({run.task.value})",
        f"- feature columns the model takes ({len(run.inputs)}): "
        + ", ".join(f"`{name}` ({kind.value})" for name, kind in run.inputs.items()),
    ]
    dropped = [name for name in run.features if name not in run.inputs]
    if dropped:
        lines.append(
            "- dropped by the chain, not taken by the model: "
            + ", ".join(f"`{name}`" for name in dropped)
        )
    if balance is not None:
        total = int(balance.sum())
        shares = ", ".join(
            f"{label}: {count} ({count / total:.1%})" for label, count in balance.items()
        )
        lines.append(f"- class balance: {shares}")
    return lines


def _send_lines(run: LoadedRun) -> list[str]:
    """What the engineer must send: the schema's columns and how raw values are read."""
    schema = schema_for_run(run)
    return [*raw_input_lines(schema), "", columns_table(schema)]


def _chain_lines(run: LoadedRun) -> list[str]:
    """The chain the run recorded its pipeline was compiled from."""
    lines = []
    for step in run.resolved_chain.steps:
        columns = ", ".join(f"`{c}`" for c in step.spec.columns) or "all columns"
        params = ", ".join(f"{k}={_value(v)}" for k, v in step.spec.params.items())
        origin = " (added for the model)" if step.added else ""
        lines.append(
            f"{step.index + 1}. {step.label}{origin} on {columns}"
            + (f" ({params})" if params else "")
        )
    if not lines:
        return ["No preprocessing: the model takes the columns as they are."]
    if run.chain_rebuilt:
        lines[:0] = [
            "This run was logged before runs recorded their compiled chain: the model's default "
            "steps below are the ones this version of the workbench adds, which may differ "
            "from the ones the pipeline holds.",
            "",
        ]
    return lines


def _validation_lines(run: LoadedRun) -> list[str]:
    record, spec = run.record, run.spec
    lines = [
        f"- scheme: {spec.split.scheme}, {spec.rows.folds} fold(s); test fraction "
        f"{spec.split.test_fraction}; seed {spec.seed}; metric chosen for tuning: {spec.metric}",
        "",
        "| metric | validation (fold mean ± std) | test |",
        "|---|---|---|",
    ]
    summary = record.fold_summary("validation")
    test = record.metrics.get("test", {})
    for name in sorted(summary):
        item = summary[name]
        shown = f"{item['mean']:.4f} ± {item['std']:.4f}"
        lines.append(f"| {name} | {shown} | {_number(test.get(name))} |")
    return lines


def _limitations(run: LoadedRun, balance: pd.Series | None) -> list[str]:
    lines = [f"- {text}" for text in _unfixed_alerts(run)]
    if balance is not None and len(balance):
        share = float(balance.min() / balance.sum())
        if share < IMBALANCE_SHARE:
            rarest = balance.idxmin()
            lines.append(
                f"- imbalance: the rarest class '{rarest}' is {share:.1%} of the rows; accuracy "
                "flatters the model, read balanced accuracy, recall and the PR curve"
            )
    for note in run.spec.notes:
        lines.append(f"- training note: {note}")
    lines += [f"- {sentence}" for sentence in limitation_sentences(all_slice_reports(run))]
    return lines or ["- none the workbench can detect (no unfixed alerts, no imbalance)"]


def _unfixed_alerts(run: LoadedRun) -> list[str]:
    """Profile alerts on the run's columns that no enabled step of its chain addresses."""
    dataset = run.project.dataset
    if dataset is None:
        return []
    target = run.spec.target
    profile = load_stored_profile(run.root, dataset, target)
    if profile is None:
        return ["the data was not profiled, so its alerts are unknown (open the Profile panel)"]
    steps = run.resolved_chain.steps
    applied = {(step.name, column) for step in steps for column in step.spec.columns}
    used_steps = {step.name for step in steps}
    found = []
    for alert in profile.alerts:
        if alert.severity not in _SEVERE:
            continue
        features = [c for c in alert.columns if c in run.inputs]
        if alert.columns and not features and tuple(alert.columns) != (target,):
            continue  # about columns the model does not use (an ignored leak, say)
        if alert.fix_step and not alert.columns and alert.fix_step in used_steps:
            continue
        if alert.fix_step and features and all((alert.fix_step, c) in applied for c in features):
            continue
        found.append(f"unfixed alert ({alert.severity}): {alert.message}")
    return found


def _version_lines(run: LoadedRun) -> list[str]:
    env = run.record.env
    lines = [f"- python {env.python} on {env.platform}"]
    lines += [f"- {name} {version}" for name, version in sorted(env.packages.items())]
    if env.git_commit:
        lines.append(f"- project git commit {env.git_commit}")
    return lines


def _number(value: Any) -> str:
    return "" if value is None else f"{float(value):.4f}"


def _value(value: Any) -> str:
    return str(list(value)) if isinstance(value, tuple) else str(value)
