"""One sha256 helper for data files, artifacts and the trust store, equal to hashlib's."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from workbench.core.errors import DataReadError
from workbench.core.file_digest import file_sha256, file_sha256_and_size, stream_sha256
from workbench.core.io.table import data_file_sha256


@pytest.mark.shared_data
def test_digest_and_size_equal_hashlib_and_stat(shared_data: Path) -> None:
    path = shared_data / "clean/adult-train.csv"
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    assert file_sha256_and_size(path) == (expected, path.stat().st_size)
    assert file_sha256(path) == data_file_sha256(path) == expected


def test_stream_digest_starts_at_the_handles_position(tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    path.write_bytes(b"header" + bytes(range(256)) * 5000)
    with path.open("rb") as handle:
        handle.seek(6)
        digest, size = stream_sha256(handle)
    assert (digest, size) == (hashlib.sha256(bytes(range(256)) * 5000).hexdigest(), 256 * 5000)


def test_a_missing_file_is_an_os_error_for_artifacts_and_one_line_for_data(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "gone.parquet"
    with pytest.raises(FileNotFoundError):
        file_sha256(missing)
    with pytest.raises(DataReadError, match=f"^file not found: {missing}$"):
        data_file_sha256(missing)
