"""Fixtures of the evidence tests: a local store, and streams that fail or never end."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from inquest.evidence.local import LocalStore


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "store", chunk_size=4096)


class PatternStream(io.RawIOBase):
    """``total`` bytes of a repeating pattern, made as they are read (no big buffer);
    ``fail_after`` raises an OSError once that many bytes were handed out."""

    def __init__(self, total: int, *, fail_after: int | None = None) -> None:
        self.total = total
        self.given = 0
        self.fail_after = fail_after
        self._pattern = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.fail_after is not None and self.given >= self.fail_after:
            raise OSError(5, "Input/output error (injected)")
        n = min(len(buffer), self.total - self.given)
        if len(self._pattern) < n + 251:
            self._pattern = bytes(range(251)) * (n // 251 + 2)
        start = self.given % 251
        buffer[:n] = memoryview(self._pattern)[start : start + n]
        self.given += n
        return n


def files_under(root: Path) -> list[Path]:
    """Every file under ``root``, sorted."""
    return sorted(p for p in root.rglob("*") if p.is_file())
