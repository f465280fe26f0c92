"""`workbench --selftest` from the source tree, and how it reports."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench import selftest
from workbench.cli.main import build_parser
from workbench.selftest import SelftestState, app_module_names, run_selftest


def test_flag_is_in_the_help() -> None:
    assert "--selftest" in build_parser().format_help()


def test_module_list_skips_templates_and_main() -> None:
    names = app_module_names()
    for expected in (
        "workbench.core.train.runner",
        "workbench.core.models.factories",
        "workbench.core.steps.numeric_impl",
        "workbench.gui.main_window",
        "workbench.jobs.process_runner",
        "workbench.selftest",
    ):
        assert expected in names
    assert not [n for n in names if n.startswith("workbench.core.export.service")]
    assert not [n for n in names if n.endswith("__main__")]


def test_a_failing_check_fails_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def passes(_: SelftestState) -> str:
        return "fine"

    def fails(_: SelftestState) -> str:
        raise ValueError("no xgboost library\nsecond line")

    def checks() -> Iterator[tuple[str, selftest.Check]]:
        yield "first", passes
        yield "second", fails

    monkeypatch.setattr(selftest, "_checks", checks)
    out = io.StringIO()

    code = run_selftest(out)

    lines = out.getvalue().splitlines()
    assert code == 1
    assert lines[0].startswith("OK   first") and lines[0].endswith("fine")
    assert lines[1].startswith("FAIL second")
    assert lines[1].endswith("ValueError: no xgboost library")  # one line per check
    assert lines[2].startswith("selftest FAILED: 1 of 2 checks (second)")


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_selftest_from_source_passes(selftest_program, tmp_path: Path) -> None:
    """The whole selftest, as `workbench --selftest` runs it (window, training, export)."""
    output = selftest_program([sys.executable, "-m", "workbench"], tmp_path)
    assert "demo table 344 x 7" in output.splitlines()[0]
