"""What an exported script is made of: stages, each a markdown note and its code.

The script and the notebook are two layouts of the same `ScriptDocument`: the script puts the
definitions at module level and the steps of the run inside `main()`; the notebook gives every
stage a markdown cell and a code cell and runs the steps at top level. One document, two
layouts, so the two cannot drift apart.
"""

from __future__ import annotations

import sys
import textwrap
from dataclasses import dataclass, field

from workbench.core.export.script.bundle import ImportLine


@dataclass(frozen=True)
class Stage:
    """One stage of the run: a title, why it is done this way (markdown, also written as a
    comment in the script), and its code (definitions; or statements when `runs`)."""

    title: str
    note: str
    code: str
    runs: bool = False


@dataclass
class ScriptDocument:
    """The whole export: a docstring, imports, stages in order. `main_arguments` are the
    parameters `main()` takes in the script; a notebook's first step cell assigns them."""

    docstring: str
    imports: set[ImportLine] = field(default_factory=set)
    stages: list[Stage] = field(default_factory=list)
    main_arguments: list[tuple[str, str]] = field(default_factory=list)

    def import_block(self) -> str:
        """The imports, stdlib first, then third-party, each group sorted as isort does."""

        def key(line: ImportLine) -> tuple[int, str, str]:
            return (0 if line.name == "" else 1, line.module, line.name)

        stdlib = [i for i in self.imports if i.module.split(".")[0] in sys.stdlib_module_names]
        others = [i for i in self.imports if i not in stdlib]
        groups = [sorted(group, key=key) for group in (stdlib, others) if group]
        future = "from __future__ import annotations"
        return "\n\n".join([future, *("\n".join(i.text() for i in group) for group in groups)])

    def script(self) -> str:
        parts = [f'"""{self.docstring}"""', self.import_block()]
        body: list[str] = []
        for stage in self.stages:
            if stage.runs:
                body.append(_comment(stage.title, stage.note, indent=4) + "\n" + stage.code)
            else:
                parts.append(_comment(stage.title, stage.note) + "\n" + stage.code)
        signature = ", ".join(f"{name}: str = {default}" for name, default in self.main_arguments)
        main = f"def main({signature}) -> None:\n"
        main += '    """Reproduce the run: read, split, validate, fit, test, save."""\n'
        main += textwrap.indent("\n\n".join(body), "    ")
        parts.append(main)
        names = [name for name, _ in self.main_arguments]
        call = (
            'if __name__ == "__main__":\n'
            f"    # python this_script.py [{'] ['.join(n.upper() for n in names)}]\n"
            f"    main(*sys.argv[1:{len(names) + 1}])"
        )
        parts.append(call)
        return "\n\n\n".join(parts) + "\n"

    def notebook_cells(self) -> list[tuple[str, str]]:
        """(kind, text) cells: "markdown" or "code"."""
        cells = [("markdown", self.docstring.strip()), ("code", self.import_block())]
        arguments = "\n".join(f"{name} = {default}" for name, default in self.main_arguments)
        first_step = True
        for stage in self.stages:
            cells.append(("markdown", f"## {stage.title}\n\n{stage.note}"))
            code = stage.code
            if stage.runs and first_step:
                code, first_step = arguments + "\n\n" + code, False
            cells.append(("code", code))
        return cells


def _comment(title: str, note: str, indent: int = 0) -> str:
    """A stage's heading and note as comment lines that fit in 100 columns at `indent`."""
    lines = [f"# --- {title} " + "-" * max(3, 93 - indent - len(title))]
    wrapped = textwrap.wrap(note, width=98 - indent) if note else []
    lines += [f"# {line}" for line in wrapped]
    return "\n".join(lines)
