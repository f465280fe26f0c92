"""`write_run_report`: one finished run as one self-contained HTML file.

It is a job (progress, cancel) that the Results panel runs in a child process and the CLI runs
in its own: reading the curves needs scikit-learn and drawing them needs a QApplication, and
neither belongs in the window's process or thread. Heavy modules are imported inside the
function, so the window imports this module for the job's name at no cost.
"""

from __future__ import annotations

from pathlib import Path

from workbench.core.errors import WorkbenchError
from workbench.core.progress import (
    NEVER_CANCELLED,
    CancelToken,
    ProgressFn,
    no_progress,
    sub_progress,
)

REPORTS_FOLDER = "reports"
# The test set's plots the report repeats after the out-of-fold ones: the ones a reader
# compares between the two; the rest would double the file for little.
TEST_PLOT_KEYS = ("confusion", "roc", "pr", "predicted_actual", "residuals")
HOW_TO_COMPUTE = {
    "learning_curve": "Not in this report: the learning curve trains the model again, so it is "
    "computed on request. Select the run in the Results panel, choose 'Learning curve', press "
    "Compute, then save the report again.",
    "permutation_importance": "Not in this report: permutation importance scores the model "
    "again with each column shuffled, so it is computed on request. Select the run in the "
    "Results panel, choose 'Permutation importance', press Compute, then save the report again.",
    "builtin_importance": "Not in this report: built-in importance is read with the "
    "permutation importance; compute that in the Results panel, then save the report again.",
}


def default_report_path(project_root: str | Path, run_id: str) -> Path:
    """Where a run's report goes unless the user says otherwise: <project>/reports/<run>.html."""
    return Path(project_root) / REPORTS_FOLDER / f"{run_id}.html"


def write_run_report(
    project_root: str | Path,
    run_id: str,
    out: str | Path,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> Path:
    """Write the report of finished run `run_id` to `out` (.html) and return its path.

    A WorkbenchError says why when the run failed, was cancelled, is still running, or its
    prediction files are gone. The file is written atomically: a cancelled or failed report
    leaves the previous file or none.
    """
    from workbench.core.atomic import write_text_atomic
    from workbench.core.report.document import report_html
    from workbench.core.runs.facts import gather_facts
    from workbench.core.runs.results import load_run_results

    root = Path(project_root)
    target = Path(out)
    if target.suffix.lower() not in (".html", ".htm"):
        raise WorkbenchError(f"a report is an .html file, not '{target.name}'")
    if not (root / "project.json").is_file():
        raise WorkbenchError(f"{root} is not a project folder (no project.json)")
    progress(0.0, f"reading run {run_id}")
    results = load_run_results(root, run_id)
    facts = gather_facts(root, results)
    cancel.raise_if_cancelled()
    images = _images(root, results, sub_progress(progress, 0.1, 0.95), cancel)
    cancel.raise_if_cancelled()
    progress(0.95, f"writing {target.name}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(target, report_html(facts, images))
    except OSError as error:
        raise WorkbenchError(f"cannot write {target}: {error.strerror or error}") from error
    progress(1.0, "done")
    return target


def _images(root: Path, results: object, progress: ProgressFn, cancel: CancelToken) -> list:
    """The plots the Results panel would show for the run, rendered to PNG."""
    from workbench.core.explain.importance import IMPORTANCE_FILE
    from workbench.core.metrics.learning_curve import LEARNING_CURVE_FILE
    from workbench.core.metrics.plot_data import OOF, TEST, plot_data
    from workbench.core.runs.inputs import cache_path, read_cache
    from workbench.gui.plots.catalog import COMPUTED_ON_REQUEST, plots_for
    from workbench.gui.report.images import ensure_application, render_entries

    run_id = results.run_id  # type: ignore[attr-defined]
    progress(0.0, "computing the curves")
    cached = {
        "importance": read_cache(cache_path(root, run_id, IMPORTANCE_FILE), {}),
        "learning_curve": read_cache(cache_path(root, run_id, LEARNING_CURVE_FILE), {}),
    }
    data = plot_data(results, cached)
    cancel.raise_if_cancelled()
    ensure_application()
    entries = []
    for entry in plots_for(data, OOF):
        if entry.factory is not None:
            entries.append(entry)
        elif entry.key in COMPUTED_ON_REQUEST:
            computed = data.learning_curve if entry.key == "learning_curve" else data.importance
            reason = entry.reason if computed is not None else HOW_TO_COMPUTE[entry.key]
            entries.append(entry._replace(reason=reason))
    images = render_entries(entries, OOF, progress=sub_progress(progress, 0.2, 0.75), cancel=cancel)
    if TEST in data.splits:
        tests = [e for e in plots_for(data, TEST) if e.key in TEST_PLOT_KEYS and e.factory]
        images += render_entries(tests, TEST, progress=sub_progress(progress, 0.75, 1.0),
                                 cancel=cancel)  # fmt: skip
    return images
