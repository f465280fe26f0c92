"""Build the ML Workbench laptop bundle and its installers for the platform this runs on.

    python packaging/build.py [--clean] [--no-selftest] [--no-archive] [--formats a,b]

Steps: icons from resources/icons/workbench.svg (PNG, ICO, ICNS, drawn by Qt), PyInstaller
with packaging/workbench.spec (one folder, plus the .app on macOS); on Linux every library
stripped where the stripped copy still loads, and identical files linked; a check that no
test, development or GPU file slipped in; the bundle's own `--selftest`; then the packages:
- Linux: `tar.gz` (dist/ml-workbench-<version>-linux-<arch>.tar.gz), `deb`
  (dist/ml-workbench_<version>_<arch>.deb, see deb_package.py) and `appimage` when
  appimagetool is on PATH (or named by $APPIMAGETOOL);
- Windows: `zip`, and `setup` (the Inno Setup installer) when ISCC.exe is found;
- macOS: `zip` of "ML Workbench.app", and `dmg` (hdiutil).
`--formats` picks some of these (default: all of the platform's). Sizes per library and
timings go to dist/build-report.json (and the console).

Only the standard library and PySide6 (for the icons) are imported here, so the same script runs
on Windows and macOS with the project's venv.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
# packaging/ is not a package (`packaging` is also a PyPI distribution's name): its modules are
# imported from the folder itself.
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import bundle_config as cfg  # noqa: E402
import deb_package  # noqa: E402
import elf_file  # noqa: E402
import icu_data  # noqa: E402

ROOT = HERE.parent
BUILD = ROOT / "build" / "packaging"
ICONS = BUILD / "icons"
DIST = ROOT / "dist"
SPEC = HERE / "workbench.spec"
ICON_SVG = ROOT / "resources" / "icons" / "workbench.svg"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
SELFTEST_TIMEOUT_S = 900


def version() -> str:
    text = (ROOT / "workbench" / "__init__.py").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise SystemExit("build: no __version__ in workbench/__init__.py")


def platform_tag() -> str:
    names = {"linux": "linux", "win32": "windows", "darwin": "macos"}
    system = names.get(sys.platform, sys.platform)
    machine = platform.machine().lower().replace("amd64", "x86_64").replace("aarch64", "arm64")
    return f"{system}-{machine}"


def log(message: str) -> None:
    print(f"build: {message}", flush=True)


# -- icons ------------------------------------------------------------------------------------


def make_icons(out: Path) -> list[Path]:
    """Render the SVG icon to PNG (Linux, the window), ICO (Windows) and ICNS (macOS).

    Drawn by Qt, which the app ships anyway: no image tool to install. ICO gets every size
    Windows asks for; ICNS is written only where Qt's icns plugin can write it (macOS builds
    without it get the default icon, and say so).
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICON_SVG))
    if not renderer.isValid():
        raise SystemExit(f"build: cannot read the icon {ICON_SVG}")

    def render(size: int) -> QImage:
        image = QImage(QSize(size, size), QImage.Format.Format_ARGB32)
        image.fill(0)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        return image

    out.mkdir(parents=True, exist_ok=True)
    written = []
    png = out / "workbench.png"
    if not render(256).save(str(png)):
        raise SystemExit(f"build: could not write {png}")
    written.append(png)
    ico = out / "workbench.ico"
    _write_ico(ico, [render(size) for size in ICO_SIZES])
    written.append(ico)
    icns = out / "workbench.icns"
    writable = [bytes(fmt.data()) for fmt in QImageWriter.supportedImageFormats()]
    if b"icns" in writable and render(512).save(str(icns), "ICNS"):
        written.append(icns)
    if icns not in written:
        log("no ICNS writer in this Qt: the macOS app would get the default icon")
    return written


def _write_ico(path: Path, images: list) -> None:
    """An ICO holding every size (Qt's writer stores one image): PNG entries, Vista and later."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    blobs = []
    for image in images:
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        blobs.append((image.width(), bytes(data.data())))
    header = (0).to_bytes(2, "little") + (1).to_bytes(2, "little")
    header += len(blobs).to_bytes(2, "little")
    entries, payload = b"", b""
    offset = 6 + 16 * len(blobs)
    for size, blob in blobs:
        side = 0 if size >= 256 else size  # 0 means 256 in the ICO directory
        entries += bytes([side, side, 0, 0]) + (1).to_bytes(2, "little")
        entries += (32).to_bytes(2, "little") + len(blob).to_bytes(4, "little")
        entries += (offset + len(payload)).to_bytes(4, "little")
        payload += blob
    path.write_bytes(header + entries + payload)


# -- build ------------------------------------------------------------------------------------


def run_pyinstaller(clean: bool) -> None:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level=WARN",
        "--distpath",
        str(DIST),
        "--workpath",
        str(BUILD / "pyinstaller"),
        str(SPEC),
    ]
    if clean:
        command.insert(3, "--clean")
    log(" ".join(command))
    subprocess.run(command, cwd=ROOT, check=True)


def bundle_dir() -> Path:
    return DIST / cfg.BUNDLE_NAME


def executable(cli: bool = False) -> Path:
    """The bundle's program; on Windows and macOS the console twin when `cli`."""
    name = cfg.CLI_EXECUTABLE if cli and sys.platform in ("win32", "darwin") else cfg.EXECUTABLE
    return bundle_dir() / (name + (".exe" if sys.platform == "win32" else ""))


def add_desktop_files(icons: Path) -> None:
    """Linux: the desktop entry, its icon, the project file type and the script that installs
    them for the user (the .tar.gz; the .deb installs them system-wide)."""
    if not sys.platform.startswith("linux"):
        return
    target = bundle_dir()
    shutil.copy2(HERE / "linux" / "ml-workbench.desktop", target / "ml-workbench.desktop")
    shutil.copy2(icons / "workbench.png", target / "ml-workbench.png")
    shutil.copy2(HERE / "linux" / "ml-workbench-mime.xml", target / "ml-workbench-mime.xml")
    script = target / "install-desktop-entry.sh"
    shutil.copy2(HERE / "linux" / "install-desktop-entry.sh", script)
    script.chmod(0o755)


def strip_libraries() -> int:
    """Linux: strip every library whose stripped copy still loads; bytes saved.

    strip rewrites the layout of libraries auditwheel patched (numpy's OpenBLAS), which then
    fail to load: each stripped copy is checked (elf_file.ElfFile.loads) and a failing one is
    left as it was.
    """
    if not sys.platform.startswith("linux"):
        return 0
    tool = shutil.which("strip")
    if tool is None:
        log("strip not found (binutils): libraries left as they are, ~25 MB larger")
        return 0
    saved = 0
    kept_whole = []
    scratch = BUILD / "stripped.tmp"
    for path in cfg.to_strip(bundle_dir()):
        if not elf_file.is_elf(path):
            continue
        before = path.stat().st_size
        result = subprocess.run(
            [tool, "--strip-unneeded", "-o", str(scratch), str(path)], capture_output=True
        )
        if result.returncode != 0 or not elf_file.read_elf(scratch).loads():
            kept_whole.append(path.relative_to(bundle_dir()).as_posix())
            continue
        if scratch.stat().st_size < before:
            shutil.copymode(path, scratch)
            os.replace(scratch, path)
            saved += before - path.stat().st_size
    scratch.unlink(missing_ok=True)
    log(f"stripped symbol tables: {saved / 2**20:.0f} MiB saved")
    for relative in kept_whole:
        log(f"not stripped (the stripped copy would not load): {relative}")
    return saved


def trim_icu_data() -> int:
    """Linux: Qt's ICU data library cut down to what Qt reads (icu_data.py); bytes saved."""
    if not sys.platform.startswith("linux"):
        return 0
    missing = icu_data.tools_missing()
    libraries = cfg.icu_libraries(bundle_dir())
    if missing or not libraries:
        log(f"ICU data left whole: {', '.join(missing) or 'no libicudata'} not found")
        return 0
    saved = sum(icu_data.trim_library(path, BUILD / "icu") for path in libraries)
    log(f"ICU data trimmed to what Qt reads: {saved / 2**20:.0f} MiB saved")
    return saved


def link_duplicates() -> int:
    """Linux: replace a file identical to another one by a relative link to it; bytes saved.

    Wheels carry their own copies of the same runtime (numpy's and scipy's libgfortran,
    scikit-learn's and XGBoost's libgomp): the loader is as happy with a link.
    """
    if not sys.platform.startswith("linux"):
        return 0
    first: dict[tuple[int, str], Path] = {}
    saved = 0
    for path in sorted(bundle_dir().rglob("*")):
        if not path.is_file() or path.is_symlink() or path.stat().st_size == 0:
            continue
        key = (path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest())
        original = first.setdefault(key, path)
        if original is not path:
            path.unlink()
            path.symlink_to(os.path.relpath(original, path.parent))
            saved += key[0]
    log(f"identical files linked: {saved / 2**20:.1f} MiB saved")
    return saved


def check_contents() -> None:
    found = cfg.forbidden_files(bundle_dir())
    if found:
        listing = "\n  ".join(found[:20])
        raise SystemExit(f"build: {len(found)} files must not be in the bundle:\n  {listing}")
    log("contents checked: no test, development, WebEngine or CUDA files")


def run_selftest() -> float:
    """Run the built bundle's --selftest; exits the build when it fails."""
    program = executable(cli=True)
    log(f"{program} --selftest")
    started = time.perf_counter()
    result = subprocess.run(
        [str(program), "--selftest"], cwd=DIST, timeout=SELFTEST_TIMEOUT_S, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"build: the bundle's selftest failed (exit code {result.returncode})")
    return time.perf_counter() - started


def folder_size(folder: Path) -> int:
    """Bytes of the files (links not followed: macOS bundles link Qt frameworks twice)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def size_table(folder: Path) -> list[str]:
    """The bundle's size per library (bundle_config.SIZE_GROUPS), one line each, largest first."""
    sizes = cfg.size_by_group(folder)
    width = max(len(label) for label in sizes)
    lines = [f"{label:<{width}}  {size / 2**20:6.1f} MiB" for label, size in sizes.items()]
    lines.append(f"{'total':<{width}}  {sum(sizes.values()) / 2**20:6.1f} MiB")
    return lines


# -- archives ---------------------------------------------------------------------------------


FORMATS = {
    "linux": ("tar.gz", "deb", "appimage"),
    "win32": ("zip", "setup"),
    "darwin": ("zip", "dmg"),
}


def platform_formats() -> tuple[str, ...]:
    return FORMATS["linux" if sys.platform.startswith("linux") else sys.platform]


def make_packages(stem: str, formats: tuple[str, ...]) -> list[Path]:
    """The archives and installers named in `formats` (each one this platform makes)."""
    makers = {
        "tar.gz": lambda: _tar_gz(bundle_dir(), DIST / f"{stem}.tar.gz"),
        "deb": build_deb,
        "appimage": lambda: build_appimage(stem),
        "zip": lambda: _zip(_app_or_folder(), DIST / f"{stem}.zip"),
        "setup": build_windows_installer,
        "dmg": lambda: build_dmg(stem),
    }
    made = [makers[name]() for name in formats]
    return [path for path in made if path is not None]


def _app_or_folder() -> Path:
    return DIST / f"{cfg.APP_NAME}.app" if sys.platform == "darwin" else bundle_dir()


def build_deb() -> Path | None:
    """Linux: the Debian package (deb_package.py), when dpkg-deb is installed."""
    if shutil.which("dpkg-deb") is None:
        log("deb skipped: dpkg-deb not found (Debian's dpkg package)")
        return None
    log("writing the Debian package")
    try:
        return deb_package.build_deb(
            bundle_dir(), DIST, BUILD, version(), ICONS / "workbench.png", ICON_SVG
        )
    except ValueError as error:  # a library neither bundled nor declared
        raise SystemExit(f"build: {error}") from error


def build_dmg(stem: str) -> Path:
    """macOS: a compressed disk image holding the .app and a link to /Applications."""
    staging = BUILD / "dmg"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    shutil.copytree(_app_or_folder(), staging / f"{cfg.APP_NAME}.app", symlinks=True)
    (staging / "Applications").symlink_to("/Applications")
    target = DIST / f"{stem}.dmg"
    log(f"writing {target.name}")
    command = ["hdiutil", "create", "-volname", cfg.APP_NAME, "-srcfolder", str(staging)]
    subprocess.run([*command, "-ov", "-format", "UDZO", str(target)], check=True)
    shutil.rmtree(staging)
    return target


def _tar_gz(folder: Path, target: Path) -> Path:
    log(f"writing {target.name}")
    with tarfile.open(target, "w:gz", compresslevel=6) as archive:
        archive.add(folder, arcname=folder.name)
    return target


def _zip(folder: Path, target: Path) -> Path:
    log(f"writing {target.name}")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in sorted(folder.rglob("*")):
            archive.write(path, Path(folder.name) / path.relative_to(folder))
    return target


def appimagetool() -> str | None:
    return os.environ.get("APPIMAGETOOL") or shutil.which("appimagetool")


def build_appimage(stem: str) -> Path | None:
    """An AppImage from an AppDir holding the bundle, when appimagetool is available.

    appimagetool (and the AppImage runtime it embeds) is not on PyPI, npm or Debian, and
    this machine reaches nothing else: see packaging/README.md.
    """
    tool = appimagetool()
    if tool is None:
        log(
            "AppImage skipped: appimagetool not found (put it on PATH or set APPIMAGETOOL; "
            "see packaging/README.md)"
        )
        return None
    appdir = BUILD / f"{cfg.BUNDLE_NAME}.AppDir"
    shutil.rmtree(appdir, ignore_errors=True)
    shutil.copytree(bundle_dir(), appdir / "usr" / "lib" / cfg.BUNDLE_NAME, symlinks=True)
    shutil.copy2(HERE / "linux" / "AppRun", appdir / "AppRun")
    (appdir / "AppRun").chmod(0o755)
    shutil.copy2(HERE / "linux" / "ml-workbench.desktop", appdir / "ml-workbench.desktop")
    shutil.copy2(ICONS / "workbench.png", appdir / "ml-workbench.png")
    target = DIST / f"{stem}.AppImage"
    env = dict(os.environ, ARCH=platform.machine())
    subprocess.run([tool, str(appdir), str(target)], check=True, env=env)
    return target


def iscc() -> str | None:
    found = shutil.which("iscc") or shutil.which("ISCC")
    if found:
        return found
    for base in (os.environ.get("PROGRAMFILES(X86)"), os.environ.get("PROGRAMFILES")):
        candidate = Path(base or "") / "Inno Setup 6" / "ISCC.exe"
        if base and candidate.is_file():
            return str(candidate)
    return None


def build_windows_installer() -> Path | None:
    compiler = iscc()
    if compiler is None:
        log("installer skipped: Inno Setup 6 (ISCC.exe) not found")
        return None
    command = [
        compiler,
        f"/DAppVersion={version()}",
        f"/DSourceDir={bundle_dir()}",
        f"/DOutputDir={DIST}",
        f"/DIconFile={ICONS / 'workbench.ico'}",
        str(HERE / "windows" / "workbench.iss"),
    ]
    subprocess.run(command, check=True)
    return DIST / f"ml-workbench-{version()}-setup.exe"


# -- main -------------------------------------------------------------------------------------


def parse_formats(text: str | None) -> tuple[str, ...]:
    available = platform_formats()
    if text is None:
        return available
    chosen = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in chosen if name not in available]
    if unknown:
        raise SystemExit(
            f"build: {', '.join(unknown)} cannot be built here; choose from {', '.join(available)}"
        )
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", action="store_true", help="drop PyInstaller's cache first")
    parser.add_argument("--no-selftest", action="store_true", help="skip the bundle's selftest")
    parser.add_argument("--no-archive", action="store_true", help="only the bundle folder")
    parser.add_argument(
        "--formats",
        help=f"packages to make, comma-separated (default all: {', '.join(platform_formats())})",
    )
    args = parser.parse_args(argv)
    formats = () if args.no_archive else parse_formats(args.formats)
    report: dict[str, object] = {"version": version(), "platform": platform_tag()}

    started = time.perf_counter()
    make_icons(ICONS)
    run_pyinstaller(args.clean)
    report["stripped_mb"] = round(strip_libraries() / 2**20, 1)
    report["icu_trimmed_mb"] = round(trim_icu_data() / 2**20, 1)
    report["linked_duplicates_mb"] = round(link_duplicates() / 2**20, 1)
    add_desktop_files(ICONS)
    report["build_seconds"] = round(time.perf_counter() - started, 1)
    check_contents()
    size = folder_size(bundle_dir())
    report["bundle_dir"] = str(bundle_dir())
    report["bundle_mb"] = round(size / 2**20, 1)
    report["size_by_library_mb"] = {
        label: round(value / 2**20, 1) for label, value in cfg.size_by_group(bundle_dir()).items()
    }
    for line in size_table(bundle_dir()):
        log(line)
    log(f"bundle {bundle_dir()}: {size / 2**20:.0f} MiB on disk (budget {cfg.SIZE_BUDGET_MB})")

    if not args.no_selftest:
        report["selftest_seconds"] = round(run_selftest(), 1)
    if formats:
        packages_started = time.perf_counter()
        packages = make_packages(f"{cfg.BUNDLE_NAME}-{version()}-{platform_tag()}", formats)
        report["package_seconds"] = round(time.perf_counter() - packages_started, 1)
        report["packages_mb"] = {
            path.name: round(path.stat().st_size / 2**20, 1) for path in packages
        }
        for path in packages:
            log(f"{path}: {path.stat().st_size / 2**20:.0f} MiB")
    (DIST / "build-report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if size > cfg.SIZE_BUDGET_MB * 2**20:
        log(f"WARNING: the bundle is over the {cfg.SIZE_BUDGET_MB} MiB budget")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
