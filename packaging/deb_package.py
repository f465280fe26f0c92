"""The Debian package of the Linux bundle, built with dpkg-deb from the bundle folder.

What `apt-get install ./ml-workbench_<version>_<arch>.deb` puts where:

    /opt/ml-workbench/                       the bundle (workbench, _internal/)
    /usr/bin/workbench                       a link to /opt/ml-workbench/workbench
    /usr/share/applications/ml-workbench.desktop          menu entry, opens project files
    /usr/share/mime/packages/ml-workbench.xml             the project file type (project.json)
    /usr/share/icons/hicolor/{256x256,scalable}/apps/ml-workbench.{png,svg}
    /usr/share/doc/ml-workbench/copyright

DEBIAN/ holds the control file, md5sums and the maintainer scripts (postinst, postrm: refresh
the desktop's menu, MIME and icon caches when their tools exist, never failing without them).
Depends lists the Debian packages of the libraries the bundle takes from the system
(bundle_config.SYSTEM_LIBRARIES): read from the bundle's own binaries, so a library that a
future dependency pulls in is either bundled or declared, never silently missing.

No debhelper, no fakeroot: dpkg-deb --root-owner-group makes every file root's.
Imported with packaging/ on sys.path, like bundle_config (the folder is not a package).
"""

from __future__ import annotations

import hashlib
import platform
import shutil
import subprocess
from pathlib import Path, PurePosixPath

import bundle_config as cfg
import elf_file

HERE = Path(__file__).resolve().parent
LINUX = HERE / "linux"
PACKAGE = "ml-workbench"
INSTALL_DIR = PurePosixPath("/opt/ml-workbench")
COMMAND = PurePosixPath("/usr/bin/workbench")
MIME_TYPE = "application/x-ml-workbench-project"
MAINTAINER = "ML Workbench <maintainers@mlworkbench.org>"
# Files of the bundle folder that serve the .tar.gz only (a per-user menu entry): the package
# installs the entry and icon system-wide instead.
TARBALL_ONLY = (
    "install-desktop-entry.sh",
    "ml-workbench.desktop",
    "ml-workbench.png",
    "ml-workbench-mime.xml",
)
SCRIPT_HOOK = "@REFRESH_DESKTOP_CACHES@"
DESCRIPTION = """\
Description: Offline desktop workbench: from a raw table to a deployed model
 ML Workbench imports a table (CSV, Excel, Parquet), profiles it, trains and
 cross-validates scikit-learn and XGBoost models in the background, and exports
 the chosen model to ONNX (checked against the original), a Docker service or a
 joblib file, without writing code and without a network.
 .
 The application and its Python runtime live in /opt/ml-workbench; the
 `workbench` command starts the window or runs the command-line tools.
"""


def debian_architecture() -> str:
    """dpkg's name for this machine's architecture (amd64, arm64...)."""
    if shutil.which("dpkg"):
        result = subprocess.run(
            ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
        )
        return result.stdout.strip()
    machine = platform.machine().lower()
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(machine, machine)


def system_libraries(bundle: Path) -> list[str]:
    """Shared libraries the bundle's binaries link that the bundle itself does not hold."""
    held = {path.name for path in bundle.rglob("*")}
    wanted: set[str] = set()
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink() and elf_file.is_elf(path):
            wanted.update(elf_file.read_elf(path).needed)
    return sorted(wanted - held)


def system_dependencies(bundle: Path, glibc: str | None = None) -> list[str]:
    """The Depends field's packages; ValueError naming any library with no known package."""
    libraries = system_libraries(bundle)
    unknown = [name for name in libraries if name not in cfg.SYSTEM_LIBRARIES]
    if unknown:
        raise ValueError(
            f"the bundle needs {', '.join(unknown)} from the system: bundle it, or add its "
            "Debian package to bundle_config.SYSTEM_LIBRARIES"
        )
    packages = {cfg.SYSTEM_LIBRARIES[name] for name in libraries}
    glibc = glibc if glibc is not None else platform.libc_ver()[1]
    if "libc6" in packages and glibc:
        # The bootloader and libpython were built against this glibc: older ones lack symbols.
        packages = (packages - {"libc6"}) | {f"libc6 (>= {glibc})"}
    return sorted(packages)


def installed_size_kib(root: Path) -> int:
    """Installed-Size as dpkg-gencontrol counts it: KiB per file rounded up, 1 per directory."""
    total = 0
    for path in root.rglob("*"):
        if path.is_symlink() or path.is_dir():
            total += 1
        else:
            total += -(-path.stat().st_size // 1024)
    return total


def control(version: str, architecture: str, installed_kib: int, depends: list[str]) -> str:
    fields = {
        "Package": PACKAGE,
        "Version": version,
        "Architecture": architecture,
        "Maintainer": MAINTAINER,
        "Installed-Size": str(installed_kib),
        "Depends": ", ".join(depends),
        "Section": "science",
        "Priority": "optional",
    }
    return "".join(f"{key}: {value}\n" for key, value in fields.items()) + DESCRIPTION


def maintainer_script(name: str) -> str:
    """postinst or postrm, with the shared cache refresh written into it (dpkg runs each alone)."""
    template = (LINUX / "deb" / name).read_text(encoding="utf-8")
    shared = (LINUX / "deb" / "refresh-desktop-caches.sh").read_text(encoding="utf-8")
    return template.replace(SCRIPT_HOOK, shared.rstrip("\n"))


def stage(root: Path, bundle: Path, icon_png: Path, icon_svg: Path) -> None:
    """Lay the package's files out under `root` (which must not exist yet)."""
    opt = root / INSTALL_DIR.relative_to("/")
    shutil.copytree(
        bundle, opt, symlinks=True, ignore=lambda folder, names: _tarball_only(bundle, folder)
    )
    command = root / COMMAND.relative_to("/")
    command.parent.mkdir(parents=True)
    # PyInstaller's bootloader finds _internal/ beside its real path (/proc/self/exe), so a link
    # on PATH works where a copy of the program would not.
    command.symlink_to(INSTALL_DIR / cfg.EXECUTABLE)
    share = root / "usr" / "share"
    _install(LINUX / "ml-workbench.desktop", share / "applications" / "ml-workbench.desktop")
    _install(LINUX / "ml-workbench-mime.xml", share / "mime" / "packages" / "ml-workbench.xml")
    hicolor = share / "icons" / "hicolor"
    _install(icon_png, hicolor / "256x256" / "apps" / "ml-workbench.png")
    _install(icon_svg, hicolor / "scalable" / "apps" / "ml-workbench.svg")
    _install(LINUX / "deb" / "copyright", share / "doc" / PACKAGE / "copyright")
    for path in [root, *root.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)


def _tarball_only(bundle: Path, folder: str) -> list[str]:
    return list(TARBALL_ONLY) if Path(folder) == bundle else []


def _install(source: Path, target: Path, mode: int = 0o644) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    target.chmod(mode)


def write_control_files(root: Path, version: str, depends: list[str]) -> None:
    debian = root / "DEBIAN"
    debian.mkdir(mode=0o755)
    sums = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and debian not in path.parents:
            digest = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
            sums.append(f"{digest}  {path.relative_to(root).as_posix()}\n")
    (debian / "md5sums").write_text("".join(sums), encoding="utf-8")
    text = control(version, debian_architecture(), installed_size_kib(root), depends)
    (debian / "control").write_text(text, encoding="utf-8")
    for name in ("postinst", "postrm"):
        script = debian / name
        script.write_text(maintainer_script(name), encoding="utf-8")
        script.chmod(0o755)
    for name in ("md5sums", "control"):
        (debian / name).chmod(0o644)


def build_deb(
    bundle: Path, out_dir: Path, work: Path, version: str, icon_png: Path, icon_svg: Path
) -> Path:
    """Stage the package in `work` and write <out_dir>/ml-workbench_<version>_<arch>.deb."""
    tool = shutil.which("dpkg-deb")
    if tool is None:
        raise FileNotFoundError("dpkg-deb not found (Debian's dpkg package)")
    depends = system_dependencies(bundle)
    root = work / "deb-root"
    shutil.rmtree(root, ignore_errors=True)
    stage(root, bundle, icon_png, icon_svg)
    write_control_files(root, version, depends)
    target = out_dir / f"{PACKAGE}_{version}_{debian_architecture()}.deb"
    subprocess.run(
        [tool, "--root-owner-group", "-Zzstd", "-z9", "--build", str(root), str(target)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    shutil.rmtree(root)
    return target
