"""HTML pieces shared by the self-contained reports (a run's report, a monitor check): the
style sheet, escaping, number and time text, tables, inline images.

A leaf: the run report (core.report) reads explanations and runs, and the monitor check is read
by training; both draw their HTML from here, so neither package imports the other.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

CSS = """
:root { color-scheme: light; }
body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1f2328; background: #fff; margin: 0; line-height: 1.45; font-size: 15px; }
main { max-width: 960px; margin: 0 auto; padding: 28px 32px 60px; }
h1 { font-size: 1.7em; margin: 0 0 4px; }
h2 { font-size: 1.3em; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #d0d7de; }
h3 { font-size: 1.05em; margin: 22px 0 8px; }
.subtitle { color: #57606a; margin: 0 0 16px; }
.headline { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.headline div { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 14px;
  min-width: 150px; }
.headline b { display: block; font-size: 1.35em; }
.headline span { color: #57606a; font-size: 0.9em; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 0.93em; }
th, td { border: 1px solid #d0d7de; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.main td { font-weight: 600; background: #fff8c5; }
tr.best td { background: #dafbe1; }
tr.worst td { background: #ffebe9; }
table.facts th { width: 210px; }
code, .mono { font-family: SFMono-Regular, Consolas, "Liberation Mono", Menlo, monospace;
  font-size: 0.9em; overflow-wrap: anywhere; }
.muted { color: #57606a; }
.warning { color: #9a6700; }
.tag { display: inline-block; border: 1px solid #d0d7de; border-radius: 10px; padding: 0 8px;
  margin-right: 4px; font-size: 0.9em; }
figure { margin: 18px 0 26px; }
figure img { display: block; width: 100%; max-width: 900px; height: auto;
  border: 1px solid #d0d7de; }
figcaption { color: #57606a; font-size: 0.9em; margin-top: 4px; }
nav ol { columns: 2; margin: 6px 0; }
ol.chain li { margin-bottom: 6px; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; }
  figure, table, .headline { break-inside: avoid; }
}
"""


# ---- formatting -----------------------------------------------------------------------------


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def number_text(value: float | None, scale: float | None = None) -> str:
    """A score as the report prints it: 4 decimals, or 1 with thousands separators for large
    errors (RMSE in currency units). `scale` (the mean beside a standard deviation) picks the
    style, so "4,835.7 ± 185.4" keeps one style."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    number = float(value)
    large = abs(float(scale) if scale is not None else number) >= 1000
    return f"{number:,.1f}" if large else f"{number:.4f}"


def when_text(stamp: str | None) -> str:
    """An ISO time stamp as 'YYYY-MM-DD HH:MM UTC' (the text as it is when unparseable)."""
    if not stamp:
        return "—"
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    zone = moment.strftime("%Z") or ""
    return moment.strftime("%Y-%m-%d %H:%M") + (" UTC" if zone in ("UTC", "UTC+00:00") else "")


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def table_html(header: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = (),
               row_classes: Sequence[str] | None = None, css: str = "") -> str:  # fmt: skip
    """An HTML table from already-escaped cells; `numeric` columns are right-aligned."""
    klass = f' class="{css}"' if css else ""
    head = "".join(
        f'<th class="num">{cell}</th>' if i in numeric else f"<th>{cell}</th>"
        for i, cell in enumerate(header)
    )
    body = []
    for index, row in enumerate(rows):
        cells = "".join(
            f'<td class="num">{cell}</td>' if i in numeric else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        )
        row_class = row_classes[index] if row_classes and row_classes[index] else ""
        attribute = f' class="{row_class}"' if row_class else ""
        body.append(f"<tr{attribute}>{cells}</tr>")
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
