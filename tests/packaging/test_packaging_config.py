"""What the bundle keeps and drops (packaging/bundle_config.py, used by workbench.spec)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from workbench.selftest import HEAVY_MODULES, NOT_IMPORTED

PARQUET = "fastparquet, cramjam, fsspec (Parquet)"


def test_test_and_development_modules_are_excluded(bundle_config: ModuleType) -> None:
    excluded = set(bundle_config.EXCLUDED_MODULES)
    for name in ("pytest", "_pytest", "pytestqt", "ruff", "PyInstaller", "pip", "hypothesis"):
        assert name in excluded, name
    for name in ("matplotlib", "IPython", "tkinter", "torch", "cupy", "readline"):
        assert name in excluded, name
    for name in ("QtWebEngineCore", "QtWebEngineWidgets", "QtQml", "QtQuick", "QtDBus"):
        assert f"PySide6.{name}" in excluded, name
    # What the app and pyqtgraph import unconditionally must stay.
    for name in ("PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtSvg"):
        assert name not in excluded
    # pyqtgraph imports these by name (importlib), so an exclusion fails only in the bundle.
    assert "PySide6.QtOpenGL" not in excluded
    assert "PySide6.QtOpenGLWidgets" not in excluded


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("pandas/tests/io/data/csv/test1.csv", False),
        ("sklearn/datasets/tests/data/openml/id_2/data.json.gz", False),
        ("numpy/_core/include/numpy/ndarraytypes.h", False),
        ("PySide6/Qt/qml/QtQuick/Controls/qmldir", False),
        ("PySide6/Qt/translations/qtwebengine_de.qm", False),
        ("jsonschema/benchmarks/issue232/issue.json", False),
        ("fastparquet/cencoding.pyx", False),
        ("PySide6/QtCore.pyi", False),
        ("PySide6/Qt/translations/qtbase_de.qm", False),
        ("resources/icons/workbench.svg", True),
        ("projects/demo/data/penguins.parquet", True),
        ("xgboost/VERSION", True),
        ("sklearn/utils/_repr_html/estimator.css", True),
    ],
)
def test_data_filter(bundle_config: ModuleType, dest: str, kept: bool) -> None:
    assert bundle_config.keep_data(dest) is kept


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/lib/libQt6WebEngineCore.so.6", False),
        ("PySide6/Qt/lib/libQt6Qml.so.6", False),
        ("PySide6/Qt/lib/libQt6Quick.so.6", False),
        ("PySide6/Qt/plugins/qmltooling/libqmldbg_tcp.so", False),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
        ("onnxruntime/capi/libonnxruntime_providers_cuda.so", False),
        ("PySide6/Qt/plugins/generic/libqtuiotouchplugin.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/imageformats/libqtiff.so", False),
        ("PySide6/Qt/plugins/imageformats/libqwebp.so", False),
        ("PySide6\\Qt\\lib\\libQt6WebEngineCore.dll", False),  # Windows separators
        ("PySide6/Qt/lib/libQt6Core.so.6", True),
        ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
        ("PySide6/Qt/lib/libQt6Svg.so.6", True),
        ("PySide6/Qt/lib/libQt6OpenGL.so.6", True),
        ("PySide6/Qt/lib/libQt6OpenGLWidgets.so.6", True),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", True),
        ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", True),
        ("PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so", True),
        ("fastparquet/cencoding.cpython-311-x86_64-linux-gnu.so", True),
        ("cramjam/cramjam.cpython-311-x86_64-linux-gnu.so", True),
        ("xgboost/lib/libxgboost.so", True),
        ("onnxruntime/capi/libonnxruntime_providers_shared.so", True),
    ],
)
def test_binary_filter(bundle_config: ModuleType, dest: str, kept: bool) -> None:
    assert bundle_config.keep_binary(dest) is kept


def test_demo_project_ships_without_runs_or_log(
    bundle_config: ModuleType, repo_root: Path, tmp_path: Path
) -> None:
    """Someone who tried the demo in the checkout must not ship their runs."""
    root = tmp_path / "repo"
    shutil.copytree(repo_root / "projects" / "demo", root / "projects" / "demo")
    demo = root / "projects" / "demo"
    (demo / "experiments.sqlite").write_bytes(b"log")
    (demo / "runs" / "r1").mkdir(parents=True)
    (demo / "runs" / "r1" / "pipeline.joblib").write_bytes(b"model")

    pairs = bundle_config.demo_project_files(root)

    shipped = {(src.relative_to(root).as_posix(), dest) for src, dest in pairs}
    assert shipped == {
        ("projects/demo/project.json", "projects/demo"),
        ("projects/demo/data/penguins.parquet", "projects/demo/data"),
        ("projects/demo/data/penguins.profile.json", "projects/demo/data"),
    }


def test_resources_ship_icon_and_demo_source(bundle_config: ModuleType, repo_root: Path) -> None:
    shipped = {(src.name, dest) for src, dest in bundle_config.resource_files(repo_root)}
    assert ("workbench.svg", "resources/icons") in shipped
    assert ("penguins.csv", "resources/data") in shipped


def test_forbidden_files_are_found(bundle_config: ModuleType, tmp_path: Path) -> None:
    bundle = tmp_path / "ml-workbench"
    for relative in (
        "workbench",
        "_internal/pandas/_libs/lib.so",
        "_internal/projects/demo/project.json",
        "_internal/pandas/tests/test_x.py",
        "_internal/PySide6/Qt/lib/libQt6WebEngineCore.so.6",
        "_internal/projects/demo/experiments.sqlite",
    ):
        path = bundle / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")

    assert bundle_config.forbidden_files(bundle) == [
        "_internal/PySide6/Qt/lib/libQt6WebEngineCore.so.6",
        "_internal/pandas/tests/test_x.py",
        "_internal/projects/demo/experiments.sqlite",
    ]


def test_template_packages_are_the_selftests(bundle_config: ModuleType) -> None:
    assert bundle_config.WORKBENCH_TEMPLATE_PACKAGES == NOT_IMPORTED
    assert not bundle_config.is_app_module("workbench.core.export.service.app")
    assert bundle_config.is_app_module("workbench.core.models.factories")


def test_spec_applies_the_config() -> None:
    """The spec is run by PyInstaller, not importable: check it wires every rule in."""
    spec = (Path(__file__).resolve().parents[2] / "packaging" / "workbench.spec").read_text()
    for needle in (
        "excludes=list(cfg.EXCLUDED_MODULES)",
        "cfg.keep_binary(",
        "cfg.keep_data(",
        'collect_submodules("workbench", filter=cfg.is_app_module)',
        "cfg.demo_project_files(ROOT)",
        "launcher.py",
        "BUNDLE(",
        "upx=False",
        "cfg.prune_linux_libraries(",
    ):
        assert needle in spec, needle


@pytest.mark.slow
def test_the_app_imports_no_excluded_module(bundle_config: ModuleType) -> None:
    """Everything the app imports, in a fresh interpreter: nothing the bundle leaves out may be
    among it, or the bundle would fail where the checkout works."""
    script = (
        "import importlib, json, sys\n"
        "from workbench.selftest import HEAVY_MODULES, app_module_names\n"
        "for name in [*HEAVY_MODULES, *app_module_names()]:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = set(json.loads(result.stdout.splitlines()[-1]))
    assert "workbench.core.models.factories" in loaded and "pyqtgraph" in loaded
    assert set(HEAVY_MODULES) <= loaded
    excluded = set(bundle_config.EXCLUDED_MODULES) - set(bundle_config.OPTIONAL_IMPORTS)
    offenders = sorted(
        name for name in loaded if any(name == x or name.startswith(x + ".") for x in excluded)
    )
    assert offenders == []


def test_every_library_is_offered_to_strip_but_not_the_program(
    bundle_config: ModuleType, tmp_path: Path
) -> None:
    """build.py tries every library (and keeps a stripped copy only if it loads, see
    test_elf_file); never the program, whose archive of Python code strip would cut off."""
    bundle = tmp_path / "ml-workbench"
    libraries = (
        "_internal/libpython3.11.so.1.0",
        "_internal/numpy.libs/libscipy_openblas64_-32a4b2a6.so",
        "_internal/PySide6/Qt/lib/libQt6Core.so.6",
        "_internal/fastparquet/speedups.cpython-311-x86_64-linux-gnu.so",
        "_internal/xgboost/lib/libxgboost.so",
    )
    others = ("workbench", "_internal/base_library.zip", "_internal/fastparquet/__init__.py")
    for relative in libraries + others:
        path = bundle / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x7fELF")
    (bundle / "_internal" / "libQt6Core.so.6").symlink_to("PySide6/Qt/lib/libQt6Core.so.6")

    offered = {p.relative_to(bundle).as_posix() for p in bundle_config.to_strip(bundle)}

    assert offered == set(libraries)


def _toc(*dests: str) -> list[tuple[str, str, str]]:
    return [(dest, f"/src/{dest}", "BINARY") for dest in dests]


def test_pruning_drops_system_libraries_and_what_only_they_needed(
    bundle_config: ModuleType,
) -> None:
    links = {
        # an extension module and a Qt plugin are entry points
        "/src/PySide6/QtGui.abi3.so": ("libQt6Gui.so.6", "libstdc++.so.6"),
        "/src/PySide6/Qt/plugins/generic/libqtuiotouchplugin.so": ("libQt6Network.so.6",),
        "/src/PySide6/Qt/lib/libQt6Gui.so.6": ("libQt6Core.so.6", "libfontconfig.so.1"),
        "/src/PySide6/Qt/lib/libQt6Core.so.6": ("libicuuc.so.73",),
        "/src/PySide6/Qt/lib/libicuuc.so.73": (),
        "/src/PySide6/Qt/lib/libQt6Network.so.6": ("libgssapi_krb5.so.2",),
        "/src/libgssapi_krb5.so.2": (),
        "/src/libfontconfig.so.1": ("libexpat.so.1",),
        "/src/libexpat.so.1": (),
        "/src/libcairo.so.2": ("libpixman-1.so.0",),  # wanted by nothing kept
        "/src/libpixman-1.so.0": (),
    }
    entries = _toc(
        "PySide6/QtGui.abi3.so",
        "PySide6/Qt/lib/libQt6Gui.so.6",
        "PySide6/Qt/lib/libQt6Core.so.6",
        "PySide6/Qt/lib/libicuuc.so.73",
        "PySide6/Qt/lib/libQt6Network.so.6",
        "libgssapi_krb5.so.2",
        "libfontconfig.so.1",
        "libexpat.so.1",
        "libcairo.so.2",
        "libpixman-1.so.0",
        "libstdc++.so.6",
        "libpython3.11.so.1.0",  # opened by the bootloader: linked by nothing, kept
    )
    entries += [("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK")]

    kept = bundle_config.prune_linux_libraries(entries, lambda src: links.get(src, ()))

    assert [dest for dest, _src, _kind in kept] == [
        "PySide6/QtGui.abi3.so",
        "PySide6/Qt/lib/libQt6Gui.so.6",
        "PySide6/Qt/lib/libQt6Core.so.6",
        "PySide6/Qt/lib/libicuuc.so.73",
        "libpython3.11.so.1.0",
        "libQt6Core.so.6",
    ]
    # With the TUIO plugin kept, QtNetwork and Kerberos are needed again.
    with_plugin = entries + _toc("PySide6/Qt/plugins/generic/libqtuiotouchplugin.so")
    kept = bundle_config.prune_linux_libraries(with_plugin, lambda src: links.get(src, ()))
    names = {dest for dest, _src, _kind in kept}
    assert {"PySide6/Qt/lib/libQt6Network.so.6", "libgssapi_krb5.so.2"} <= names
    assert "libfontconfig.so.1" not in names and "libcairo.so.2" not in names


def test_system_libraries_name_debian_packages(bundle_config: ModuleType) -> None:
    libraries = bundle_config.SYSTEM_LIBRARIES
    assert libraries["libc.so.6"] == "libc6"
    assert libraries["libxcb-icccm.so.4"] == "libxcb-icccm4"
    assert libraries["libglib-2.0.so.0"] == "libglib2.0-0"
    # Debian package names: lower case, no spaces, no version
    assert all(pkg == pkg.lower() and " " not in pkg for pkg in libraries.values())
    # The libraries Python itself needs are bundled, not taken from the system.
    for bundled in ("libpython3.11.so.1.0", "libssl.so.3", "libcrypto.so.3", "libsqlite3.so.0"):
        assert bundled not in libraries


@pytest.mark.parametrize(
    ("relative", "group"),
    [
        ("_internal/fastparquet/cencoding.cpython-311-x86_64-linux-gnu.so", PARQUET),
        ("_internal/cramjam/cramjam.cpython-311-x86_64-linux-gnu.so", PARQUET),
        ("_internal/fsspec/spec.pyc", PARQUET),
        ("_internal/PySide6/Qt/lib/libicudata.so.73", "Qt: ICU (Unicode data)"),
        ("_internal/PySide6/Qt/lib/libQt6Core.so.6", "Qt: libraries"),
        ("_internal/PySide6/Qt/plugins/platforms/libqxcb.so", "Qt: plugins"),
        ("_internal/PySide6/QtCore.abi3.so", "PySide6 bindings"),
        ("_internal/scipy.libs/libscipy_openblas-6cdc3b4a.so", "scipy"),
        ("_internal/numpy.libs/libscipy_openblas64_-32a4b2a6.so", "numpy"),
        ("_internal/scikit_learn.libs/libgomp-e985bcbb.so.1.0.0", "scikit-learn"),
        ("_internal/xgboost_cpu.libs/libgomp-e985bcbb.so.1.0.0", "xgboost"),
        ("_internal/libpython3.11.so.1.0", "Python (libpython, stdlib extensions)"),
        ("workbench", "executable (bootloader, all Python code compressed)"),
        ("_internal/libcrypto.so.3", "system libraries (root of _internal)"),
        ("_internal/projects/demo/project.json", "everything else"),
    ],
)
def test_size_groups(bundle_config: ModuleType, relative: str, group: str) -> None:
    assert bundle_config.size_group(relative) == group


def test_size_by_group_counts_files_once(bundle_config: ModuleType, tmp_path: Path) -> None:
    bundle = tmp_path / "ml-workbench"
    (bundle / "_internal" / "scipy.libs").mkdir(parents=True)
    (bundle / "_internal" / "scipy.libs" / "libgfortran.so.5").write_bytes(b"a" * 3000)
    (bundle / "_internal" / "scipy.libs" / "libquadmath.so.0").write_bytes(b"b" * 1000)
    (bundle / "workbench").write_bytes(b"c" * 500)
    (bundle / "_internal" / "libgfortran.so.5").symlink_to("scipy.libs/libgfortran.so.5")

    sizes = bundle_config.size_by_group(bundle)

    assert sizes == {"scipy": 4000, "executable (bootloader, all Python code compressed)": 500}
    assert list(sizes) == ["scipy", "executable (bootloader, all Python code compressed)"]


def test_icons_are_drawn_from_the_svg(qapp, build_script: ModuleType, tmp_path: Path) -> None:
    # qapp first: make_icons would otherwise create a QGuiApplication, on which no widget of a
    # later test in this process could be built.
    from PySide6.QtGui import QImageReader

    written = {path.name for path in build_script.make_icons(tmp_path)}

    assert {"workbench.png", "workbench.ico"} <= written
    png = QImageReader(str(tmp_path / "workbench.png")).read()
    assert (png.width(), png.height()) == (256, 256)
    assert png.pixelColor(128, 128).alpha() != 0  # the drawing, not an empty canvas
    ico = QImageReader(str(tmp_path / "workbench.ico"))
    assert ico.imageCount() == len(build_script.ICO_SIZES)
