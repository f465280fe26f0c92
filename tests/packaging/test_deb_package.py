"""The Debian package's parts (packaging/deb_package.py, packaging/linux/), without the bundle.

The real package is built, installed with apt and removed by test_bundle_build.py (opt-in);
here a small stand-in bundle (a real ELF program) goes through the same dpkg-deb build.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest

LINUX = Path(__file__).resolve().parents[2] / "packaging" / "linux"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the Debian package is built on Linux"
)
needs_dpkg_deb = pytest.mark.skipif(
    shutil.which("dpkg-deb") is None, reason="dpkg-deb (Debian's dpkg) not installed"
)


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(LINUX / "ml-workbench.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_opens_project_files(deb_package: ModuleType) -> None:
    entry = _desktop_entry()
    assert entry["Exec"] == "workbench %f"
    assert entry["Icon"] == "ml-workbench"
    assert entry["Type"] == "Application"
    assert entry["MimeType"].split(";")[:-1] == [deb_package.MIME_TYPE]
    assert entry["MimeType"].endswith(";")  # the spec's list separator ends the list too


def test_mime_type_matches_project_json(deb_package: ModuleType) -> None:
    root = ET.parse(LINUX / "ml-workbench-mime.xml").getroot()
    (mime_type,) = root.findall(f"{MIME_NS}mime-type")
    assert mime_type.get("type") == deb_package.MIME_TYPE
    globs = [glob.get("pattern") for glob in mime_type.findall(f"{MIME_NS}glob")]
    assert globs == ["project.json"]
    assert mime_type.find(f"{MIME_NS}sub-class-of").get("type") == "application/json"
    assert mime_type.find(f"{MIME_NS}icon").get("name") == "ml-workbench"


def test_control_fields(deb_package: ModuleType) -> None:
    text = deb_package.control("0.1.0", "amd64", 345678, ["libc6 (>= 2.36)", "libx11-6"])
    fields = dict(line.split(": ", 1) for line in text.splitlines() if not line.startswith(" "))
    assert fields["Package"] == "ml-workbench"
    assert fields["Version"] == "0.1.0"
    assert fields["Architecture"] == "amd64"
    assert fields["Installed-Size"] == "345678"
    assert fields["Depends"] == "libc6 (>= 2.36), libx11-6"
    assert fields["Description"].startswith("Offline desktop workbench")
    # the long description: every line indented, paragraphs separated by " ."
    body = text.split("Description: ", 1)[1].splitlines()[1:]
    assert body and all(line.startswith(" ") for line in body)
    assert " ." in body


def _run_script(script: str, argument: str, path: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["/bin/sh", "-c", script, "script", argument],
        env={"PATH": path},
        capture_output=True,
        text=True,
        check=False,
    )


@linux_only
@pytest.mark.parametrize(("name", "argument"), [("postinst", "configure"), ("postrm", "purge")])
def test_maintainer_scripts_succeed_without_the_desktop_tools(
    deb_package: ModuleType, tmp_path: Path, name: str, argument: str
) -> None:
    """A server has no update-desktop-database or update-mime-database: nothing to refresh,
    and the install or removal must still succeed."""
    empty = tmp_path / "bin"
    empty.mkdir()

    result = _run_script(deb_package.maintainer_script(name), argument, str(empty))

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@linux_only
@pytest.mark.parametrize(("name", "argument"), [("postinst", "configure"), ("postrm", "remove")])
def test_maintainer_scripts_refresh_caches_and_survive_a_failing_tool(
    deb_package: ModuleType, tmp_path: Path, name: str, argument: str
) -> None:
    """Where the tools exist they are run on the system folders; one that fails (a broken
    cache, a full disk) is reported by the tool but does not fail the package operation."""
    tools = tmp_path / "bin"
    tools.mkdir()
    calls = tmp_path / "calls.txt"
    for tool in ("update-desktop-database", "update-mime-database", "gtk-update-icon-cache"):
        script = tools / tool
        script.write_text(f'#!/bin/sh\necho "{tool} $*" >> "{calls}"\nexit 1\n')
        script.chmod(0o755)

    # Only these stand-ins on PATH: the test must not rewrite this machine's caches.
    result = _run_script(deb_package.maintainer_script(name), argument, str(tools))

    assert result.returncode == 0, result.stderr
    expected = [
        "update-desktop-database -q /usr/share/applications",
        "update-mime-database /usr/share/mime",
    ]
    if Path("/usr/share/icons/hicolor/icon-theme.cache").is_file():
        # the icon cache is refreshed only where one exists (never created by the package)
        expected.append("gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor")
    assert calls.read_text().splitlines() == expected


@linux_only
def test_maintainer_scripts_do_nothing_on_other_actions(
    deb_package: ModuleType, tmp_path: Path
) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    calls = tmp_path / "calls.txt"
    script = tools / "update-mime-database"
    script.write_text(f'#!/bin/sh\necho called >> "{calls}"\n')
    script.chmod(0o755)

    result = _run_script(deb_package.maintainer_script("postrm"), "upgrade", str(tools))

    assert result.returncode == 0
    assert not calls.exists()


def _stand_in_bundle(root: Path) -> Path:
    """A bundle folder shaped like the real one: a real ELF program (it links libc.so.6),
    _internal/, and the files that serve the .tar.gz only."""
    bundle = root / "ml-workbench"
    (bundle / "_internal" / "projects" / "demo").mkdir(parents=True)
    program = shutil.which("true")
    assert program is not None
    shutil.copy2(program, bundle / "workbench")
    (bundle / "_internal" / "projects" / "demo" / "project.json").write_text("{}")
    (bundle / "_internal" / "base_library.zip").symlink_to("projects/demo/project.json")
    for name in ("install-desktop-entry.sh", "ml-workbench.desktop", "ml-workbench-mime.xml"):
        shutil.copy2(LINUX / name, bundle / name)
    (bundle / "ml-workbench.png").write_bytes(b"png")
    return bundle


@linux_only
def test_dependencies_are_read_from_the_bundle(
    deb_package: ModuleType, bundle_config: ModuleType, tmp_path: Path, monkeypatch
) -> None:
    bundle = _stand_in_bundle(tmp_path)

    assert deb_package.system_libraries(bundle) == ["libc.so.6"]
    assert deb_package.system_dependencies(bundle, glibc="2.36") == ["libc6 (>= 2.36)"]
    # A library the bundle needs but nobody declared stops the build, by name.
    monkeypatch.delitem(bundle_config.SYSTEM_LIBRARIES, "libc.so.6")
    with pytest.raises(ValueError, match=r"needs libc\.so\.6 from the system"):
        deb_package.system_dependencies(bundle)


@linux_only
@needs_dpkg_deb
def test_package_layout(qapp, deb_package: ModuleType, build_script, tmp_path: Path) -> None:
    bundle = _stand_in_bundle(tmp_path)
    icons = build_script.make_icons(tmp_path / "icons")
    png = next(path for path in icons if path.suffix == ".png")

    deb = deb_package.build_deb(
        bundle, tmp_path, tmp_path / "work", "0.1.0", png, build_script.ICON_SVG
    )

    assert deb.name == f"ml-workbench_0.1.0_{deb_package.debian_architecture()}.deb"
    listing = subprocess.run(
        ["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    entries = {line.split()[-1] if "->" not in line else line.split()[-3]: line for line in listing}
    assert entries["./usr/bin/workbench"].split()[0] == "lrwxrwxrwx"
    assert entries["./usr/bin/workbench"].endswith("-> /opt/ml-workbench/workbench")
    for path in (
        "./opt/ml-workbench/workbench",
        "./opt/ml-workbench/_internal/projects/demo/project.json",
        "./usr/share/applications/ml-workbench.desktop",
        "./usr/share/mime/packages/ml-workbench.xml",
        "./usr/share/icons/hicolor/256x256/apps/ml-workbench.png",
        "./usr/share/icons/hicolor/scalable/apps/ml-workbench.svg",
        "./usr/share/doc/ml-workbench/copyright",
    ):
        assert path in entries, path
        assert " root/root " in entries[path], entries[path]
    assert entries["./opt/ml-workbench/workbench"].startswith("-rwxr-xr-x")
    assert entries["./usr/share/applications/ml-workbench.desktop"].startswith("-rw-r--r--")
    # The link inside the bundle stays a link; the .tar.gz's own menu helpers stay out.
    assert (
        "-> projects/demo/project.json" in entries["./opt/ml-workbench/_internal/base_library.zip"]
    )
    assert not [path for path in entries if path.startswith("./opt/ml-workbench/ml-workbench")]
    assert "./opt/ml-workbench/install-desktop-entry.sh" not in entries

    def field(name: str) -> str:
        return subprocess.run(
            ["dpkg-deb", "--field", str(deb), name], capture_output=True, text=True, check=True
        ).stdout.strip()

    assert field("Package") == "ml-workbench"
    assert field("Depends").startswith("libc6 (>= ")
    assert int(field("Installed-Size")) >= 1
    control = tmp_path / "control"
    subprocess.run(["dpkg-deb", "--control", str(deb), str(control)], check=True)
    for script in ("postinst", "postrm"):
        assert os.access(control / script, os.X_OK)
        text = (control / script).read_text()
        assert "refresh_desktop_caches()" in text and deb_package.SCRIPT_HOOK not in text
    sums = (control / "md5sums").read_text()
    assert "  opt/ml-workbench/workbench\n" in sums
    assert "usr/bin/workbench" not in sums  # a link has no checksum


@linux_only
def test_user_menu_entry_registers_the_project_type(
    deb_package: ModuleType, tmp_path: Path
) -> None:
    """The .tar.gz's install-desktop-entry.sh: entry, icon and file type in the user's data
    folder, the entry pointing at the bundle; --remove takes all three out again."""
    bundle = _stand_in_bundle(tmp_path / "with space")
    data = tmp_path / "data"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "XDG_DATA_HOME": str(data)}
    script = str(bundle / "install-desktop-entry.sh")

    subprocess.run([script], env=env, check=True, capture_output=True)

    entry = (data / "applications" / "ml-workbench.desktop").read_text()
    assert f'Exec="{bundle}/workbench" %f\n' in entry
    assert "MimeType=application/x-ml-workbench-project;\n" in entry
    assert (data / "icons" / "hicolor" / "256x256" / "apps" / "ml-workbench.png").is_file()
    assert (data / "mime" / "packages" / "ml-workbench.xml").is_file()
    if shutil.which("update-mime-database"):
        # shared-mime-info compiled the type: the XML is valid and names the glob.
        assert (data / "mime" / "application" / "x-ml-workbench-project.xml").is_file()
        assert (
            "application/x-ml-workbench-project:project.json"
            in (data / "mime" / "globs2").read_text()
        )

    subprocess.run([script, "--remove"], env=env, check=True, capture_output=True)

    assert not (data / "applications" / "ml-workbench.desktop").exists()
    assert not (data / "mime" / "packages" / "ml-workbench.xml").exists()
    if shutil.which("update-mime-database"):
        assert not (data / "mime" / "application" / "x-ml-workbench-project.xml").exists()
