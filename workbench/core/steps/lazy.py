"""Factories named by module and function, imported on their first call.

The step and model declarations are read by the desktop window (palette, forms, chain
validation), which must not pay for importing scikit-learn (~1 s): only fitting needs it, and
fitting runs in child processes. So each step family declares its steps in `<family>.py`,
which imports nothing heavy, and keeps its factories and custom transformers in
`<family>_impl.py`, and the models keep theirs in models/factories.py; a declaration names its
factory with `LazyFactory`, which imports the implementation module on the first call (when a
chain is compiled, when a model is built). The CLI names a job's function the same way
(`workbench report` draws its plots in a child process that imports the GUI; the CLI never does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any


@dataclass(frozen=True)
class LazyFactory:
    """`module.function` as a factory (a step's transformer factory, a model's estimator
    factory) or a job's function; a frozen dataclass, so it pickles as two names (the process
    that sends it never imports the module) and compares."""

    module: str
    function: str

    def resolve(self) -> Callable[..., Any]:
        """The real factory (imports its module, and so scikit-learn, on first use)."""
        return getattr(import_module(self.module), self.function)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)


def factories_in(module: str) -> Callable[[str], LazyFactory]:
    """A shorthand for one implementation module: `impl = factories_in(...)`, then
    `factory=impl("make_scale")`."""

    def named(function: str) -> LazyFactory:
        return LazyFactory(module, function)

    return named
