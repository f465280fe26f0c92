"""Reading a run report back for the tests: its tables, figures, links and tag balance.

html.parser is the test's browser: if it cannot pair the report's tags, neither can a reader's.
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"meta", "img", "br", "hr", "link", "input"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass
class Parsed:
    title: str = ""
    tags: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    # section id -> tables (rows of cell texts) in that section
    tables: dict[str, list[list[list[str]]]] = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)  # section id -> its text
    figures: dict[str, str] = field(default_factory=dict)  # figure id -> img src
    unclosed: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)

    def table(self, section: str, index: int = 0) -> list[list[str]]:
        return self.tables[section][index]

    def row(self, section: str, first_cell: str, index: int = 0) -> list[str]:
        """The row of a section's table whose first cell starts with `first_cell`."""
        for row in self.table(section, index):
            if row and row[0].startswith(first_cell):
                return row
        raise AssertionError(f"no row '{first_cell}' in {section} table {index}")


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parsed = Parsed()
        self.stack: list[str] = []
        self.section = ""
        self.figure = ""
        self.in_title = False
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.parsed.tags.append((tag, attributes))
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "section":
            self.section = attributes.get("id", "")
        elif tag == "title":
            self.in_title = True
        elif tag == "table":
            self.parsed.tables.setdefault(self.section, []).append([])
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "figure":
            self.figure = attributes.get("id", "")
        elif tag == "img" and self.figure:
            self.parsed.figures[self.figure] = attributes.get("src", "")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.parsed.mismatched.append(tag)
        else:
            self.stack.pop()
        if tag == "title":
            self.in_title = False
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.parsed.tables[self.section][-1].append(self.row)
            self.row = None
        elif tag == "figure":
            self.figure = ""

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.parsed.title += data
        if self.cell is not None:
            self.cell.append(data)
        if self.section:
            self.parsed.text[self.section] = self.parsed.text.get(self.section, "") + data


def parse_report(text: str) -> Parsed:
    reader = _Reader()
    reader.feed(text)
    reader.close()
    reader.parsed.unclosed = list(reader.stack)
    return reader.parsed


def png_size(src: str) -> tuple[int, int]:
    """Width and height of a data-URI PNG, read from its IHDR chunk after checking its header."""
    prefix = "data:image/png;base64,"
    assert src.startswith(prefix), src[:40]
    data = base64.b64decode(src[len(prefix) :], validate=True)
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height
