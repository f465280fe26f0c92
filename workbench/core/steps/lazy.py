"""Step factories named by module and function, imported on their first call.

The step declarations are read by the desktop window (palette, forms, chain validation), which
must not pay for importing scikit-learn (~1 s): only fitting needs it, and fitting runs in
child processes. So each family declares its steps in `<family>.py`, which imports nothing
heavy, and keeps its factories and custom transformers in `<family>_impl.py`; a declaration
names its factory with `LazyFactory`, which imports the implementation module when the chain
is compiled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from workbench.core.steps.registry import TransformerFactory


@dataclass(frozen=True)
class LazyFactory:
    """`module.function` as a step factory; a frozen dataclass, so it pickles and compares."""

    module: str
    function: str

    def resolve(self) -> TransformerFactory:
        """The real factory (imports its module, and so scikit-learn, on first use)."""
        return getattr(import_module(self.module), self.function)

    def __call__(self, columns: tuple[str, ...], params: Mapping[str, Any]) -> Any:
        return self.resolve()(columns, params)


def factories_in(module: str) -> Callable[[str], LazyFactory]:
    """A shorthand for one implementation module: `impl = factories_in(...)`, then
    `factory=impl("make_scale")`."""

    def named(function: str) -> LazyFactory:
        return LazyFactory(module, function)

    return named
