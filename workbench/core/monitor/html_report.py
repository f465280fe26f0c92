"""A check as one self-contained HTML file, like the run report (core.report.document).

Inline CSS (the run report's), plots as inline SVG drawn here from the report's shares (no Qt,
no script, no link outside the file), every text from the data escaped. Sections: the verdict
per check, the columns sorted by drift with each one's reference and batch shares side by side,
the prediction drift, validation with counts and example rows, and the scores of a labelled
batch beside the run's folds and test set.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from workbench import __version__
from workbench.core.atomic import write_text_atomic
from workbench.core.errors import WorkbenchError
from workbench.core.html_parts import CSS, esc, number_text, table_html, when_text
from workbench.core.monitor.drift import ColumnDrift
from workbench.core.monitor.history import StoredCheck
from workbench.core.monitor.verdict import Status, check_verdicts, drift_order

REFERENCE_COLOUR = "#8c959f"
BATCH_COLOUR = "#0969da"
STATUS_CLASSES = {
    Status.OK: "ok",
    Status.WARNING: "warning",
    Status.FAILED: "failed",
    Status.SKIPPED: "muted",
}
EXTRA_CSS = """
.ok { color: #1a7f37; } .failed { color: #cf222e; font-weight: 600; }
svg.shares { display: block; border: 1px solid #d0d7de; background: #fff; }
.legend span { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; }
"""
CHART_WIDTH = 420
CHART_HEIGHT = 120


def shares_svg(column: ColumnDrift, width: int = CHART_WIDTH, height: int = CHART_HEIGHT) -> str:
    """Reference (grey) and batch (blue) shares per bin as paired bars, bins labelled below."""
    bins = len(column.bins)
    if not bins:
        return '<p class="muted">no distribution to draw</p>'
    top = max([*column.reference_shares, *column.batch_shares, 1e-9])
    plot_height = height - 22
    slot = width / bins
    bars = []
    for index in range(bins):
        for side, (values, colour) in enumerate(
            ((column.reference_shares, REFERENCE_COLOUR), (column.batch_shares, BATCH_COLOUR))
        ):
            share = values[index] if index < len(values) else 0.0
            bar = plot_height * share / top
            x = index * slot + slot * (0.1 + 0.4 * side)
            bars.append(
                f'<rect x="{x:.1f}" y="{plot_height - bar:.1f}" width="{slot * 0.38:.1f}" '
                f'height="{bar:.1f}" fill="{colour}"><title>{esc(column.bins[index])}: '
                f"{'reference' if side == 0 else 'batch'} {share:.1%}</title></rect>"
            )
    step = max(1, bins // 6)
    labels = [
        f'<text x="{index * slot + slot / 2:.1f}" y="{height - 6}" font-size="9" '
        f'text-anchor="middle" fill="#57606a">{esc(column.bins[index][:14])}</text>'
        for index in range(0, bins, step)
    ]
    return (
        f'<svg class="shares" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="share of rows per bin of {esc(column.name)}">'
        f"{''.join(bars)}{''.join(labels)}</svg>"
    )


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


def _drift_rows(columns: Sequence[ColumnDrift]) -> list[list[str]]:
    return [
        [
            f"<code>{esc(c.name)}</code>",
            esc(c.test or "—"),
            _number(c.statistic),
            _number(c.p_value),
            _number(c.psi),
            '<span class="failed">drifted</span>' if c.drifted else "",
            esc(c.note),
        ]
        for c in columns
    ]


DRIFT_HEADER = ["column", "test", "statistic", "p-value", "PSI", "drifted", "verdict"]


def _distributions(columns: Sequence[ColumnDrift]) -> str:
    shown = [c for c in columns if c.bins][:12]
    if not shown:
        return ""
    legend = (
        f'<p class="legend"><span style="background:{REFERENCE_COLOUR}"></span>reference '
        f'(training rows)<span style="background:{BATCH_COLOUR}"></span>batch</p>'
    )
    figures = "".join(
        f"<figure><h3><code>{esc(c.name)}</code></h3>{shares_svg(c)}"
        f"<figcaption>{esc(c.note)}</figcaption></figure>"
        for c in shown
    )
    return f"<h3>Distributions, most drifted first</h3>{legend}{figures}"


def check_html(check: StoredCheck) -> str:
    """The whole document."""
    report = check.report
    options = report.options
    verdicts = "".join(
        f'<tr><th>{esc(v.check)}</th><td class="{STATUS_CLASSES[v.status]}">'
        f"{esc(v.status.value)}</td><td>{esc(v.text)}</td></tr>"
        for v in check_verdicts(report)
    )
    columns = drift_order(report.columns)
    parts = [
        f"<h1>Batch check: {esc(check.file_name)}</h1>",
        f'<p class="subtitle">{report.rows:,} rows against run <code>{esc(report.run_id)}</code> '
        f"({report.reference_rows:,} training rows), checked {esc(when_text(check.checked_at))}"
        f"; file sha256 <code>{esc(check.file_sha256[:16])}</code>…</p>",
        '<h2 id="verdict">Verdict</h2>',
        f'<table class="facts">{verdicts}</table>',
        f'<p class="muted">A column drifted when its test is significant at alpha '
        f"{options.alpha:g} / {report.tests} tests = {report.alpha_per_test:.3g} and PSI reaches "
        f"{options.psi_threshold:g} or the KS statistic / total variation distance reaches "
        f"{options.distance_threshold:g}.</p>",
        '<h2 id="columns">Drift per column</h2>',
        table_html(DRIFT_HEADER, _drift_rows(columns), numeric=(2, 3, 4)),
        _distributions(columns),
        '<h2 id="predictions">Prediction drift</h2>',
        table_html(DRIFT_HEADER, _drift_rows(report.prediction_drift), numeric=(2, 3, 4))
        if report.prediction_drift
        else '<p class="muted">The model could not predict the batch: see validation.</p>',
        _distributions(report.prediction_drift),
        '<h2 id="validation">Validation</h2>',
        _validation(check),
    ]
    if report.metrics is not None:
        parts += ['<h2 id="performance">Performance on the labelled rows</h2>', _metrics(check)]
    parts.append(f'<p class="muted">ML Workbench {esc(__version__)}</p>')
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Batch check {esc(check.file_name)} - run {esc(report.run_id)}</title>"
        f"<style>{CSS}{EXTRA_CSS}</style></head><body><main>{''.join(parts)}</main></body></html>\n"
    )


def _validation(check: StoredCheck) -> str:
    problems = check.report.validation
    if not problems:
        return (
            '<p class="ok">Every column is present, of its type and within what training saw.</p>'
        )
    rows = [
        [
            f"<code>{esc(p.column)}</code>",
            '<span class="failed">blocking</span>' if p.blocking else "warning",
            esc(p.message),
            f"{p.count:,}",
            esc(", ".join(str(r) for r in p.rows)),
        ]
        for p in problems
    ]
    return table_html(["column", "severity", "problem", "rows", "example rows"], rows, (3,))


def _metrics(check: StoredCheck) -> str:
    metrics = check.report.metrics
    assert metrics is not None
    rows = [
        [
            esc(m.label),
            number_text(m.batch),
            number_text(m.validation_mean),
            f"{number_text(m.low)} to {number_text(m.high)}" if m.low is not None else "—",
            number_text(m.test),
            '<span class="failed">worse</span>' if m.worse else "",
        ]
        for m in metrics.metrics
    ]
    header = ["metric", "batch", "validation mean", f"{metrics.level:.0%} interval", "test", ""]
    note = (
        f'<p class="muted">{metrics.rows:,} labelled rows; {metrics.folds} validation fold(s).</p>'
    )
    return note + table_html(header, rows, (1, 2, 3, 4))


def write_check_report(check: StoredCheck, out: str | Path) -> Path:
    """Write the check's HTML report atomically; returns its path."""
    target = Path(out)
    if target.suffix.lower() not in (".html", ".htm"):
        raise WorkbenchError(f"a report is an .html file, not '{target.name}'")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(target, check_html(check))
    except OSError as error:
        raise WorkbenchError(f"cannot write {target}: {error.strerror or error}") from error
    return target
