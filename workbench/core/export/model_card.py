"""The model card: a Markdown page beside every export saying what the model is and is not.

Everything on it is read from the run and the project (nothing is typed by hand), so the card
cannot drift from the model: the data's fingerprint and class balance, the chain as it was
compiled (the model's default steps included), the parameters, every validation metric as
fold mean ± standard deviation, the test score, the parity result, and the limitations the
workbench can state: profile alerts that no step of the chain fixes, class imbalance, the
notes the training run made.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.core.atomic import write_text_atomic
from workbench.core.export.parity import ParityResult
from workbench.core.export.run_context import RunContext
from workbench.core.kinds import TaskType

# Below this share of the rows, the rarest class makes accuracy a misleading number.
IMBALANCE_SHARE = 0.2
# Alert severities worth a line in the limitations.
_SEVERE = ("warning", "critical")


def model_card_text(
    ctx: RunContext,
    parity: ParityResult | None = None,
    files: list[Path] | None = None,
    frame: pd.DataFrame | None = None,
) -> str:
    """The card's Markdown. `frame` is the project's data (read when not given)."""
    record, spec = ctx.record, ctx.record.spec
    data = frame if frame is not None else ctx.project.load_frame()
    target = str(spec["target"])
    balance = _class_balance(data, target) if ctx.task != TaskType.REGRESSION else None
    lines = [
        f"# Model card: {ctx.model.label} predicting '{target}'",
        "",
        f"Run `{record.run_id}` of project '{ctx.project.name}', trained {record.started_at}; "
        f"card written {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}.",
        "",
        "## Intended use",
        "",
        _intended_use(ctx, target),
        "",
        "## Data",
        "",
        *_data_lines(ctx, target, balance),
        "",
        "## Preprocessing chain",
        "",
        *_chain_lines(ctx),
        "",
        "## Model",
        "",
        f"- model: {ctx.model.label} (`{ctx.model.name}`)",
        *_model_lines(ctx),
        "",
        "## Validation",
        "",
        *_validation_lines(ctx),
        "",
        "## ONNX parity",
        "",
        parity.summary() if parity is not None else "Not checked: this export holds no ONNX model.",
        "",
        "## Limitations",
        "",
        *_limitations(ctx, balance),
        "",
        "## Versions",
        "",
        *_version_lines(ctx),
    ]  # fmt: skip
    if files:
        lines += ["", "## Files", "", *[f"- `{path.name}`" for path in files]]
    return "\n".join(lines) + "\n"


def write_model_card(ctx: RunContext, path: Path, **kwargs: Any) -> Path:
    write_text_atomic(path, model_card_text(ctx, **kwargs))
    return path


# ---- sections -------------------------------------------------------------------------------


def _model_lines(ctx: RunContext) -> list[str]:
    """Every parameter of the fitted model, and whether the user set it, the search tuned it,
    or it is the default: what an engineer needs to train the same model again."""
    from workbench.core.runs.facts import (
        best_params,
        chosen_params,
        final_params,
        model_settings,
    )

    record = ctx.record
    settings = model_settings(
        ctx.model, chosen_params(record.spec), best_params(record), final_params(record)
    )
    return [f"- {s.label} (`{s.name}`): {s.value} ({s.source})" for s in settings]


def _intended_use(ctx: RunContext, target: str) -> str:
    what = {
        TaskType.BINARY: "which of two classes a row belongs to",
        TaskType.MULTICLASS: "which of several classes a row belongs to",
        TaskType.REGRESSION: "a number",
    }[ctx.task]
    dataset = ctx.project.dataset
    source = dataset.source_name if dataset else "the project's data"
    return (
        f"Predicts '{target}' ({what}) from {len(ctx.features)} columns of rows like those of "
        f"`{source}`. Use it on data collected the same way; rows outside the training ranges "
        "or with categories never seen in training get predictions no validation measured. "
        "It is a statistical model of past data, not a rule: check it before decisions about "
        "people."
    )


def _class_balance(frame: pd.DataFrame, target: str) -> pd.Series:
    counts = frame[target].dropna().value_counts()
    return counts.sort_index()


def _data_lines(ctx: RunContext, target: str, balance: pd.Series | None) -> list[str]:
    record, dataset = ctx.record, ctx.project.dataset
    rows = record.rows
    lines = [
        f"- source file: `{dataset.source_name}`" if dataset else "- source file: unknown",
        f"- fingerprint (sha256 of the stored data): `{record.dataset_sha256}`",
        f"- rows: {rows.get('total')} in total, {rows.get('development')} for training and "
        f"validation, {rows.get('test')} held out for the test, "
        f"{rows.get('unlabelled', 0)} without a target",
        f"- target: `{target}` ({ctx.task.value})",
        f"- feature columns ({len(ctx.features)}): "
        + ", ".join(f"`{name}` ({kind.value})" for name, kind in ctx.features.items()),
    ]
    if balance is not None:
        total = int(balance.sum())
        shares = ", ".join(
            f"{label}: {count} ({count / total:.1%})" for label, count in balance.items()
        )
        lines.append(f"- class balance: {shares}")
    return lines


def _chain_lines(ctx: RunContext) -> list[str]:
    lines = []
    for step in ctx.full_chain.steps:
        columns = ", ".join(f"`{c}`" for c in step.spec.columns) or "all columns"
        params = ", ".join(f"{k}={_value(v)}" for k, v in step.spec.params.items())
        origin = " (added for the model)" if step.added else ""
        lines.append(
            f"{step.index + 1}. {step.label}{origin} on {columns}"
            + (f" ({params})" if params else "")
        )
    return lines or ["No preprocessing: the model takes the columns as they are."]


def _validation_lines(ctx: RunContext) -> list[str]:
    record, spec = ctx.record, ctx.record.spec
    split = spec.get("split", {})
    scheme = split.get("scheme", "?")
    folds = record.rows.get("folds")
    lines = [
        f"- scheme: {scheme}, {folds} fold(s); test fraction {split.get('test_fraction')}; "
        f"seed {record.seed}; metric chosen for tuning: {spec.get('metric')}",
        "",
        "| metric | validation (fold mean ± std) | test |",
        "|---|---|---|",
    ]
    summary = record.fold_summary("validation")
    test = record.metrics.get("test", {})
    for name in sorted(summary):
        item = summary[name]
        if name.endswith("_seconds"):
            continue
        shown = f"{item['mean']:.4f} ± {item['std']:.4f}"
        lines.append(f"| {name} | {shown} | {_number(test.get(name))} |")
    return lines


def _limitations(ctx: RunContext, balance: pd.Series | None) -> list[str]:
    lines = [f"- {text}" for text in _unfixed_alerts(ctx)]
    if balance is not None and len(balance):
        share = float(balance.min() / balance.sum())
        if share < IMBALANCE_SHARE:
            rarest = balance.idxmin()
            lines.append(
                f"- imbalance: the rarest class '{rarest}' is {share:.1%} of the rows; accuracy "
                "flatters the model, read balanced accuracy, recall and the PR curve"
            )
    for note in ctx.record.params.get("notes", []) or []:
        lines.append(f"- training note: {note}")
    return lines or ["- none the workbench can detect (no unfixed alerts, no imbalance)"]


def _unfixed_alerts(ctx: RunContext) -> list[str]:
    """Profile alerts on the run's columns that no enabled step of its chain addresses."""
    from workbench.core.profile.store import load_stored_profile

    dataset = ctx.project.dataset
    if dataset is None:
        return []
    profile = load_stored_profile(ctx.project.root, dataset, ctx.record.spec.get("target"))
    if profile is None:
        return ["the data was not profiled, so its alerts are unknown (open the Profile panel)"]
    applied = {(step.name, column) for step in ctx.full_chain.steps for column in step.spec.columns}
    used_steps = {step.name for step in ctx.full_chain.steps}
    target = ctx.record.spec["target"]
    found = []
    for alert in profile.alerts:
        if alert.severity not in _SEVERE:
            continue
        features = [c for c in alert.columns if c in ctx.features]
        if alert.columns and not features and tuple(alert.columns) != (target,):
            continue  # about columns the model does not use (an ignored leak, say)
        if alert.fix_step and not alert.columns and alert.fix_step in used_steps:
            continue
        if alert.fix_step and features and all((alert.fix_step, c) in applied for c in features):
            continue
        found.append(f"unfixed alert ({alert.severity}): {alert.message}")
    return found


def _version_lines(ctx: RunContext) -> list[str]:
    env = ctx.record.env
    packages = env.get("packages", {})
    lines = [f"- python {env.get('python')} on {env.get('platform')}"]
    lines += [f"- {name} {version}" for name, version in sorted(packages.items())]
    if env.get("git_commit"):
        lines.append(f"- project git commit {env['git_commit']}")
    return lines


def _number(value: Any) -> str:
    return "" if value is None else f"{float(value):.4f}"


def _value(value: Any) -> str:
    return str(list(value)) if isinstance(value, tuple) else str(value)
