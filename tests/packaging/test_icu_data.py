"""packaging/icu_data.py on the ICU data library of this environment's PySide6 (Linux)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PySide6 import QtCore

ICU_DATA = sorted((Path(QtCore.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not ICU_DATA,
    reason="the Linux PySide6 wheel's own ICU (libicudata)",
)


@pytest.fixture(scope="module")
def package(elf_file: ModuleType, icu_data: ModuleType) -> bytes:
    library = elf_file.read_elf(ICU_DATA[0])
    (symbol,) = [name for name in library.symbols if icu_data.SYMBOL.fullmatch(name)]
    offset, size = library.symbols[symbol]
    return ICU_DATA[0].read_bytes()[offset : offset + size]


def test_package_round_trip(icu_data: ModuleType, package: bytes) -> None:
    header, items = icu_data.read_package(package)
    names = [name for name, _data in items]

    again_header, again = icu_data.read_package(icu_data.write_package(header, items))

    assert again_header == header
    assert [name for name, _data in again] == names == sorted(names)  # ICU bisects the names
    # each item comes back whole (the writer pads to 16 bytes, as ICU's own tools do)
    assert all(new[: len(old)] == old for (_n, old), (_m, new) in zip(items, again, strict=True))
    assert any(name.endswith("/coll/de.res") for name in names)


def test_trim_keeps_collation_and_root_tables(icu_data: ModuleType, package: bytes) -> None:
    _header, kept = icu_data.read_package(icu_data.trimmed(package))
    names = {name.split("/", 1)[1] for name, _data in kept}

    assert {"coll/de.res", "coll/sv.res", "coll/root.res", "coll/ucadata.icu"} <= names
    assert {"root.res", "zoneinfo64.res", "supplementalData.res", "likelySubtags.res"} <= names
    assert not {"de.res", "en_US.res", "curr/de.res", "lang/de.res", "brkitr/de.res"} & names
    assert not [name for name in names if name.endswith(".cnv")]
    assert len(icu_data.trimmed(package)) < len(package) / 4


def test_keep_rules(bundle_config: ModuleType) -> None:
    keep = bundle_config.keep_icu_item
    assert keep("icudt73l/coll/de.res") and keep("icudt73l/root.res")
    assert keep("icudt73l/pool.res") and keep("icudt73l/metaZones.res")
    assert keep("icudt73l/nfkc.nrm") and keep("icudt73l/cnvalias.icu")
    assert not keep("icudt73l/de.res") and not keep("icudt73l/en_US_POSIX.res")
    assert not keep("icudt73l/es_419.res") and not keep("icudt73l/ff_Adlm_BF.res")
    assert not keep("icudt73l/zone/de.res") and not keep("icudt73l/unit/fr.res")
    assert not keep("icudt73l/ibm-943_P15A-2003.cnv") and not keep("icudt73l/unames.icu")


@pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in ("as", "ld")), reason="as and ld (binutils)"
)
def test_qt_collates_with_the_trimmed_library(
    icu_data: ModuleType, elf_file: ModuleType, tmp_path: Path
) -> None:
    """Build the trimmed library, put it in front of PySide6's own (LD_LIBRARY_PATH wins over
    Qt's RUNPATH) and sort with Qt: German and Swedish tailorings, Turkish case mapping."""
    library = tmp_path / "lib" / ICU_DATA[0].name
    library.parent.mkdir()
    shutil.copy2(ICU_DATA[0], library)

    saved = icu_data.trim_library(library, tmp_path / "work")

    assert saved > 20 * 2**20
    assert elf_file.read_elf(library).loads()
    assert elf_file.read_elf(library).soname == ICU_DATA[0].name
    script = (
        "from PySide6.QtCore import QCollator, QLocale\n"
        "de, sv = QCollator(QLocale('de_DE')), QCollator(QLocale('sv_SE'))\n"
        "print(de.compare('ä', 'b') < 0, de.compare('a', 'B') < 0, sv.compare('ä', 'z') > 0,\n"
        "      QLocale('tr_TR').toUpper('i'))\n"
        "print(sorted({l.split()[-1] for l in open('/proc/self/maps') if 'libicudata' in l}))\n"
    )
    env = dict(os.environ, LD_LIBRARY_PATH=str(library.parent))
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    answers, loaded = result.stdout.splitlines()
    assert answers == "True True True İ"
    assert loaded == repr([str(library)])
