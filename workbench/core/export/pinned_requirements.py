"""The exported service's `requirements.txt`, pinned from the environment that exports it.

Why from package metadata at export time, and not a file kept in the repository: the export runs
the ONNX parity check with this process's onnxruntime and numpy, and the service was tested with
this environment's FastAPI and pydantic. Pins written by hand claim versions nobody ran, and they
age: a fresh install gets newer releases the day after they are written.

Which packages: every third-party module the service template imports (read from its source, so
adding an import there cannot be forgotten here), and the packages shipped beside it import
(`SHIPPED_PACKAGES`: workbench.core.batch_checks, as `batch_checks/`), and everything those
distributions require in turn, as this environment has them installed. The whole closure is
pinned so the image rebuilds identically. Markers are evaluated for the image (Linux, this
Python version), not for the machine exporting, so a Windows-only requirement does not land in
a Linux image.
"""

from __future__ import annotations

import ast
import platform
import sys
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from workbench.core import batch_checks
from workbench.core.errors import WorkbenchError

SERVICE_SOURCE = Path(__file__).resolve().parent / "service" / "service.py"
# Packages the bundle carries beside service.py, by the name the service imports them under:
# their files are copied as they are, and what they import is pinned with the service's.
SHIPPED_PACKAGES = {"batch_checks": Path(batch_checks.__file__).resolve().parent}
HEADER = (
    "# The service's dependencies, pinned to the versions installed where this model was\n"
    "# exported: the ONNX parity check ran with these onnxruntime and numpy releases.\n"
)


def service_imports(source: Path = SERVICE_SOURCE) -> list[str]:
    """The top-level third-party modules `source` and the shipped packages import, in the
    order they first appear (the shipped packages themselves left out: the bundle has them)."""
    found = [
        name
        for name in imported_modules(source.read_text(encoding="utf-8"))
        if name not in SHIPPED_PACKAGES
    ]
    for folder in SHIPPED_PACKAGES.values():
        for path in sorted(folder.glob("*.py")):
            found.extend(
                name
                for name in imported_modules(path.read_text(encoding="utf-8"))
                if name not in found
            )
    return found


def imported_modules(text: str) -> list[str]:
    """The top-level third-party modules the Python source `text` imports, in the order they
    first appear (imports inside functions included)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top not in sys.stdlib_module_names and top != "__future__" and top not in found:
                found.append(top)
    return found


def image_marker_environment() -> dict[str, str]:
    """Marker values for the service's image: Linux on this machine's Python version."""
    environment = dict(default_environment())
    environment.update(
        os_name="posix",
        sys_platform="linux",
        platform_system="Linux",
        platform_machine=platform.machine() if sys.platform == "linux" else "x86_64",
        extra="",
    )
    return environment


def service_distributions(source: Path = SERVICE_SOURCE) -> list[tuple[str, str]]:
    """(distribution name, installed version) for the service's imports and what they require.

    The service's own imports come first, in import order, then the rest sorted by name.
    Raises WorkbenchError naming a package the service imports that is not installed here.
    """
    return pinned_distributions(
        service_imports(source), "the exported service", "pip install fastapi uvicorn"
    )


def pinned_distributions(modules: list[str], user: str, hint: str) -> list[tuple[str, str]]:
    """(distribution name, installed version) for the distributions providing `modules` and
    everything they require, as installed here: the providers first, in the modules' order,
    then the rest sorted by name. A module not installed is a WorkbenchError naming `user`
    (what needs it) and `hint` (how to install it)."""
    providers = metadata.packages_distributions()
    direct: list[str] = []
    for module in modules:
        names = providers.get(module)
        if not names:
            raise WorkbenchError(
                f"{user} needs the Python package '{module}', which is not "
                f"installed here; install it ({hint}) and export again"
            )
        direct.extend(name for name in names if name not in direct)
    environment = image_marker_environment()
    pinned: dict[str, tuple[str, str]] = {}
    pending = list(direct)
    while pending:
        name = pending.pop(0)
        key = canonicalize_name(name)
        if key in pinned:
            continue
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            # Required for Linux but not installed on this (other) system: pip resolves it.
            continue
        pinned[key] = (distribution.metadata["Name"], distribution.version)
        for line in distribution.requires or []:
            try:
                requirement = Requirement(line)
            except InvalidRequirement:
                continue
            if requirement.marker is None or requirement.marker.evaluate(environment):
                pending.append(requirement.name)
    first = [pinned.pop(canonicalize_name(name)) for name in direct]
    return first + sorted(pinned.values(), key=lambda pair: canonicalize_name(pair[0]))


def requirements_text(source: Path = SERVICE_SOURCE) -> str:
    """The bundle's requirements.txt: one `name==version` line per distribution."""
    lines = [f"{name}=={version}" for name, version in service_distributions(source)]
    return HEADER + "\n".join(lines) + "\n"
