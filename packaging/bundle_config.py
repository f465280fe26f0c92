"""What goes into the laptop bundle and what stays out: read by workbench.spec, build.py and tests.

Plain data and pure functions, no PyInstaller import (and of workbench only the light
selftest module), so the fast tests can check the rules without building. Loaded by file path
(the folder is not a package: `packaging` is also the name of a PyPI distribution that
setuptools and PyInstaller import).

Why these choices:
- One-folder, not one-file: a one-file app unpacks ~400 MB into a temp folder on every launch
  (slow start, and again in every training child process, which re-executes the app).
- The app uses QtCore, QtGui, QtWidgets (and QtSvg for the icon); pyqtgraph needs QtOpenGL and
  QtOpenGLWidgets (imported by name) and tries QtTest in try/except. Everything else in PySide6
  (QML, Quick, WebEngine, Designer...) is dead weight, excluded by module and, for libraries
  and plugins collected by hooks, by file name.
- Parquet goes through fastparquet (workbench/core/parquet_frames.py), not pyarrow: pyarrow's
  extension module links every Arrow library (78 MiB in the bundle even without Flight and S3).
  pyarrow is excluded by name, so a build environment that still has it installed (pandas and
  other libraries import it when present) builds the same bundle as the source install runs.
- Linux: the desktop's own libraries (X, xcb, fonts, GLib, GL, the C and C++ runtimes) come from
  the system, not the bundle (SYSTEM_LIBRARIES), and a library is kept only when something in
  the bundle needs it (prune_linux_libraries): a bundled copy beside the desktop's own breaks
  fonts and graphics drivers, and costs ~20 MB.
"""

from __future__ import annotations

import fnmatch
import re
import sys
from collections.abc import Callable
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the checkout's workbench, also without an editable install

from workbench.selftest import NOT_IMPORTED  # noqa: E402

APP_NAME = "ML Workbench"
BUNDLE_NAME = "ml-workbench"  # the folder in dist/ and the archive's stem
EXECUTABLE = "workbench"
CLI_EXECUTABLE = "workbench-cli"  # Windows and macOS: the console twin of the windowed app
BUNDLE_ID = "org.mlworkbench.workbench"
# The Linux bundle on disk, unpacked (build.py's folder_size): the packaging tests fail above it,
# so a library added later (dask for a cluster runner...) shows up as a decision, not a drift.
SIZE_BUDGET_MB = 350

# Python modules never wanted in the bundle (an import of one of these inside the app would
# fail, and the selftest would say so).
EXCLUDED_MODULES: tuple[str, ...] = (
    # GUI toolkits and notebooks the app does not use
    "tkinter",
    "_tkinter",
    "matplotlib",
    "IPython",
    "ipykernel",
    "ipywidgets",
    "jupyter_client",
    "notebook",
    # test and development tools
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "ruff",
    "PyInstaller",
    "pip",
    "pydoc_data",
    "lib2to3",
    "readline",  # an interactive prompt's line editing (and libreadline): a GUI app has none
    "sphinx",
    "docutils",
    # GPU and heavy frameworks that optional code paths may name
    "torch",
    "tensorflow",
    "cupy",
    "dask",
    "numba",
    "sklearn.externals.array_api_compat.torch",
    "sklearn.externals.array_api_compat.cupy",
    "sklearn.externals.array_api_compat.dask",
    # not a dependency (Parquet goes through fastparquet), but imported by pandas when present
    "pyarrow",
    # pyqtgraph pieces that need OpenGL or Jupyter
    "pyqtgraph.opengl",
    "pyqtgraph.examples",
    "pyqtgraph.jupyter",
    # Qt modules the app never imports
    *(
        f"PySide6.{name}"
        for name in (
            "QtWebEngineCore",
            "QtWebEngineWidgets",
            "QtWebEngineQuick",
            "QtWebChannel",
            "QtWebSockets",
            "QtQml",
            "QtQuick",
            "QtQuickWidgets",
            "QtQuickControls2",
            "QtQuickTest",
            "QtQuick3D",
            "QtDesigner",
            "QtUiTools",
            "QtHelp",
            "QtMultimedia",
            "QtMultimediaWidgets",
            "QtSql",
            "QtTest",
            "QtPdf",
            "QtPdfWidgets",
            "QtCharts",
            "QtDataVisualization",
            "QtGraphs",
            "QtNetwork",
            "QtBluetooth",
            "QtPositioning",
            "QtLocation",
            "QtXml",
            "QtDBus",  # libQt6DBus stays: the platform plugins link it
            "QtConcurrent",
            "QtPrintSupport",
            "QtSvgWidgets",
            "QtRemoteObjects",
            "QtSerialPort",
            "QtSensors",
            "QtTextToSpeech",
            "QtStateMachine",
            "QtScxml",
            "QtHttpServer",
            "Qt3DCore",
            "Qt3DRender",
            "Qt3DExtras",
        )
    ),
)

# Workbench subpackages that are not application code (the Docker service template runs inside
# the exported container, on FastAPI): shipped as data files for the export to copy. The
# selftest owns the list, since it must skip them too.
WORKBENCH_TEMPLATE_PACKAGES: tuple[str, ...] = NOT_IMPORTED

# Excluded modules that libraries import inside try/except and work without: pyqtgraph's
# optional Qt modules; pyarrow, which pandas and fastparquet use only when it is installed.
OPTIONAL_IMPORTS: tuple[str, ...] = (
    "PySide6.QtTest",
    "pyarrow",
)

# Libraries and plugins dropped from what the hooks collected, matched against the path inside
# the bundle (forward slashes). Qt's own libraries are otherwise pulled in by plugins (the QML
# tooling plugins, the designer plugin...).
EXCLUDED_BINARY_PATTERNS: tuple[str, ...] = (
    "*libQt6WebEngine*",
    "*libQt6Qml*",
    "*libQt6Quick*",
    "*libQt6Designer*",
    "*libQt6Pdf*",
    "*libQt6Help*",
    "*libQt6WaylandCompositor*",
    "*libQt6LabsStyleKit*",
    "*libQt6Sql*",
    "*libQt6Test*",
    "*libQt6VirtualKeyboard*",
    "*/plugins/designer/*",
    "*/plugins/qmltooling/*",
    "*/plugins/qmllint/*",
    "*/plugins/sqldrivers/*",
    "*/plugins/printsupport/*",
    # evdev and TUIO input (for a framebuffer without a desktop; TUIO alone pulls QtNetwork and
    # Kerberos in)
    "*/plugins/generic/*",
    # GTK 3 theme: needs the desktop's GTK, whose cairo and pango would otherwise come from two
    # places; Qt's own Fusion style and the XDG portal theme remain
    "*/plugins/platformthemes/*qgtk3*",
    # image formats the app neither reads nor offers for export (PNG, JPEG, GIF, ICO, SVG stay)
    "*/plugins/imageformats/*qtiff*",
    "*/plugins/imageformats/*qwebp*",
    "*/plugins/imageformats/*qtga*",
    "*/plugins/imageformats/*qwbmp*",
    "*/plugins/imageformats/*qicns*",
    "*/plugins/tls/*",
    "*/plugins/networkinformation/*",
    "*/plugins/vectorimageformats/*",
    "*/plugins/egldeviceintegrations/*",
    "*/plugins/wayland-graphics-integration-server/*",
    "*/plugins/platforminputcontexts/libqtvirtualkeyboardplugin*",
    "*/plugins/imageformats/libqpdf*",
    "*/plugins/platforms/libqeglfs*",
    "*/plugins/platforms/libqminimalegl*",
    "*/plugins/platforms/libqlinuxfb*",
    "*/plugins/platforms/libqvnc*",
    "*/plugins/platforms/libqvkkhrdisplay*",
    "*/plugins/platforms/qdirect2d*",
    "*_cpp_tests*",
    "*libcuda*",
    "*libcudart*",
    "*libcublas*",
    "*libnccl*",
    "*onnxruntime_providers_cuda*",
    "*onnxruntime_providers_tensorrt*",
)

# Data files dropped: tests, type stubs, headers, and Qt's QML and translations (the app is in
# English and installs no QTranslator, so Qt never reads a .qm file).
EXCLUDED_DATA_PATTERNS: tuple[str, ...] = (
    "*/tests/*",
    "*/test/*",
    "*/testing/*",
    "*/__pycache__/*",
    "*.pyi",
    "*.pxd",
    "*.pyx",
    "*/include/*",
    "*/Qt/qml/*",
    "*/jsonschema/benchmarks/*",  # nbformat's jsonschema ships its benchmark inputs
    "*/Qt/translations/*",
)

# Linux libraries build.py strips of their symbol tables (dynamic symbols stay): every shared
# library and extension module, each stripped copy kept only when its loadable segments still
# meet the loader's rules (elf_file.ElfFile.loads). strip rewrites the layout of the libraries
# auditwheel patched (numpy's and scipy's OpenBLAS), which then fail to load ("ELF load command
# address/offset not page-aligned"): the check catches exactly those and leaves them as they are.
STRIP_PATTERNS: tuple[str, ...] = ("/_internal/*.so", "/_internal/*.so.*")

# Linux: libraries every desktop distribution ships, taken from the system instead of the
# bundle, each with the Debian (bookworm) package that provides it. Mostly the AppImage
# project's exclude list: a bundled copy of the X, font, GLib or GL libraries beside the
# desktop's own breaks fonts and graphics drivers (libstdc++ included: Mesa's drivers need the
# system's). The .deb depends on the packages of the ones the bundle needs; a library the
# bundle needs and neither holds nor finds here stops build.py (deb.system_dependencies), so
# this list cannot silently fall behind the bundle.
GLIBC_LIBRARIES: tuple[str, ...] = (
    "ld-linux-x86-64.so.2",
    "ld-linux-aarch64.so.1",
    "libc.so.6",
    "libm.so.6",
    "libmvec.so.1",
    "libdl.so.2",
    "libpthread.so.0",
    "librt.so.1",
    "libutil.so.1",
    "libresolv.so.2",
    "libanl.so.1",
    "libnsl.so.1",
    "libBrokenLocale.so.1",
    "libthread_db.so.1",
)
SYSTEM_LIBRARIES: dict[str, str] = {
    **dict.fromkeys(GLIBC_LIBRARIES, "libc6"),
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1",
    "libz.so.1": "zlib1g",
    "libuuid.so.1": "libuuid1",
    "libexpat.so.1": "libexpat1",
    "libcom_err.so.2": "libcom-err2",
    "libgpg-error.so.0": "libgpg-error0",
    "libp11-kit.so.0": "libp11-kit0",
    "libusb-1.0.so.0": "libusb-1.0-0",
    "libasound.so.2": "libasound2",
    "libdbus-1.so.3": "libdbus-1-3",
    **dict.fromkeys(
        (
            "libglib-2.0.so.0",
            "libgobject-2.0.so.0",
            "libgio-2.0.so.0",
            "libgmodule-2.0.so.0",
            "libgthread-2.0.so.0",
        ),
        "libglib2.0-0",
    ),
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libharfbuzz.so.0": "libharfbuzz0b",
    "libfribidi.so.0": "libfribidi0",
    "libthai.so.0": "libthai0",
    "libpango-1.0.so.0": "libpango-1.0-0",
    "libpangocairo-1.0.so.0": "libpangocairo-1.0-0",
    "libpangoft2-1.0.so.0": "libpangoft2-1.0-0",
    "libgdk_pixbuf-2.0.so.0": "libgdk-pixbuf-2.0-0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libGLX.so.0": "libglx0",
    "libOpenGL.so.0": "libopengl0",
    "libGLdispatch.so.0": "libglvnd0",
    "libdrm.so.2": "libdrm2",
    "libgbm.so.1": "libgbm1",
    "libglapi.so.0": "libglapi-mesa",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libXext.so.6": "libxext6",
    "libXrender.so.1": "libxrender1",
    "libICE.so.6": "libice6",
    "libSM.so.6": "libsm6",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-dri2.so.0": "libxcb-dri2-0",
    "libxcb-dri3.so.0": "libxcb-dri3-0",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-present.so.0": "libxcb-present0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}

# Qt's ICU data (icu_data.py): items of the common data package that Qt never reads. Qt calls
# ICU for collation (kept: the coll/ tree), locale case mapping and time zones (kept: the
# Unicode property and normalization files and the root-level tables: zoneinfo64, metaZones,
# supplementalData, likelySubtags, root.res...). Out: ICU's own formatting and display data
# (per-locale main data, currency, language, region, unit and zone names, number spellout),
# break iteration, transliteration, stringprep, spoof checks, character names, and the legacy
# codecs (Qt decodes by name only when asked, and the app reads files through Python).
ICU_DROPPED_TREES: tuple[str, ...] = (
    "brkitr",
    "curr",
    "lang",
    "rbnf",
    "region",
    "translit",
    "unit",
    "zone",
)
ICU_DROPPED_FILES: tuple[str, ...] = ("*.cnv", "*.spp", "*.cfu", "unames.icu")
ICU_LOCALE_DATA = re.compile(r"[a-z]{2,3}(_[A-Za-z0-9]+)*\.res")  # de.res, en_US_POSIX.res...
ICU_LIBRARY = "/_internal/PySide6/Qt/lib/libicudata.so.*"

# Where libraries sit only because another file needs them (PyInstaller's folder for the
# libraries it found, and Qt's). Anything else (extension modules, Qt plugins, libraries a
# package opens itself like libxgboost) is an entry point and stays. libpython is opened by the
# bootloader, not linked.
DEPENDENCY_FOLDERS: tuple[str, ...] = ("", "PySide6/Qt/lib")
OPENED_BY_BOOTLOADER = "libpython3*"

# The per-library table of build-report.json and the README: the first pattern that matches a
# file's path in the bundle names its group.
SIZE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "fastparquet, cramjam, fsspec (Parquet)",
        ("/_internal/fastparquet/*", "/_internal/cramjam*", "/_internal/fsspec/*"),
    ),
    ("Qt: ICU (Unicode data)", ("/_internal/PySide6/Qt/lib/libicu*",)),
    ("Qt: libraries", ("/_internal/PySide6/Qt/lib/*",)),
    ("Qt: plugins", ("/_internal/PySide6/Qt/plugins/*",)),
    ("PySide6 bindings", ("/_internal/PySide6/*", "/_internal/shiboken6/*")),
    ("scipy", ("/_internal/scipy/*", "/_internal/scipy.libs/*")),
    ("numpy", ("/_internal/numpy/*", "/_internal/numpy.libs/*")),
    ("onnxruntime", ("/_internal/onnxruntime/*",)),
    ("onnx, ml_dtypes", ("/_internal/onnx/*", "/_internal/ml_dtypes/*")),
    ("pandas", ("/_internal/pandas/*", "/_internal/pandas.libs/*")),
    ("scikit-learn", ("/_internal/sklearn/*", "/_internal/scikit_learn.libs/*")),
    ("xgboost", ("/_internal/xgboost/*", "/_internal/xgboost*.libs/*")),
    (
        "Python (libpython, stdlib extensions)",
        ("/_internal/libpython*", "/_internal/python3*", "/_internal/base_library.zip"),
    ),
    ("executable (bootloader, all Python code compressed)", ("/workbench*",)),
    ("system libraries (root of _internal)", ("/_internal/*.so*", "/_internal/*.dll")),
    ("everything else", ("*",)),
)


# Paths that must never appear in a built bundle (checked after the build and by the tests).
FORBIDDEN_IN_BUNDLE: tuple[str, ...] = (
    "*/tests/*",
    "*/benchmarks/*",
    "*/scratch/*",
    "*/_pytest/*",
    "*/pytest/*",
    "*/matplotlib/*",
    "*/IPython/*",
    "*/tkinter/*",
    "*libtk*",
    "*libtcl*",
    "*libQt6WebEngine*",
    "*QtWebEngineProcess*",
    "*libQt6Qml*",
    "*libQt6Quick*",
    "*libcuda*",
    "*libcublas*",
    "*libnccl*",
    "*/pyarrow/*",
    "*libarrow*",
    "*_cpp_tests*",
    "*/projects/demo/runs/*",
    "*/projects/demo/experiments.sqlite*",
)


def _matches(path: str, patterns: tuple[str, ...]) -> bool:
    posix = "/" + PurePosixPath(path.replace("\\", "/")).as_posix().lstrip("/")
    return any(fnmatch.fnmatchcase(posix, pattern) for pattern in patterns)


def keep_binary(dest: str) -> bool:
    """False for a library or plugin the app never loads."""
    return not _matches(dest, EXCLUDED_BINARY_PATTERNS)


def keep_data(dest: str) -> bool:
    """False for a test, header, stub or unused Qt data file."""
    return not _matches(dest, EXCLUDED_DATA_PATTERNS)


def to_strip(bundle_dir: Path) -> list[Path]:
    """The libraries of a built bundle that build.py tries to strip (see STRIP_PATTERNS)."""
    return sorted(
        path
        for path in bundle_dir.rglob("*")
        if path.is_file()
        and not path.is_symlink()
        and _matches(path.relative_to(bundle_dir).as_posix(), STRIP_PATTERNS)
    )


def forbidden_files(bundle_dir: Path) -> list[str]:
    """Files in a built bundle that should not be there (relative paths, sorted)."""
    found = []
    for path in bundle_dir.rglob("*"):
        relative = path.relative_to(bundle_dir).as_posix()
        if path.is_file() and _matches(relative, FORBIDDEN_IN_BUNDLE):
            found.append(relative)
    return sorted(found)


def is_app_module(name: str) -> bool:
    """True for a workbench module the frozen app must contain (not a template, not a test)."""
    if any(name == t or name.startswith(t + ".") for t in WORKBENCH_TEMPLATE_PACKAGES):
        return False
    return ".tests" not in name and not name.startswith("tests")


def demo_project_files(repo_root: Path) -> list[tuple[Path, str]]:
    """(source, bundle folder) pairs for the demo project: its project file and dataset only,
    never runs or an experiment log left by someone trying the demo in the checkout."""
    demo = repo_root / "projects" / "demo"
    pairs = [(demo / "project.json", "projects/demo")]
    pairs += [(path, "projects/demo/data") for path in sorted((demo / "data").iterdir())]
    return [(path, folder) for path, folder in pairs if path.is_file()]


def resource_files(repo_root: Path) -> list[tuple[Path, str]]:
    """(source, bundle folder) pairs for resources/ (icons, the demo's source data)."""
    resources = repo_root / "resources"
    return [
        (path, PurePosixPath("resources", *path.parent.relative_to(resources).parts).as_posix())
        for path in sorted(resources.rglob("*"))
        if path.is_file() and keep_data(path.relative_to(repo_root).as_posix())
    ]


def template_files(repo_root: Path) -> list[tuple[Path, str]]:
    """(source, bundle folder) pairs for the workbench template packages, shipped as files."""
    pairs = []
    for package in WORKBENCH_TEMPLATE_PACKAGES:
        folder = repo_root.joinpath(*package.split("."))
        if not folder.is_dir():
            continue  # the export module may not exist yet in this checkout
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(repo_root).as_posix()
            if path.is_file() and "__pycache__" not in relative:
                pairs.append((path, path.parent.relative_to(repo_root).as_posix()))
    return pairs


def prune_linux_libraries(
    entries: list[tuple[str, str, str]], needed: Callable[[str], tuple[str, ...]]
) -> list[tuple[str, str, str]]:
    """The PyInstaller binaries TOC without the system's libraries and what nothing needs.

    `entries` are (destination, source, typecode); `needed(source)` names the libraries a
    binary links (elf_file.read_elf). A library in DEPENDENCY_FOLDERS stays only when a kept binary
    needs it, directly or through another kept library; SYMLINK entries (PyInstaller's links
    to Qt's libraries) follow their target.
    """

    def folder(dest: str) -> str:
        parent = PurePosixPath(dest.replace("\\", "/")).parent.as_posix()
        return "" if parent == "." else parent

    def name(dest: str) -> str:
        return PurePosixPath(dest.replace("\\", "/")).name

    kept = [entry for entry in entries if name(entry[0]) not in SYSTEM_LIBRARIES]
    files = [entry for entry in kept if entry[2] != "SYMLINK"]
    links = {name(dest): src for dest, src, kind in kept if kind == "SYMLINK"}
    by_name: dict[str, str] = {}
    for dest, _src, _kind in files:
        by_name.setdefault(name(dest), dest)
    for link, target in links.items():
        by_name.setdefault(link, target.replace("\\", "/"))
    source = {dest: src for dest, src, _kind in files}

    def is_dependency(dest: str) -> bool:
        return folder(dest) in DEPENDENCY_FOLDERS and not fnmatch.fnmatchcase(
            name(dest), OPENED_BY_BOOTLOADER
        )

    reached: set[str] = set()
    todo = [dest for dest, _src, _kind in files if not is_dependency(dest)]
    while todo:
        dest = todo.pop()
        if dest in reached or dest not in source:
            continue
        reached.add(dest)
        todo.extend(by_name[lib] for lib in needed(source[dest]) if lib in by_name)
    return [
        entry
        for entry in kept
        if (entry[2] == "SYMLINK" and entry[1].replace("\\", "/") in reached)
        or (entry[2] != "SYMLINK" and (entry[0] in reached or not is_dependency(entry[0])))
    ]


def size_group(relative: str) -> str:
    """The SIZE_GROUPS label of a file (path relative to the bundle folder)."""
    return next(label for label, patterns in SIZE_GROUPS if _matches(relative, patterns))


def size_by_group(bundle_dir: Path) -> dict[str, int]:
    """Bytes per SIZE_GROUPS label, largest first (links not counted, as in folder_size)."""
    sizes: dict[str, int] = {}
    for path in bundle_dir.rglob("*"):
        if path.is_file() and not path.is_symlink():
            label = size_group(path.relative_to(bundle_dir).as_posix())
            sizes[label] = sizes.get(label, 0) + path.lstat().st_size
    return dict(sorted(sizes.items(), key=lambda item: -item[1]))


def icu_libraries(bundle_dir: Path) -> list[Path]:
    """Qt's ICU data library in a built bundle (what icu_data.py trims)."""
    return sorted(
        path
        for path in bundle_dir.rglob("libicudata.so.*")
        if not path.is_symlink()
        and _matches(path.relative_to(bundle_dir).as_posix(), (ICU_LIBRARY,))
    )


def keep_icu_item(name: str) -> bool:
    """True for an item of Qt's ICU data package that Qt may read (see ICU_DROPPED_TREES).

    `name` as in the package's table of contents: "icudt73l/coll/de.res", "icudt73l/de.res".
    """
    parts = name.split("/")[1:]  # without the package name
    if len(parts) > 1:
        return parts[0] not in ICU_DROPPED_TREES
    leaf = parts[0] if parts else name
    if any(fnmatch.fnmatchcase(leaf, pattern) for pattern in ICU_DROPPED_FILES):
        return False
    return not ICU_LOCALE_DATA.fullmatch(leaf)
