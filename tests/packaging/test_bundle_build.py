"""Build the bundle and the .deb with packaging/build.py, install the package, run the
selftests (minutes: opt-in).

WORKBENCH_BUILD_BUNDLE=1 builds (3-5 minutes on 2 cores) then tests; =reuse tests the bundle
and package already in dist/ (after `python packaging/build.py`). Otherwise skipped: the build
is not part of the normal test run. Run with `-n 0` to see the size table as it is printed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

MODE = os.environ.get("WORKBENCH_BUILD_BUNDLE", "")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        MODE not in ("1", "reuse"),
        reason="builds the PyInstaller bundle and the .deb (minutes): set "
        "WORKBENCH_BUILD_BUNDLE=1 to build and test them, or =reuse to test those in dist/",
    ),
]


@pytest.fixture(scope="module")
def bundle(build_script: ModuleType, repo_root: Path) -> Path:
    if MODE == "1":
        formats = "deb" if sys.platform.startswith("linux") else None
        command = [sys.executable, str(repo_root / "packaging" / "build.py"), "--no-selftest"]
        command += ["--formats", formats] if formats else ["--no-archive"]
        subprocess.run(command, cwd=repo_root, check=True, timeout=1700)
    folder = build_script.bundle_dir()
    if not build_script.executable().is_file():
        pytest.skip(f"no built bundle in {folder}: run packaging/build.py first")
    return folder


@pytest.mark.timeout(1800)
def test_built_bundle_passes_its_selftest(
    bundle: Path, build_script: ModuleType, selftest_program, tmp_path: Path
) -> None:
    # from a folder of its own: nothing of the checkout may be found by accident
    output = selftest_program([str(build_script.executable(cli=True))], tmp_path)
    # Qt's trimmed ICU data still collates (the reason it is kept at all).
    assert "OK   Qt collation (ICU)" in output


def test_bundle_holds_what_a_user_needs(bundle: Path, bundle_config: ModuleType) -> None:
    internal = bundle / "_internal"
    assert (internal / "projects" / "demo" / "project.json").is_file()
    assert (internal / "projects" / "demo" / "data" / "penguins.parquet").is_file()
    assert (internal / "resources" / "icons" / "workbench.svg").is_file()
    assert (internal / "resources" / "icons" / "workbench.png").is_file()
    assert (internal / "resources" / "data" / "penguins.csv").is_file()
    # The Docker export copies its service templates from beside workbench.core.export.
    assert (internal / "workbench" / "core" / "export" / "service" / "Dockerfile").is_file()
    if sys.platform.startswith("linux"):
        assert (bundle / "ml-workbench.desktop").is_file()
        assert (bundle / "ml-workbench-mime.xml").is_file()
        assert os.access(bundle / "install-desktop-entry.sh", os.X_OK)
    assert bundle_config.forbidden_files(bundle) == []


def test_bundle_is_within_the_size_budget(
    bundle: Path, bundle_config: ModuleType, build_script: ModuleType, capsys
) -> None:
    size_mb = build_script.folder_size(bundle) / 2**20
    with capsys.disabled():
        print(f"\nbundle {bundle}, unpacked:")
        for line in build_script.size_table(bundle):
            print(f"  {line}")
        print(f"  {size_mb:.1f} MiB on disk; budget {bundle_config.SIZE_BUDGET_MB} MiB")
    assert size_mb < bundle_config.SIZE_BUDGET_MB


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux bundle")
def test_libraries_taken_from_the_system_are_declared_and_available(
    bundle: Path, deb_package: ModuleType
) -> None:
    """Every library the bundle links and does not hold has a Debian package in Depends, and
    each package is installed here or offered by this machine's Debian archive (apt then
    fetches it while installing the .deb; once installed, the .deb installs offline)."""
    depends = deb_package.system_dependencies(bundle)
    assert any(dep.startswith("libc6 (>= ") for dep in depends)
    assert {"libxcb-icccm4", "libfontconfig1", "libglib2.0-0", "libstdc++6"} <= set(depends)
    # Python's own libraries travel with the bundle.
    assert not {"libssl3", "libsqlite3-0", "libffi8"} & set(depends)
    if shutil.which("apt-cache") is None:
        return
    names = [dep.split()[0] for dep in depends]
    policy = subprocess.run(
        ["apt-cache", "policy", *names], capture_output=True, text=True, check=True
    ).stdout
    versions: dict[str, dict[str, str]] = {}
    for line in policy.splitlines():
        if not line.startswith(" "):
            package = versions.setdefault(line.rstrip(":"), {})
        elif line.strip().startswith(("Installed:", "Candidate:")):
            key, value = line.strip().split(": ", 1)
            package[key] = value
    assert set(names) <= set(versions), sorted(set(names) - set(versions))
    unavailable = [
        name
        for name in names
        if versions[name].get("Installed") == "(none)"
        and versions[name].get("Candidate") == "(none)"
    ]
    assert unavailable == []


def _package_files() -> list[str]:
    """Paths under /opt, /usr/bin and /usr/share that belong to or name ML Workbench."""
    found = [p for p in ("/opt/ml-workbench", "/usr/bin/workbench") if os.path.lexists(p)]
    for root, dirs, files in os.walk("/usr/share"):
        for name in dirs + files:
            if "ml-workbench" in name:
                found.append(os.path.join(root, name))
    return sorted(found)


def _apt(*arguments: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    return subprocess.run(
        ["apt-get", "-y", "-q", *arguments],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.mark.timeout(2400)
@pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("apt-get") is None,
    reason="installs the .deb with apt (Debian or Ubuntu)",
)
@pytest.mark.skipif(
    sys.platform.startswith("linux") and os.geteuid() != 0,
    reason="apt-get install needs root (run as root, or in CI's Linux job with sudo)",
)
def test_deb_installs_runs_and_removes_cleanly(
    bundle: Path,
    build_script: ModuleType,
    deb_package: ModuleType,
    selftest_program,
    tmp_path: Path,
) -> None:
    debs = sorted(build_script.DIST.glob("ml-workbench_*.deb"))
    assert debs, f"no .deb in {build_script.DIST}: build.py --formats deb"
    deb = debs[-1]
    if subprocess.run(["dpkg", "-s", "ml-workbench"], capture_output=True).returncode == 0:
        _apt("purge", "ml-workbench")  # a previous run that stopped half-way
    assert _package_files() == []

    installed = _apt("install", f"./{deb.name}", cwd=deb.parent)
    try:
        assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
        command = Path("/usr/bin/workbench")
        assert command.is_symlink() and os.readlink(command) == "/opt/ml-workbench/workbench"
        assert Path("/usr/share/applications/ml-workbench.desktop").is_file()
        assert Path("/usr/share/mime/packages/ml-workbench.xml").is_file()
        assert Path("/usr/share/icons/hicolor/256x256/apps/ml-workbench.png").is_file()

        # The command on PATH, from a folder of its own, as a user would start it.
        selftest_program(["workbench"], tmp_path, path="/usr/local/bin:/usr/bin:/bin")

        if shutil.which("update-mime-database"):
            # postinst registered the file type: a project.json is a workbench project now.
            assert Path(f"/usr/share/mime/{deb_package.MIME_TYPE}.xml").is_file()
            project = tmp_path / "project" / "project.json"
            project.parent.mkdir()
            project.write_text('{"format": "ml-workbench-project"}')
            if shutil.which("gio"):
                info = subprocess.run(
                    ["gio", "info", "-a", "standard::content-type", str(project)],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                assert f"standard::content-type: {deb_package.MIME_TYPE}" in info
        # The selftest wrote nothing into the installation (a purge would leave it behind).
        assert subprocess.run(["dpkg", "--verify", "ml-workbench"]).returncode == 0
    finally:
        removed = _apt("purge", "ml-workbench")
    assert removed.returncode == 0, removed.stdout[-3000:] + removed.stderr[-3000:]
    assert _package_files() == []
    if Path("/usr/share/mime/globs2").is_file():
        assert deb_package.MIME_TYPE not in Path("/usr/share/mime/globs2").read_text()
