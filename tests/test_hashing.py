"""File hashes: SHA-256 and size, the same as hashing the bytes at once."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from inquest.hashing import file_sha256, sha256_file


@settings(max_examples=25)
@given(st.binary(max_size=3000))
def test_file_hash_is_the_hash_of_its_bytes(content: bytes) -> None:
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as folder:
        path = Path(folder) / "f.bin"
        path.write_bytes(content)
        expected = hashlib.sha256(content).hexdigest()
        assert file_sha256(path) == (expected, len(content))
        assert sha256_file(str(path)) == expected


def test_large_files_are_read_in_chunks(tmp_path: Path) -> None:
    content = bytes(range(256)) * 9000  # over two chunks
    path = tmp_path / "big.bin"
    path.write_bytes(content)
    assert file_sha256(path) == (hashlib.sha256(content).hexdigest(), len(content))
