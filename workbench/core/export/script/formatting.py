"""The exported script formatted as a person would leave it: ruff's import order and format.

ruff is asked for first (its Python package ships the binary; a `ruff` on PATH does too), then
black as a library; without either the script is written as generated, which is already laid
out in black's style apart from long lines. Line length 100, the project's own.
"""

from __future__ import annotations

import shutil
import subprocess

LINE_LENGTH = 100


def ruff_binary() -> str | None:
    """The ruff executable, or None when it is not installed."""
    try:
        from ruff.__main__ import find_ruff_bin

        return str(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        return shutil.which("ruff")


def format_source(text: str) -> str:
    """`text` with its imports sorted and formatted (ruff, else black, else unchanged)."""
    ruff = ruff_binary()
    if ruff is not None:
        common = ["--isolated", "--line-length", str(LINE_LENGTH), "--stdin-filename", "x.py"]
        sorted_text = _run([ruff, "check", "--fix-only", "--select", "I", *common, "-"], text)
        return _run([ruff, "format", *common, "-"], sorted_text)
    try:
        import black
    except ImportError:
        return text
    return black.format_str(text, mode=black.Mode(line_length=LINE_LENGTH))


def _run(command: list[str], text: str) -> str:
    done = subprocess.run(command, input=text, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{command[1]} failed on the generated script: {done.stderr.strip()}")
    return done.stdout
