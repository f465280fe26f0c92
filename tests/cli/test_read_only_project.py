"""A project this user cannot write opens read-only (issue 13): the commands that only read it
work, those that would write exit 2 with one line saying so, and its log is never reported as
damaged. Run as a real user without write permission on a copy made read-only: root, whom
permissions do not stop, runs the commands without the capabilities that override them
(setpriv), as an ordinary user would."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from _serve_runs import trained_run

pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX users and permissions"),
]
# Root's capabilities that override file permissions, dropped for the commands.
NO_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"]


@pytest.fixture()
def theirs(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of a trained project in a folder everyone may read and nobody but its owner may
    write (outside pytest's private temporary folder, which `nobody` cannot enter)."""
    run = trained_run("penguins", shared_data, tmp_path_factory)
    base = Path(tempfile.mkdtemp(prefix="workbench-read-only-"))
    os.chmod(base, 0o755)
    root = base / "theirs"
    shutil.copytree(run.project, root)
    for path in [root, *root.rglob("*")]:
        os.chmod(path, 0o555 if path.is_dir() else 0o444)
    yield root
    for path in [root, *root.rglob("*")]:
        os.chmod(path, stat.S_IRWXU)
    shutil.rmtree(base)


def _workbench(*argv: str, home: Path, trusted: bool = False) -> subprocess.CompletedProcess:
    """Run as a user who cannot write the project; `trusted`: with the trust store of the
    installation that trained its run (this test session's), else a fresh one."""
    prefix = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: no permission would stop a write")
        prefix = NO_OVERRIDE
    trust = os.environ["WORKBENCH_TRUST_DIR"] if trusted else str(home / "trust")
    env = {**os.environ, "HOME": str(home), "WORKBENCH_TRUST_DIR": trust}
    return subprocess.run(
        [*prefix, sys.executable, "-m", "workbench", *argv],
        capture_output=True, text=True, env=env, cwd=home, timeout=300,
    )  # fmt: skip


def test_reading_commands_work_and_writing_ones_refuse_in_one_line(theirs: Path) -> None:
    home = Path(tempfile.mkdtemp(prefix="workbench-home-"))
    os.chmod(home, 0o777)
    before = sorted(p.name for p in theirs.iterdir())
    try:
        listed = _workbench("runs", str(theirs), "--json", home=home)
        assert listed.returncode == 0, listed.stderr
        assert listed.stderr == ""
        (run,) = json.loads(listed.stdout)
        assert run["status"] == "finished"
        info = _workbench("info", str(theirs), home=home)
        assert info.returncode == 0, info.stderr
        # Explaining reads the run: it works, and says its explanations are not saved.
        explained = _workbench(
            "explain", str(theirs), run["run_id"], "--rows", "20", home=home, trusted=True
        )
        assert explained.returncode == 0, explained.stderr
        assert explained.stdout.startswith("SHAP values of 20 test rows")
        assert explained.stderr == (
            f"note: the project {theirs} is read-only: the explanations are shown, not saved\n"
        )
        for argv in (
            ["train", str(theirs), "--model", "decision_tree"],
            ["rerun", str(theirs), run["run_id"]],
            ["export", str(theirs), run["run_id"], "--onnx", str(home / "m.onnx")],
        ):
            refused = _workbench(*argv, home=home)
            assert refused.returncode == 2, (argv, refused.stderr)
            assert refused.stdout == ""
            assert refused.stderr == (
                f"workbench: error: the project {theirs} is read-only (this user cannot write "
                f"to its folder): `{argv[0]}` writes to it; copy the folder somewhere you can "
                "write\n"
            )
        assert sorted(p.name for p in theirs.iterdir()) == before  # nothing written
    finally:
        shutil.rmtree(home, ignore_errors=True)
