"""`workbench report PROJECT [RUN] --out FILE.html` as a user types it.

The runs are the Results GUI tests' session training (tests/gui/results_scenario.py).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cli_calls import one_error_line, run

from workbench.core.project import create_project
from workbench.core.runs.log import LOG_FILE, ExperimentLog

# The session's trained runs live beside the GUI tests; importing the module under the same
# name as they do shares one training per session.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "gui"))
from results_scenario import result_runs  # noqa: F401 - the fixture

pytestmark = pytest.mark.shared_data


def test_report_without_a_run_or_out_writes_the_best_runs_report_in_the_project(
    qapp,
    result_runs,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without a RUN: the best finished run, as `workbench export` takes it; without --out: the
    project's reports folder (in a copy, to leave the session's alone)."""
    root = shutil.copytree(result_runs["penguins"].root, tmp_path / "project")
    with ExperimentLog(Path(root) / LOG_FILE) as log:
        means = {r.run_id: r.fold_summary()["f1_macro"]["mean"] for r in log.runs()}
    best = max(means, key=means.__getitem__)
    assert run(["report", str(root)]) == 0
    captured = capsys.readouterr()
    default = root / "reports" / f"{best}.html"
    assert captured.out == f"{default}\n"
    assert captured.err == f"note: the report of run {best}, the best finished run\n"
    text = default.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and best in text


def test_report_errors_are_one_line_with_exit_code_2(
    result_runs,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    trained = result_runs["penguins"]
    out = tmp_path / "r.html"
    bad = "20990101-000000-000-dead"
    assert run(["report", str(trained.root), bad, "--out", str(out)]) == 2
    assert one_error_line(capsys) == (
        f"workbench: error: no run '{bad}' in {trained.root / 'experiments.sqlite'}"
    )
    assert run(["report", str(trained.root), "not-a-run", "--out", str(out)]) == 2
    assert one_error_line(capsys) == "workbench: error: 'not-a-run' is not a run id"
    assert run(["report", str(tmp_path / "nowhere"), bad, "--out", str(out)]) == 2
    assert (
        one_error_line(capsys)
        == f"workbench: error: project folder not found: {tmp_path / 'nowhere'}"
    )
    run_id = trained.runs["logistic_regression"]
    assert run(["report", str(trained.root), run_id, "--out", str(tmp_path / "r.txt")]) == 2
    assert one_error_line(capsys) == "workbench: error: a report is an .html file, not 'r.txt'"
    empty = tmp_path / "empty"
    create_project(empty)
    assert run(["report", str(empty)]) == 2  # no run named, and none to take
    assert one_error_line(capsys) == (
        "workbench: error: project 'empty' has no finished run to report on; train one"
    )
    assert not out.exists()


def test_the_cli_process_never_imports_the_gui(result_runs, tmp_path: Path) -> None:  # noqa: F811
    """The plots are drawn in a child process: `workbench report` itself loads no Qt."""
    trained = result_runs["titanic"]
    run_id = trained.runs["logistic_regression"]
    out = tmp_path / "report.html"
    code = textwrap.dedent(f"""
        import sys
        from workbench.cli.main import main
        code = main(["report", {str(trained.root)!r}, {run_id!r},
                     "--out", {str(out)!r}])
        loaded = sorted(n for n in sys.modules if n.split(".")[0] in ("PySide6", "pyqtgraph")
                        or n.startswith("workbench.gui"))
        print(code, loaded)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    # The report's path, then the exit code and the Qt modules loaded: none.
    assert done.stdout.strip().splitlines()[-2:] == [str(out), "0 []"]
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and run_id in text
    assert text.count('<img src="data:image/png;base64,') >= 8
