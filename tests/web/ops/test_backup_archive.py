"""The backup container, in this process and without a database (tests/web/ops/test_backup.py
does the round trip): every kind of damage is refused before anything is restored."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from inquest.errors import ConfigError
from inquest.web.ops import backup
from inquest.web.ops.backup import BackupError, BackupKey

KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="


def _write(tmp_path: Path, key: BackupKey) -> Path:
    big = tmp_path / "big.bin"
    big.write_bytes(bytes(range(256)) * 9000)  # more than two segments
    small = tmp_path / "list.csv"
    small.write_text("given_name\nنمونه\n", encoding="utf-8")
    out = tmp_path / "a.backup"
    entries = [("database/dump.json", small), ("files/runs/big.bin", big)]
    backup.write_archive(out, key, entries, {"tables": {"t": {"rows": 1, "sha256": "x"}}})
    return out


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, BackupKey]:
    key = backup.key_from_secret(KEY, where="test")
    return _write(tmp_path, key), key


def test_a_good_archive_opens_with_its_manifest(archive: tuple[Path, BackupKey]) -> None:
    path, key = archive
    assert "نمونه".encode() not in path.read_bytes()
    with backup.open_archive(path, key=key) as opened:
        manifest = opened.manifest
        assert {f["path"] for f in manifest["files"]} == {
            "database/dump.json",
            "files/runs/big.bin",
        }
        assert manifest["tables"]["t"]["rows"] == 1
        assert (opened.folder / "files/runs/big.bin").stat().st_size == 256 * 9000


def _segments(data: bytes) -> tuple[bytes, list[bytes]]:
    (size,) = struct.unpack(">I", data[15:19])
    head, rest = data[: 19 + size], data[19 + size :]
    segments = []
    while rest:
        (n,) = struct.unpack(">I", rest[:4])
        segments.append(rest[: 4 + n])
        rest = rest[4 + n :]
    return head, segments


def _damage(path: Path, how: str) -> None:
    head, segments = _segments(path.read_bytes())
    assert len(segments) >= 2
    if how == "truncated":
        segments = segments[:-1]
    elif how == "reordered":
        segments[0], segments[1] = segments[1], segments[0]
    elif how == "header":
        head = head.replace(b'"segment": 1048576', b'"segment": 1048577')
    elif how == "extended":
        segments.append(segments[-1])
    path.write_bytes(head + b"".join(segments))


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("truncated", "cut off"),
        ("reordered", "fails authentication"),
        ("header", "fails authentication"),
        ("extended", "after the last segment"),
    ],
)
def test_damage_is_refused(archive: tuple[Path, BackupKey], how: str, message: str) -> None:
    path, key = archive
    _damage(path, how)
    with pytest.raises(BackupError, match=message), backup.open_archive(path, key=key):
        pytest.fail("a damaged archive opened")


def test_the_wrong_key_and_a_missing_passphrase_are_named(
    archive: tuple[Path, BackupKey],
) -> None:
    path, _ = archive
    other = backup.key_from_secret("ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=", where="t")
    with pytest.raises(ConfigError, match="written with key"), backup.open_archive(path, key=other):
        pytest.fail("opened")
    with pytest.raises(ConfigError, match="with a key"), backup.open_archive(path, key=None):
        pytest.fail("opened")


def test_passphrase_archives(tmp_path: Path) -> None:
    key = backup.key_from_passphrase("synthetic passphrase 42")
    out = _write(tmp_path, key)
    with backup.open_archive(out, key=None, passphrase="synthetic passphrase 42") as opened:
        assert opened.manifest["tables"]["t"]["rows"] == 1
    with (
        pytest.raises(BackupError, match="fails authentication"),
        backup.open_archive(out, key=None, passphrase="synthetic passphrase 43"),
    ):
        pytest.fail("opened")
    with pytest.raises(ConfigError, match="at least 12"):
        backup.key_from_passphrase("short")


@pytest.mark.parametrize(
    ("url", "root", "elsewhere"),
    [
        ("file:///srv/inquest/evidence", Path("/srv/inquest/evidence"), ""),
        ("/srv/inquest/evidence", Path("/srv/inquest/evidence"), ""),
        (
            "s3://evidence-bucket/commission?endpoint=http://127.0.0.1:9000&lock=governance",
            None,
            "s3://evidence-bucket/commission",
        ),
    ],
)
def test_a_store_that_is_not_a_local_folder_is_named_not_archived(
    settings: object, url: str, root: Path | None, elsewhere: str
) -> None:
    """A local store's originals go into the archive (its round trip: tests/web/evidence/
    test_backup_round_trip.py); an S3 store's do not, and the backup names it, without the
    URL's options (an endpoint is configuration, not something to publish in a manifest)."""
    settings.INQUEST_EVIDENCE_STORE = url  # type: ignore[attr-defined]
    found = backup.evidence_root()
    assert (found is None) == (root is None)
    assert backup.evidence_elsewhere() == elsewhere
