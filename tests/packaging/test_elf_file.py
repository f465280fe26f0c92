"""packaging/elf_file.py on the libraries of this environment's own wheels (Linux only)."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy
import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="ELF files: the Linux bundle only"
)

NUMPY = Path(numpy.__file__).parent


def _numpy_core() -> Path:
    return next((NUMPY / "_core").glob("_multiarray_umath.*.so"))


def _numpy_openblas() -> Path:
    found = sorted((NUMPY.parent / "numpy.libs").glob("libscipy_openblas*.so"))
    if not found:
        pytest.skip("this numpy wheel carries no OpenBLAS in numpy.libs")
    return found[0]


def test_needed_and_soname_of_a_wheel_library(elf_file: ModuleType) -> None:
    core = elf_file.read_elf(_numpy_core())
    openblas = elf_file.read_elf(_numpy_openblas())

    # numpy's core links the OpenBLAS that auditwheel renamed into numpy.libs, and the C library.
    assert openblas.soname == _numpy_openblas().name
    assert openblas.soname in core.needed
    assert "libc.so.6" in core.needed
    assert core.soname is None  # an extension module has no soname
    assert core.loads() and openblas.loads()


def test_not_an_elf_file(elf_file: ModuleType, tmp_path: Path) -> None:
    text = tmp_path / "README.txt"
    text.write_text("not a library")
    assert not elf_file.is_elf(text)
    with pytest.raises(ValueError, match="not an ELF file"):
        elf_file.read_elf(text)


@pytest.mark.skipif(shutil.which("strip") is None, reason="strip (binutils) not installed")
def test_stripped_openblas_no_longer_loads_and_the_check_says_so(
    elf_file: ModuleType, tmp_path: Path
) -> None:
    """The failure build.py guards against: strip rewrites the segments of the library
    auditwheel patched, and the loader would refuse it ("not page-aligned")."""
    stripped = tmp_path / "openblas.so"
    subprocess.run(
        ["strip", "--strip-unneeded", "-o", str(stripped), str(_numpy_openblas())], check=True
    )

    assert not elf_file.read_elf(stripped).loads()


@pytest.mark.skipif(shutil.which("strip") is None, reason="strip (binutils) not installed")
def test_a_stripped_extension_module_still_loads_and_is_smaller(
    elf_file: ModuleType, tmp_path: Path
) -> None:
    stripped = tmp_path / "core.so"
    subprocess.run(
        ["strip", "--strip-unneeded", "-o", str(stripped), str(_numpy_core())], check=True
    )

    assert elf_file.read_elf(stripped).loads()
    assert stripped.stat().st_size < _numpy_core().stat().st_size
    assert elf_file.read_elf(stripped).needed == elf_file.read_elf(_numpy_core()).needed


def test_a_misaligned_segment_is_refused(elf_file: ModuleType, tmp_path: Path) -> None:
    """Shift the first loadable segment's file offset by one byte: the congruence with its
    address breaks, as after strip on a patchelf'd library."""
    data = bytearray(_numpy_core().read_bytes())
    phoff = struct.unpack_from("<Q", data, 0x20)[0]
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for index in range(phnum):
        at = phoff + index * phentsize
        if struct.unpack_from("<I", data, at)[0] == elf_file.PT_LOAD:
            offset = struct.unpack_from("<Q", data, at + 8)[0]
            struct.pack_into("<Q", data, at + 8, offset + 1)
            break
    broken = tmp_path / "broken.so"
    broken.write_bytes(bytes(data))

    assert not elf_file.read_elf(broken).loads()
