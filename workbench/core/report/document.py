"""The run report as one self-contained HTML document (no Qt).

One file a colleague can open anywhere, print, or archive: the CSS is inline, the plots are PNG
data URIs, there is no script and no link outside the file (the only links are the table of
contents' anchors). Every text from the data (column names, class labels, notes) is escaped,
so a note holding markup shows as the text it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workbench import __version__
from workbench.core.explain.fairness import RATES
from workbench.core.explain.limitations import limitation_sentences
from workbench.core.explain.run_explanations import RunExplanations
from workbench.core.explain.slices import SliceReport, by_largest_gap
from workbench.core.html_parts import CSS, esc, number_text, png_data_uri, table_html, when_text
from workbench.core.kinds import TaskType
from workbench.core.metrics.names import METRIC_LABELS
from workbench.core.runs.facts import MetricRow, RunFacts, Setting

TASK_WORDS = {
    TaskType.BINARY: "binary classification",
    TaskType.MULTICLASS: "multiclass classification",
    TaskType.REGRESSION: "regression",
}
SPLIT_WORDS = {"oof": "cross-validation (out-of-fold predictions)", "test": "test set"}
# ReportImage.which of the explanations' plots, and their keys' beginnings.
EXPLAIN = "explain"
SHAP_KEYS = ("shap_summary", "shap_importance")
CURVE_KEY = "partial_dependence"
SLICE_KEY = "slices"
# The slice reports with the largest gaps get their plot and table; the others a line each.
SLICE_TABLES = 3
OUTPUT_WORDS = {
    "log_odds": "the log-odds of the positive class",
    "margin": "each class's margin (before the softmax)",
    "probability": "the predicted probability of the positive class (of each class when there "
    "are more than two)",
    "value": "the predicted value",
}
# The width the plots were rendered at (CSS pixels); the PNGs hold twice as many for print.
IMAGE_WIDTH = 900


@dataclass(frozen=True)
class ReportImage:
    """One plot of the report: its PNG, or `note` saying why there is none."""

    title: str
    key: str
    which: str  # "oof" or "test"
    png: bytes | None = None
    note: str = ""


def _facts_table(rows: Sequence[tuple[str, str]]) -> str:
    """Label / value rows; values already escaped."""
    body = "".join(f"<tr><th>{esc(label)}</th><td>{value}</td></tr>" for label, value in rows)
    return f'<table class="facts"><tbody>{body}</tbody></table>'


def _settings_text(settings: Sequence[Setting]) -> str:
    return "; ".join(f"{esc(s.label)}: <b>{esc(s.value)}</b>" for s in settings)


# ---- sections -------------------------------------------------------------------------------


def _header(facts: RunFacts) -> str:
    title = f"{facts.name}: predicting {facts.target}"
    if facts.name != facts.model_label:
        title = f"{facts.name} ({facts.model_label}): predicting {facts.target}"
    subtitle = (
        f"Run <code>{esc(facts.run_id)}</code> of project <b>{esc(facts.project)}</b>, "
        f"predicting <b>{esc(facts.target)}</b> ({esc(TASK_WORDS[facts.task])}). "
        f"Trained {esc(when_text(facts.started_at))}; report written "
        f"{esc(when_text(facts.written_at))} by ML Workbench {esc(__version__)}."
    )
    main = next((row for row in facts.metrics if row.is_run_metric), None)
    boxes = []
    if main is not None:
        spread = ""
        if main.validation_std is not None:
            spread = f" ± {number_text(main.validation_std, main.validation_mean)}"
        boxes.append(
            f"<div><span>{esc(main.label)}, validation</span>"
            f"<b>{number_text(main.validation_mean)}{spread}</b>"
            f"<span>mean ± std over {len(facts.folds)} folds</span></div>"
        )
        if main.test is not None:
            boxes.append(
                f"<div><span>{esc(main.label)}, test set</span><b>{number_text(main.test)}</b>"
                f"<span>{facts.rows.test:,} held-out rows</span></div>"
            )
    boxes.append(
        f"<div><span>Rows</span><b>{facts.rows.total:,}</b>"
        f"<span>{facts.rows.development:,} development, {facts.rows.test:,} test</span></div>"
    )
    return (
        f'<header><h1>{esc(title)}</h1><p class="subtitle">{subtitle}</p>'
        f'<div class="headline">{"".join(boxes)}</div></header>'
    )


def _nav(sections: Sequence[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="#{anchor}">{esc(title)}</a></li>' for anchor, title in sections)
    return f"<nav><b>Contents</b><ol>{items}</ol></nav>"


def _data_section(facts: RunFacts) -> str:
    data = facts.dataset
    parts = []
    if data is None:
        parts.append('<p class="muted">The project has no dataset reference.</p>')
    else:
        if data.changed:
            parts.append(
                '<p class="warning">The project\'s data was re-imported after this run: the file '
                "described here is the current one; the run trained on the data with the "
                "fingerprint below.</p>"
            )
        parts.append(
            _facts_table(
                [
                    ("File", f"<code>{esc(data.source_name)}</code> ({data.source_size:,} bytes)"),
                    ("File sha256", f'<span class="mono">{esc(data.source_sha256)}</span>'),
                    (
                        "Fingerprint (data sha256)",
                        f'<span class="mono">{esc(data.run_sha256)}</span>',
                    ),
                    ("Rows × columns", f"{data.rows:,} × {data.columns:,}"),
                    ("Imported", esc(when_text(data.imported_at))),
                    ("Target", f"<code>{esc(facts.target)}</code> ({esc(TASK_WORDS[facts.task])})"),
                ]
            )
        )
    if facts.class_balance is not None:
        total = sum(count for _label, count in facts.class_balance) or 1
        rows = [
            (esc(label), f"{count:,}", f"{count / total:.1%}")
            for label, count in facts.class_balance
        ]
        positive = (
            f" The positive class is <b>{esc(facts.positive)}</b>."
            if facts.task == TaskType.BINARY
            else ""
        )
        parts.append(
            f"<h3>Class balance</h3><p>Over the {total:,} rows the run scored "
            f"(validation and test).{positive}</p>"
            + table_html(["Class", "Rows", "Share"], rows, numeric=(1, 2))
        )
    if facts.target_summary is not None:
        summary = facts.target_summary
        rows = [tuple(number_text(summary[k]) for k in ("mean", "std", "min", "median", "max"))]
        parts.append(
            f"<h3>Target</h3><p>Over the {int(summary['count']):,} rows the run scored "
            "(validation and test).</p>"
            + table_html(["Mean", "Std", "Min", "Median", "Max"], rows, numeric=range(5))
        )
    features = ", ".join(f"<code>{esc(name)}</code> ({esc(kind)})" for name, kind in facts.features)
    parts.append(f"<h3>Feature columns ({len(facts.features)})</h3><p>{features or 'none'}</p>")
    profile = "".join(f"<li>{esc(line)}</li>" for line in facts.profile_lines)
    parts.append(f"<h3>Profile</h3><ul>{profile}</ul>")
    return "".join(parts)


def _chain_section(facts: RunFacts) -> str:
    if not facts.chain:
        return "<p>No preprocessing: the model takes the columns as they are.</p>"
    items = []
    for step in facts.chain:
        origin = ' <span class="muted">(added for the model)</span>' if step.added_for_model else ""
        settings = f"<br>{_settings_text(step.settings)}" if step.settings else ""
        items.append(f"<li><b>{esc(step.label)}</b>{origin} on {esc(step.columns)}{settings}</li>")
    rebuilt = (
        '<p class="warning">This run was logged before runs recorded their compiled chain: '
        "the model's default steps below are the ones this version of the workbench adds, "
        "which may differ from the ones the run's pipeline holds.</p>"
        if facts.chain_rebuilt
        else ""
    )
    return (
        '<p class="muted">The steps the pipeline was compiled from, in order, as the Prepare '
        "panel names them; steps marked <i>added for the model</i> are the model's own "
        f"defaults.</p>{rebuilt}"
        f'<ol class="chain">{"".join(items)}</ol>'
    )


def _model_section(facts: RunFacts) -> str:
    rows = [
        (esc(s.label), f"<code>{esc(s.name)}</code>", esc(s.value), esc(s.source))
        for s in facts.model_settings
    ]
    table = (
        table_html(["Parameter", "Name", "Value", "From"], rows)
        if rows
        else "<p>No parameters.</p>"
    )
    return (
        f"<p><b>{esc(facts.model_label)}</b> (<code>{esc(facts.model)}</code>), seed "
        f"{facts.seed}.</p><p>{esc(facts.tuning)}</p>{table}"
    )


def _validation_section(facts: RunFacts) -> str:
    rows = facts.rows
    counts = table_html(
        ["Rows", "Count"],
        [
            (esc(label), f"{count:,}")
            for count, label in (
                (rows.total, "In the data"),
                (rows.development, "Development (folds)"),
                (rows.test, "Test set"),
                (rows.unlabelled, "Without a target (left out)"),
            )
        ],
        numeric=(1,),
    )
    return f"<p>{esc(facts.validation)}</p>{counts}"


def _metric_cells(row: MetricRow) -> tuple[str, ...]:
    validation = number_text(row.validation_mean)
    if row.validation_std is not None:
        validation += f" ± {number_text(row.validation_std, row.validation_mean)}"
    direction = "higher is better" if row.higher_is_better else "lower is better"
    return (
        f'{esc(row.label)} <span class="muted">({direction})</span>',
        validation,
        number_text(row.train),
        number_text(row.test),
    )


def _scores_section(facts: RunFacts) -> str:
    table = table_html(
        ["Metric", "Validation (mean ± std)", "Train (mean)", "Test"],
        [_metric_cells(row) for row in facts.metrics],
        numeric=(1, 2, 3),
        row_classes=["main" if row.is_run_metric else "" for row in facts.metrics],
    )
    main = next((row for row in facts.metrics if row.is_run_metric), None)
    label = main.label if main is not None else facts.metric
    folds = table_html(
        ["Fold", "Validation rows", "Train", "Validation"],
        [
            # Numbered from 1, as the fold plot numbers them.
            (str(f.fold + 1), f"{f.rows:,}", number_text(f.train), number_text(f.validation))
            for f in facts.folds
        ],
        numeric=(0, 1, 2, 3),
    )
    timing = ""
    if facts.timings:
        fit = facts.timings.get("fit_seconds")
        predict = facts.timings.get("predict_seconds")
        bits = []
        if fit is not None:
            bits.append(f"fitting took {fit:.3f} s")
        if predict is not None:
            bits.append(f"predicting the validation rows {predict:.3f} s")
        timing = f'<p class="muted">Per fold, on average, {" and ".join(bits)}.</p>'
    return (
        '<p class="muted">Validation: the mean and standard deviation over the folds; train: '
        "the mean over the folds' training rows (a large gap to validation means "
        "over-fitting); test: the final model on the held-out rows. The highlighted row is the "
        f"run's metric.</p>{table}<h3>Per fold: {esc(label)}</h3>{folds}{timing}"
    )


def _per_class_section(facts: RunFacts) -> str:
    parts = []
    for which, report in facts.per_class.items():
        rows = [
            (
                esc(item["class"]),
                number_text(item["precision"]),
                number_text(item["recall"]),
                number_text(item["f1"]),
                f"{item['support']:,}",
            )
            for item in report
        ]
        parts.append(
            f"<h3>{esc(SPLIT_WORDS.get(which, which).capitalize())}</h3>"
            + table_html(["Class", "Precision", "Recall", "F1", "Rows"], rows, numeric=(1, 2, 3, 4))
        )
    return "".join(parts)


def _figure(image: ReportImage) -> str:
    if image.png is None:
        return f'<h3>{esc(image.title)}</h3><p class="muted">{esc(image.note)}</p>'
    return (
        f'<figure id="plot-{esc(image.which)}-{esc(image.key)}">'
        f'<img src="{png_data_uri(image.png)}" alt="{esc(image.title)}" width="{IMAGE_WIDTH}">'
        f"<figcaption>{esc(image.title)}</figcaption></figure>"
    )


def _plots_section(images: Sequence[ReportImage]) -> str:
    parts = []
    for which in ("oof", "test"):
        chosen = [image for image in images if image.which == which]
        if chosen:
            parts.append(f"<h3>{esc(SPLIT_WORDS[which].capitalize())}</h3>")
            parts += [_figure(image) for image in chosen]
    return "".join(parts) or "<p>No plots.</p>"


def _explanations_section(
    explanations: RunExplanations | None, images: Sequence[ReportImage]
) -> str:
    explained = [image for image in images if image.which == EXPLAIN]
    if explanations is None or explanations.rows is None:
        return (
            '<p class="muted">This run\'s rows were not explained: SHAP values need its fitted '
            "model, and a run received from elsewhere is re-fitted before its model is loaded."
            "</p>"
        )
    rows = explanations.rows
    shap = rows.shap
    where = "test" if rows.data == "test" else "out-of-fold"
    method = (
        "exact TreeSHAP"
        if shap.method == "tree_exact"
        else f"estimated from {shap.permutations} sampled orderings of the columns"
    )
    parts = [
        f"<p>SHAP values of {len(shap.rows)} {where} rows (drawn with seed {rows.seed}) "
        f"through the final model, {esc(method)}, in the names of the original columns: for "
        f"every row the base value plus its columns' values is "
        f"{esc(OUTPUT_WORDS.get(shap.output, shap.output))}.</p>"
    ]
    if shap.note:
        parts.append(f'<p class="muted">{esc(shap.note)}.</p>')
    parts += [_figure(i) for i in explained if i.key.startswith(SHAP_KEYS)]
    curves = [i for i in explained if i.key.startswith(CURVE_KEY)]
    if curves:
        parts.append(
            "<h3>Partial dependence</h3><p>The average prediction as one column is set to "
            "each value of a grid in every explained row (thin lines: single rows), for the "
            "columns with the largest mean |SHAP|.</p>"
        )
        parts += [_figure(image) for image in curves]
    parts.append(_slices_part(list(explanations.slices.values()), explained))
    return "".join(parts)


def _slices_part(reports: list[SliceReport], images: Sequence[ReportImage]) -> str:
    if not reports:
        return ""
    sentences = "".join(f"<li>{esc(s)}</li>" for s in limitation_sentences(reports))
    parts = [
        "<h3>Slices</h3><p>The run's out-of-fold metrics per value of each column (numbers in "
        "quantile bins); a gap counts between groups of at least "
        f"{reports[0].min_rows} rows.</p>",
        f"<ul>{sentences}</ul>" if sentences else "",
    ]
    ranked = by_largest_gap(reports)
    overview = [
        (
            esc(report.column),
            str(len(report.groups)),
            esc(METRIC_LABELS.get(report.metric, report.metric)),
            "—" if report.gap is None else number_text(report.gap.difference),
            "—" if report.gap is None else esc(report.gap.worst),
            "—" if report.gap is None else esc(report.gap.best),
        )
        for report in [*ranked, *[r for r in reports if r.gap is None]]
    ]
    parts.append(
        table_html(
            ["Column", "Groups", "Metric", "Largest gap", "Worst group", "Best group"],
            overview,
            numeric=(1, 3),
        )
    )
    by_key = {image.key: image for image in images}
    for report in ranked[:SLICE_TABLES]:
        parts.append(f"<h3>By {esc(report.column)}</h3>")
        image = by_key.get(f"{SLICE_KEY}:{report.column}")
        if image is not None:
            parts.append(_figure(image))
        parts.append(_slice_table(report))
    return "".join(parts)


def _slice_table(report: SliceReport) -> str:
    rates = [rate for rate in RATES if any(rate in g.rates for g in report.groups)]
    label = METRIC_LABELS.get(report.metric, report.metric)
    header = ["Group", "Rows", "Folds", f"{label} ± across folds"]
    header += [rate.replace("_", " ").capitalize() for rate in rates]
    rows, classes = [], []
    gap = report.gap
    for group in report.groups:
        value = group.metrics.get(report.metric)
        spread = group.fold_std.get(report.metric)
        cell = number_text(value) + ("" if spread is None else f" ± {number_text(spread)}")
        rows.append(
            (esc(group.value), f"{group.count:,}", str(group.folds), cell,
             *(number_text(group.rates.get(rate)) for rate in rates))
        )  # fmt: skip
        classes.append(
            "" if gap is None
            else "best" if group.value == gap.best
            else "worst" if group.value == gap.worst
            else ""
        )  # fmt: skip
    fairness = ""
    if report.fairness:
        fairness = (
            "<p>"
            + "; ".join(
                f"{esc(name.replace('_', ' '))}: <b>{number_text(value)}</b>"
                for name, value in report.fairness.items()
            )
            + "</p>"
        )
    numeric = tuple(range(1, len(header)))
    return table_html(header, rows, numeric=numeric, row_classes=classes) + fairness


def _notes_section(facts: RunFacts) -> str:
    parts = []
    note = facts.note.strip()
    parts.append(
        "<p>" + esc(note).replace("\n", "<br>") + "</p>"
        if note
        else '<p class="muted">No note.</p>'
    )
    tags = "".join(f'<span class="tag">{esc(tag)}</span>' for tag in facts.tags)
    parts.append(f"<p>Tags: {tags}</p>" if tags else '<p>Tags: <span class="muted">none</span></p>')
    if facts.training_notes:
        items = "".join(f"<li>{esc(note)}</li>" for note in facts.training_notes)
        parts.append(f"<h3>Notes from training</h3><ul>{items}</ul>")
    return "".join(parts)


def _environment_section(facts: RunFacts) -> str:
    env = facts.environment
    rows = [
        ("Python", esc(f"{env.python} ({env.implementation})")),
        ("Platform", esc(f"{env.platform}, {env.machine}")),
        ("Host", esc(facts.host)),
        ("Git commit", f'<span class="mono">{esc(env.git_commit or "none")}</span>'),
        ("Started", esc(when_text(facts.started_at))),
        ("Finished", esc(when_text(facts.finished_at))),
        ("Duration", esc(f"{facts.duration:.1f} s" if facts.duration is not None else "—")),
    ]
    versions = table_html(
        ["Package", "Version"],
        [(esc(name), esc(version)) for name, version in sorted(env.packages.items())],
    )
    return _facts_table(rows) + versions


# ---- the document ---------------------------------------------------------------------------


def report_html(
    facts: RunFacts,
    images: Sequence[ReportImage],
    explanations: RunExplanations | None = None,
) -> str:
    """The whole report of one run as an HTML document; `images` with `which` EXPLAIN go to
    the explanations' section."""
    sections = [
        ("data", "Data", _data_section(facts)),
        ("chain", "Preparation chain", _chain_section(facts)),
        ("model", "Model", _model_section(facts)),
        ("validation", "Validation", _validation_section(facts)),
        ("scores", "Scores", _scores_section(facts)),
    ]
    if facts.per_class:
        sections.append(("per-class", "Per class", _per_class_section(facts)))
    sections += [
        ("plots", "Plots", _plots_section(images)),
        ("explanations", "Explanations", _explanations_section(explanations, images)),
        ("notes", "Notes and tags", _notes_section(facts)),
        ("environment", "Environment", _environment_section(facts)),
    ]
    body = "".join(
        f'<section id="{anchor}"><h2>{esc(title)}</h2>{content}</section>'
        for anchor, title, content in sections
    )
    title = f"Run report {facts.run_id}: {facts.model_label}, {facts.project}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="ML Workbench {esc(__version__)}">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{_header(facts)}{_nav([(a, t) for a, t, _ in sections])}{body}</main>"
        "</body></html>\n"
    )
