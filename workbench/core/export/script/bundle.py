"""The source of the workbench's own classes and functions a script needs, written out whole.

An exported script may not import `workbench`, yet the fitted chain holds the workbench's own
transformers (the float32 cast, the encoders' preparation, the XGBoost wrappers, custom steps).
`SourceBundle` copies their source, as written with its docstrings and comments, together with
every module-level name that source reads (helper functions, constants, base classes), found by
walking the module's syntax tree; third-party names become import lines. The copies are ordered
so that what a definition reads comes before it, and two workbench modules defining the same
name are refused, since the script has one namespace.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType

from workbench.core.errors import WorkbenchError

PACKAGE = "workbench"


@dataclass(frozen=True)
class ImportLine:
    """One import the script needs: `from module import name as alias`, or `import module as
    alias` when `name` is empty."""

    module: str
    name: str = ""
    alias: str = ""

    @property
    def bound(self) -> str:
        """The name the import binds in the script."""
        return self.alias or self.name or self.module.split(".")[0]

    def text(self) -> str:
        alias = f" as {self.alias}" if self.alias else ""
        if self.name:
            return f"from {self.module} import {self.name}{alias}"
        return f"import {self.module}{alias}"


NUMPY = ImportLine("numpy", "", "np")
PANDAS = ImportLine("pandas", "", "pd")


@dataclass(frozen=True)
class _ModuleIndex:
    """A module's top-level definitions and imports by the name they bind."""

    source_lines: tuple[str, ...]
    definitions: dict[str, ast.stmt]
    imports: dict[str, ImportLine]


def is_workbench(module: str) -> bool:
    return module == PACKAGE or module.startswith(PACKAGE + ".")


@cache
def _index(module_name: str) -> _ModuleIndex:
    module: ModuleType = importlib.import_module(module_name)
    source = inspect.getsource(module)
    tree = ast.parse(source)
    definitions: dict[str, ast.stmt] = {}
    imports: dict[str, ImportLine] = {}
    for node in _top_level(tree.body):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            definitions[node.name] = node
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        definitions[name.id] = node
        elif isinstance(node, ast.ImportFrom):
            if node.module == "__future__":
                continue
            base = _absolute(module_name, node.module or "", node.level)
            for alias in node.names:
                line = ImportLine(base, alias.name, alias.asname or "")
                imports[line.bound] = line
        elif isinstance(node, ast.Import):
            for alias in node.names:
                line = ImportLine(alias.name, "", alias.asname or "")
                imports[line.bound] = line
    return _ModuleIndex(tuple(source.splitlines()), definitions, imports)


def _top_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """Top-level statements, with the imports under `if TYPE_CHECKING:` blocks included."""
    found: list[ast.stmt] = []
    for node in body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            found.extend(node.body)
        else:
            found.append(node)
    return found


def _absolute(module_name: str, target: str, level: int) -> str:
    if level == 0:
        return target
    parts = module_name.split(".")[:-level]
    return ".".join([*parts, target] if target else parts)


def _read_names(node: ast.stmt) -> set[str]:
    """Every plain name the statement mentions (its own name included, dropped later)."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


@dataclass
class SourceBundle:
    """Workbench definitions to copy into a script, in dependency order, and the imports their
    source needs. Add objects with `add`; read `definitions` and `imports`."""

    imports: set[ImportLine] = field(default_factory=set)
    _blocks: list[str] = field(default_factory=list)
    _owner: dict[str, str] = field(default_factory=dict)  # name -> module it was copied from

    def add(self, obj: object) -> str:
        """Copy the class or function `obj` (and what it reads); the name it has in the script."""
        module = getattr(obj, "__module__", "")
        name = getattr(obj, "__qualname__", "")
        if not is_workbench(module) or "." in name:
            raise WorkbenchError(f"{obj!r} is not a top-level class or function of the workbench")
        self._add_name(module, name)
        return name

    @property
    def definitions(self) -> list[str]:
        return list(self._blocks)

    def _add_name(self, module: str, name: str) -> None:
        owner = self._owner.get(name)
        if owner == module:
            return
        if owner is not None:
            raise WorkbenchError(
                f"the script would define '{name}' twice (from {owner} and from {module})"
            )
        index = _index(module)
        node = index.definitions.get(name)
        if node is None:
            raise WorkbenchError(f"{module} defines no '{name}' at its top level")
        self._owner[name] = module
        for read in sorted(_read_names(node) - {name}):
            self._resolve(module, index, read)
        self._blocks.append(_source_of(index, node))

    def _resolve(self, module: str, index: _ModuleIndex, name: str) -> None:
        if name in index.definitions:
            self._add_name(module, name)
        elif name in index.imports:
            line = index.imports[name]
            if is_workbench(line.module):
                if line.alias and line.alias != line.name:
                    raise WorkbenchError(f"{module} imports '{line.name}' as '{line.alias}'")
                if not line.name:
                    raise WorkbenchError(f"{module} imports the module {line.module} whole")
                self._add_name(line.module, line.name)
            else:
                self.imports.add(line)
        # Anything else is a builtin or a local name: nothing to copy.


def _source_of(index: _ModuleIndex, node: ast.stmt) -> str:
    """The statement's source with its decorators and the comment lines right above it."""
    start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1
    while start > 0 and index.source_lines[start - 1].lstrip().startswith("#"):
        start -= 1
    assert node.end_lineno is not None
    return "\n".join(index.source_lines[start : node.end_lineno])
