"""Hashes of files: the one way the engine and the workbench fingerprint what they read and
write (imported lists, run artefacts, backups)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa
    from typing_extensions import Buffer

__all__ = ["file_sha256", "sha256_file", "table_sha256"]

_CHUNK = 1 << 20


def file_sha256(path: str | Path) -> tuple[str, int]:
    """The SHA-256 (hex) and size in bytes of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    size = 0
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def sha256_file(path: str | Path) -> str:
    """The SHA-256 (hex) of a file."""
    return file_sha256(path)[0]


class _Digest(io.RawIOBase):
    """A writable sink that hashes what is written to it."""

    def __init__(self) -> None:
        super().__init__()
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Buffer) -> int:
        view = memoryview(data)
        self.digest.update(view)
        return view.nbytes


def table_sha256(table: pa.Table) -> str:
    """The SHA-256 (hex) of an Arrow table's column names, types and values.

    The table is hashed as the Arrow IPC stream of its rows in batches of a fixed size, so
    the same values give the same hash however the table is chunked in memory.
    """
    import pyarrow as pa

    sink = _Digest()
    combined = table.replace_schema_metadata(None).combine_chunks()
    with pa.ipc.new_stream(pa.PythonFile(sink, mode="w"), combined.schema) as writer:
        for batch in combined.to_batches(max_chunksize=_ROWS):
            writer.write_batch(batch)
    return sink.digest.hexdigest()


_ROWS = 1 << 16
