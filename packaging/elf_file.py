"""Just enough of the ELF format for the Linux bundle: what a library needs, and whether it loads.

Two questions build.py and the spec ask of every Linux binary in the bundle:
- which shared libraries it names (DT_NEEDED), to keep only the libraries something needs and to
  list what the bundle takes from the system (the .deb's dependencies);
- whether its loadable segments still satisfy the loader, i.e. `p_vaddr == p_offset` modulo
  `p_align` with a page-multiple alignment. `strip` breaks this on libraries that auditwheel
  rewrote with patchelf (numpy's OpenBLAS then fails with "ELF load command address/offset not
  page-aligned"), so a stripped copy is kept only when this still holds.

Standard library only (no binutils needed to read), both ELF classes and byte orders.
Loaded by file path like bundle_config: the folder is not a package.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

MAGIC = b"\x7fELF"
PT_LOAD = 1
PT_DYNAMIC = 2
DT_NULL = 0
DT_NEEDED = 1
DT_STRTAB = 5
DT_SONAME = 14
SHT_DYNSYM = 11
PAGE = 4096


@dataclass(frozen=True)
class Segment:
    kind: int
    offset: int
    vaddr: int
    filesz: int
    align: int


@dataclass(frozen=True)
class ElfFile:
    """The parts of an ELF file read here: program headers and the dynamic section's names."""

    path: Path
    segments: tuple[Segment, ...]
    needed: tuple[str, ...]
    soname: str | None
    # exported (defined) dynamic symbols: name -> (file offset, size)
    symbols: dict[str, tuple[int, int]]

    def loads(self) -> bool:
        """True when every loadable segment meets the loader's alignment rules."""
        size = self.path.stat().st_size
        for segment in self.segments:
            if segment.kind != PT_LOAD:
                continue
            if segment.align % PAGE or (segment.vaddr - segment.offset) % segment.align:
                return False
            if segment.offset + segment.filesz > size:
                return False
        return True


def is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == MAGIC
    except OSError:
        return False


def read_elf(path: Path) -> ElfFile:
    """Parse `path`; ValueError when it is not an ELF file or is cut short."""
    data = path.read_bytes()
    if data[:4] != MAGIC or len(data) < 64:
        raise ValueError(f"{path} is not an ELF file")
    wide = data[4] == 2
    order = "<" if data[5] == 1 else ">"
    if wide:
        phoff = struct.unpack_from(order + "Q", data, 0x20)[0]
        phentsize, phnum = struct.unpack_from(order + "HH", data, 0x36)
    else:
        phoff = struct.unpack_from(order + "I", data, 0x1C)[0]
        phentsize, phnum = struct.unpack_from(order + "HH", data, 0x2A)
    segments = tuple(
        _segment(data, phoff + index * phentsize, order, wide) for index in range(phnum)
    )
    needed, soname = _dynamic_names(data, segments, order, wide)
    symbols = _dynamic_symbols(data, segments, order, wide)
    return ElfFile(path=path, segments=segments, needed=needed, soname=soname, symbols=symbols)


def _segment(data: bytes, at: int, order: str, wide: bool) -> Segment:
    if wide:
        kind, _flags, offset, vaddr, _paddr, filesz, _memsz, align = struct.unpack_from(
            order + "IIQQQQQQ", data, at
        )
    else:
        kind, offset, vaddr, _paddr, filesz, _memsz, _flags, align = struct.unpack_from(
            order + "IIIIIIII", data, at
        )
    return Segment(kind, offset, vaddr, filesz, max(align, 1))


def _file_offset(segments: tuple[Segment, ...], vaddr: int) -> int:
    for segment in segments:
        if segment.kind == PT_LOAD and segment.vaddr <= vaddr < segment.vaddr + segment.filesz:
            return vaddr - segment.vaddr + segment.offset
    raise ValueError(f"address {vaddr:#x} is in no loadable segment")


def _dynamic_names(
    data: bytes, segments: tuple[Segment, ...], order: str, wide: bool
) -> tuple[tuple[str, ...], str | None]:
    dynamic = next((s for s in segments if s.kind == PT_DYNAMIC), None)
    if dynamic is None:
        return (), None  # a static executable
    entry = struct.Struct(order + ("qQ" if wide else "iI"))
    entries = []
    for at in range(dynamic.offset, dynamic.offset + dynamic.filesz, entry.size):
        tag, value = entry.unpack_from(data, at)
        if tag == DT_NULL:
            break
        entries.append((tag, value))
    strtab = next((value for tag, value in entries if tag == DT_STRTAB), None)
    if strtab is None:
        return (), None
    base = _file_offset(segments, strtab)

    def string(offset: int) -> str:
        start = base + offset
        return data[start : data.index(b"\0", start)].decode("utf-8", "replace")

    needed = tuple(string(value) for tag, value in entries if tag == DT_NEEDED)
    soname = next((string(value) for tag, value in entries if tag == DT_SONAME), None)
    return needed, soname


def _dynamic_symbols(
    data: bytes, segments: tuple[Segment, ...], order: str, wide: bool
) -> dict[str, tuple[int, int]]:
    """Defined symbols of .dynsym (found through the section headers), with file offsets."""
    if wide:
        shoff = struct.unpack_from(order + "Q", data, 0x28)[0]
        shentsize, shnum = struct.unpack_from(order + "HH", data, 0x3A)
        section = struct.Struct(order + "IIQQQQIIQQ")
        symbol = struct.Struct(order + "IBBHQQ")
    else:
        shoff = struct.unpack_from(order + "I", data, 0x20)[0]
        shentsize, shnum = struct.unpack_from(order + "HH", data, 0x2E)
        section = struct.Struct(order + "IIIIIIIIII")
        symbol = struct.Struct(order + "IIIBBH")
    if shoff == 0 or shoff + shnum * shentsize > len(data):
        return {}  # no section headers (stripped of them): nothing to look up
    headers = [section.unpack_from(data, shoff + i * shentsize) for i in range(shnum)]
    symbols: dict[str, tuple[int, int]] = {}
    for header in headers:
        if header[1] != SHT_DYNSYM:
            continue
        offset, size, link = header[4], header[5], header[6]
        strings = headers[link][4]
        for at in range(offset, offset + size, symbol.size):
            fields = symbol.unpack_from(data, at)
            if wide:
                name, _info, _other, shndx, value, length = fields
            else:
                name, value, length, _info, _other, shndx = fields
            if shndx == 0 or name == 0:
                continue  # undefined, or the null symbol
            end = data.index(b"\0", strings + name)
            text = data[strings + name : end].decode("utf-8", "replace")
            try:
                symbols[text] = (_file_offset(segments, value), length)
            except ValueError:
                continue  # in no file-backed segment (.bss)
    return symbols
