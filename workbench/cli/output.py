"""What the commands print: aligned tables for people, JSON for scripts.

JSON never holds NaN or Infinity (`allow_nan=False`): a script reading it with a strict parser
must not choke, so a value that cannot be a JSON number is a bug to fix where it is made.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(width, len(str(cell))) for width, cell in zip(widths, row, strict=True)]
    line = "  ".join(f"{h:<{w}}" for h, w in zip(headers, widths, strict=True))
    print(line)
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(f"{cell!s:<{w}}" for cell, w in zip(row, widths, strict=True)))


def print_json(payload: Any) -> None:
    json.dump(payload, sys.stdout, indent=2, ensure_ascii=False, allow_nan=False)
    sys.stdout.write("\n")
