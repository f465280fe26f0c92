"""Build the ML Workbench laptop bundle for the platform this runs on.

    python packaging/build.py [--clean] [--no-selftest] [--no-archive]

Steps: icons from resources/icons/workbench.svg (PNG, ICO, ICNS, drawn by Qt), PyInstaller
with packaging/workbench.spec (one folder, plus the .app on macOS), on Linux a strip of the
libraries listed in bundle_config.STRIP_PATTERNS, a check that no test,
development or GPU file slipped in, the bundle's own `--selftest`, then the archives:
- Linux: dist/ml-workbench-<version>-linux-<arch>.tar.gz, and an AppImage when appimagetool
  is on PATH (or named by $APPIMAGETOOL);
- Windows: a .zip, and the installer when Inno Setup's ISCC.exe is found;
- macOS: a .zip of "ML Workbench.app".
Sizes and timings go to dist/build-report.json (and the console).

Only the standard library and PySide6 (for the icons) are imported here, so the same script runs
on Windows and macOS with the project's venv.
"""

from __future__ import annotations

import argparse
import importlib.util
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
from types import ModuleType

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUILD = ROOT / "build" / "packaging"
ICONS = BUILD / "icons"
DIST = ROOT / "dist"
SPEC = HERE / "workbench.spec"
ICON_SVG = ROOT / "resources" / "icons" / "workbench.svg"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
SELFTEST_TIMEOUT_S = 900


def load_config() -> ModuleType:
    """bundle_config.py by path: `packaging` is also an installed distribution's name."""
    spec = importlib.util.spec_from_file_location("bundle_config", HERE / "bundle_config.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bundle_config"] = module
    spec.loader.exec_module(module)
    return module


cfg = load_config()


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
    """Linux: the desktop entry, its icon and the script that installs both for the user."""
    if not sys.platform.startswith("linux"):
        return
    target = bundle_dir()
    shutil.copy2(HERE / "linux" / "ml-workbench.desktop", target / "ml-workbench.desktop")
    shutil.copy2(icons / "workbench.png", target / "ml-workbench.png")
    script = target / "install-desktop-entry.sh"
    shutil.copy2(HERE / "linux" / "install-desktop-entry.sh", script)
    script.chmod(0o755)


def strip_libraries() -> int:
    """Linux: strip the allowlisted libraries (bundle_config.STRIP_PATTERNS); bytes saved."""
    if not sys.platform.startswith("linux"):
        return 0
    tool = shutil.which("strip")
    if tool is None:
        log("strip not found (binutils): libraries left as they are, ~40 MB larger")
        return 0
    saved = 0
    for path in cfg.to_strip(bundle_dir()):
        before = path.stat().st_size
        subprocess.run([tool, "--strip-unneeded", str(path)], check=True)
        saved += before - path.stat().st_size
    log(f"stripped symbol tables: {saved / 2**20:.0f} MiB saved")
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


# -- archives ---------------------------------------------------------------------------------


def make_archives(stem: str) -> list[Path]:
    if sys.platform == "win32":
        archives = [_zip(bundle_dir(), DIST / f"{stem}.zip")]
        installer = build_windows_installer()
        return archives + ([installer] if installer else [])
    if sys.platform == "darwin":
        app = DIST / f"{cfg.APP_NAME}.app"
        return [_zip(app, DIST / f"{stem}.zip")]
    archives = [_tar_gz(bundle_dir(), DIST / f"{stem}.tar.gz")]
    appimage = build_appimage(stem)
    return archives + ([appimage] if appimage else [])


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", action="store_true", help="drop PyInstaller's cache first")
    parser.add_argument("--no-selftest", action="store_true", help="skip the bundle's selftest")
    parser.add_argument("--no-archive", action="store_true", help="only the bundle folder")
    args = parser.parse_args(argv)
    report: dict[str, object] = {"version": version(), "platform": platform_tag()}

    started = time.perf_counter()
    make_icons(ICONS)
    run_pyinstaller(args.clean)
    strip_libraries()
    add_desktop_files(ICONS)
    report["build_seconds"] = round(time.perf_counter() - started, 1)
    check_contents()
    size = folder_size(bundle_dir())
    report["bundle_dir"] = str(bundle_dir())
    report["bundle_mb"] = round(size / 2**20, 1)
    log(f"bundle {bundle_dir()}: {size / 2**20:.0f} MiB on disk (budget {cfg.SIZE_BUDGET_MB})")

    if not args.no_selftest:
        report["selftest_seconds"] = round(run_selftest(), 1)
    if not args.no_archive:
        archive_started = time.perf_counter()
        archives = make_archives(f"{cfg.BUNDLE_NAME}-{version()}-{platform_tag()}")
        report["archive_seconds"] = round(time.perf_counter() - archive_started, 1)
        report["archives"] = {path.name: round(path.stat().st_size / 2**20, 1) for path in archives}
        for path in archives:
            log(f"{path}: {path.stat().st_size / 2**20:.0f} MiB")
    (DIST / "build-report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if size > cfg.SIZE_BUDGET_MB * 2**20:
        log(f"WARNING: the bundle is over the {cfg.SIZE_BUDGET_MB} MiB budget")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
