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
- pyarrow's hook collects every pyarrow library: Flight (31 MB) and the cloud filesystems
  (S3 17 MB) are never used by a laptop reading local Parquet.
"""

from __future__ import annotations

import fnmatch
import sys
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
SIZE_BUDGET_MB = 450

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
    # pyarrow pieces for remote storage and RPC
    "pyarrow.flight",
    "pyarrow._flight",
    "pyarrow._s3fs",
    "pyarrow._gcsfs",
    "pyarrow._azurefs",
    "pyarrow._hdfs",
    "pyarrow.cuda",
    "pyarrow._cuda",
    "pyarrow._orc",
    "pyarrow.orc",
    "pyarrow._substrait",
    "pyarrow.substrait",
    "pyarrow.tests",
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
# optional Qt modules, pyarrow.fs's remote filesystems.
OPTIONAL_IMPORTS: tuple[str, ...] = (
    "PySide6.QtTest",
    "pyarrow._s3fs",
    "pyarrow._gcsfs",
    "pyarrow._azurefs",
    "pyarrow._hdfs",
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
    "*libarrow_flight*",
    "*libarrow_s3*",
    "*/pyarrow/libarrow*.so",  # copies of the versioned libraries (wheels hold no links)
    "*/pyarrow/lib*.so.*.*.*",
    "*libarrow_python_flight*",
    "*_cpp_tests*",
    "*libarrow_azurefs*",
    "*libarrow_gcsfs*",
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
    "*/pyarrow/src/*",
    "*/pyarrow/*.pxi",
    "*/Qt/translations/*",
)

# Linux libraries whose symbol tables build.py strips (libpython and libarrow lose a third to
# two thirds of their size; their dynamic symbols stay). An allowlist, not everything: strip
# rewrites the layout of libraries that auditwheel patched (numpy.libs, scipy.libs...), which
# then fail to load ("ELF load command address/offset not page-aligned"). Every one listed
# here was checked by the bundle's selftest.
STRIP_PATTERNS: tuple[str, ...] = (
    "*/libpython3*.so*",
    "*/python3*/lib-dynload/*.so",
    "*/pyarrow/libarrow*.so.*",
    "*/pyarrow/libparquet.so.*",
    "*/xgboost/lib/libxgboost.so",
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
    "*libarrow_flight*",
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
    """The libraries of a built bundle that build.py strips (see STRIP_PATTERNS)."""
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
