"""Linux: shrink Qt's ICU data library (libicudata, 31 MB) to the part Qt reads.

PySide6's QtCore links ICU and calls it for four things only (its undefined symbols say so:
ucol_*, ucnv_*, u_strToUpper/Lower, ucal_*): collation (QCollator, which also sorts Qt's file
dialogs), legacy text codecs by name (QStringConverter), locale case mapping and time-zone
names. The data library also carries what ICU's own formatting, break iteration and
transliteration need (currency, language, region and unit names, per-locale formats...),
which Qt never asks for. bundle_config.keep_icu_item says what stays: the collation tree, the
Unicode properties and normalization, and the root-level tables (time zones, aliases,
supplemental data); also out are the legacy codecs, since the app reads every file through
Python and never asks Qt to decode one.

The data is an ICU "common data" package (a header, a sorted table of contents, 16-byte
aligned items) behind the exported symbol icudt<version>_dat. The package is rewritten with
the kept items and linked into a new libicudata with the same soname and symbol by binutils'
`as` and `ld` (no compiler needed). The selftest's "Qt collation" check then proves that
collation, the reason the data is there, still works in the built bundle.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import bundle_config as cfg
import elf_file

SYMBOL = re.compile(r"icudt\d+_dat")
ALIGN = 16


def read_package(blob: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """(header, [(item name, item bytes)]) of an ICU common data package (little-endian)."""
    header_size = struct.unpack_from("<H", blob, 0)[0]
    if blob[2:4] != b"\xda\x27":
        raise ValueError("not an ICU data package (no 0xda27 header)")
    if blob[12:16] != b"CmnD":
        raise ValueError(f"not an ICU common data package (format {blob[12:16]!r})")
    toc = blob[header_size:]
    count = struct.unpack_from("<I", toc, 0)[0]
    entries = [struct.unpack_from("<II", toc, 4 + 8 * index) for index in range(count)]
    items = []
    for index, (name_offset, data_offset) in enumerate(entries):
        end = entries[index + 1][1] if index + 1 < count else len(toc)
        name = toc[name_offset : toc.index(b"\0", name_offset)].decode("ascii")
        items.append((name, toc[data_offset:end]))
    return blob[:header_size], items


def write_package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    """The package for `items` (kept in their sorted order: ICU searches the names by bisection)."""
    names = b"".join(name.encode("ascii") + b"\0" for name, _data in items)
    names_start = 4 + 8 * len(items)
    data_start = _aligned(len(header) + names_start + len(names)) - len(header)
    # The items' bytes are gathered and joined once: appending each to one bytes object copied
    # the growing body every time (30 MB of ICU data, thousands of items: 8 s to write).
    entries, chunks = [], []
    name_at, body_size = names_start, 0
    for name, data in items:
        entries.append(struct.pack("<II", name_at, data_start + body_size))
        name_at += len(name) + 1
        padded = _aligned(len(data))
        chunks += (data, b"\0" * (padded - len(data)))
        body_size += padded
    toc = struct.pack("<I", len(items)) + b"".join(entries) + names
    padding = b"\0" * (data_start - len(toc))
    return b"".join((header, toc, padding, *chunks))


def _aligned(size: int) -> int:
    return -(-size // ALIGN) * ALIGN


def trimmed(blob: bytes) -> bytes:
    header, items = read_package(blob)
    return write_package(header, [(n, d) for n, d in items if cfg.keep_icu_item(n)])


def link_library(data: bytes, symbol: str, soname: str, target: Path, work: Path) -> None:
    """A shared library exporting `data` as the object `symbol`, built with as and ld."""
    work.mkdir(parents=True, exist_ok=True)
    blob = work / "icudata.dat"
    blob.write_bytes(data)
    source = work / "icudata.s"
    source.write_text(
        "\t.section .rodata\n"
        f"\t.globl {symbol}\n"
        f"\t.type {symbol}, @object\n"
        f"\t.balign {ALIGN}\n"
        f"{symbol}:\n"
        f'\t.incbin "{blob}"\n'
        f"\t.size {symbol}, . - {symbol}\n"
        '\t.section .note.GNU-stack,"",@progbits\n',
        encoding="ascii",
    )
    obj = work / "icudata.o"
    subprocess.run(["as", "-o", str(obj), str(source)], check=True)
    command = ["ld", "-shared", "-z", "noexecstack", "-soname", soname]
    subprocess.run([*command, "-o", str(target), str(obj)], check=True)


def tools_missing() -> list[str]:
    return [tool for tool in ("as", "ld") if shutil.which(tool) is None]


def trim_library(path: Path, work: Path) -> int:
    """Replace the ICU data library at `path` by a trimmed one; bytes saved."""
    library = elf_file.read_elf(path)
    symbol = next((name for name in library.symbols if SYMBOL.fullmatch(name)), None)
    if symbol is None or library.soname is None:
        raise ValueError(f"{path.name} exports no ICU data symbol")
    offset, size = library.symbols[symbol]
    data = trimmed(path.read_bytes()[offset : offset + size])
    before = path.stat().st_size
    replacement = work / path.name
    link_library(data, symbol, library.soname, replacement, work)
    shutil.copymode(path, replacement)
    replacement.replace(path)
    shutil.rmtree(work, ignore_errors=True)
    return before - path.stat().st_size
