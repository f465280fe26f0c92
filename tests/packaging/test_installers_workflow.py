"""The installers' CI workflow, read as GitHub Actions reads it (it cannot run here: no Windows,
no macOS, no GitHub runner). Checks what each job must do, so an edit that drops a step fails."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "installers.yml"


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def _uses(job: dict[str, Any]) -> list[str]:
    return [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]


def test_three_operating_systems(workflow: dict[str, Any]) -> None:
    runners = {name: job["runs-on"] for name, job in workflow["jobs"].items()}
    assert set(runners) == {"linux", "windows", "macos"}
    assert runners["linux"].startswith("ubuntu-")
    assert runners["windows"].startswith("windows-")
    assert runners["macos"].startswith("macos-")
    # YAML reads a bare `on:` key as True
    triggers = workflow.get("on", workflow.get(True))
    assert {"workflow_dispatch", "push", "pull_request"} <= set(triggers)


@pytest.mark.parametrize("name", ["linux", "windows", "macos"])
def test_each_job_builds_self_tests_and_uploads(workflow: dict[str, Any], name: str) -> None:
    job = workflow["jobs"][name]
    assert _uses(job)[:2] == ["actions/checkout", "actions/setup-python"]
    assert "actions/upload-artifact" in _uses(job)
    assert job["timeout-minutes"] <= 90
    runs = _runs(job)
    assert 'install -e ".[package]"' in runs
    assert "packaging/build.py" in runs.replace("\\", "/")
    # build.py runs the bundle's --selftest unless told not to; the job must not skip it.
    assert "--no-selftest" not in runs
    assert "--selftest" in runs  # and the installed app's own, after installing


def test_linux_job_installs_and_removes_the_deb(workflow: dict[str, Any]) -> None:
    job = workflow["jobs"]["linux"]
    runs = _runs(job)
    assert "--formats tar.gz,deb" in runs
    assert "apt-get install -y ./dist/ml-workbench_*.deb" in runs
    assert "/usr/bin/workbench --selftest" in runs
    assert "apt-get purge -y ml-workbench" in runs
    (upload,) = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload")]
    assert "dist/*.deb" in upload["with"]["path"]


def test_windows_job_builds_and_runs_the_inno_setup_installer(workflow: dict[str, Any]) -> None:
    job = workflow["jobs"]["windows"]
    runs = _runs(job)
    assert "innosetup" in runs and "ISCC.exe" in runs
    assert "--formats zip,setup" in runs
    assert "/VERYSILENT" in runs and "workbench-cli.exe" in runs and "unins000.exe" in runs
    (upload,) = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload")]
    assert "dist/*-setup.exe" in upload["with"]["path"]


def test_macos_job_makes_the_app_and_a_dmg(workflow: dict[str, Any]) -> None:
    job = workflow["jobs"]["macos"]
    runs = _runs(job)
    assert "--formats zip,dmg" in runs
    assert "ML Workbench.app/Contents/MacOS/workbench-cli" in runs
    assert "hdiutil attach" in runs and "hdiutil detach" in runs
    (upload,) = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload")]
    assert "dist/*.dmg" in upload["with"]["path"]


def test_formats_named_in_the_workflow_exist_in_build_py(
    workflow: dict[str, Any], build_script: ModuleType
) -> None:
    platforms = {"linux": "linux", "windows": "win32", "macos": "darwin"}
    for name, key in platforms.items():
        runs = _runs(workflow["jobs"][name])
        formats = runs.split("--formats ", 1)[1].split()[0].split(",")
        assert set(formats) <= set(build_script.FORMATS[key]), (name, formats)


def test_build_rejects_a_format_of_another_platform(build_script: ModuleType) -> None:
    other = "dmg" if "dmg" not in build_script.platform_formats() else "deb"
    with pytest.raises(SystemExit, match=f"{other} cannot be built here"):
        build_script.parse_formats(other)
    assert build_script.parse_formats(None) == build_script.platform_formats()
