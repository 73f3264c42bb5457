"""Export bundles (BagIt): round trip, tamper detection, safe names, checks without inquest."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import tarfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import bagit
import pytest
from hypothesis import given
from hypothesis import strategies as st

from inquest.evidence.bundle import (
    BundleError,
    BundleItem,
    CustodyAction,
    CustodyEntry,
    ItemDescription,
    archive_bundle,
    safe_name,
    verify_bundle,
    write_bundle,
)
from inquest.evidence.timestamps import (
    HashAlgorithm,
    TimestampAuthority,
    request_timestamp,
    retimestamp,
)
from inquest.text.scripts import BIDI_CONTROLS

from ._tsa import TestTSA

WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
RLO = "\u202e"


@pytest.fixture(scope="module")
def tsa() -> TestTSA:
    return TestTSA.make("Alpha TSA")


@pytest.fixture(scope="module")
def tsa2() -> TestTSA:
    return TestTSA.make("Beta")


def _item(
    data: bytes, name: str, item_id: str, tokens: tuple[tuple[object, ...], ...] = ()
) -> BundleItem:
    return BundleItem(
        source=lambda: io.BytesIO(data),
        sha256=hashlib.sha256(data).hexdigest(),
        sha512=hashlib.sha512(data).hexdigest(),
        size=len(data),
        description=ItemDescription(
            item_id=item_id,
            original_name=name,
            description="synthetic test item",
            media_type="application/octet-stream",
            acquired_by="investigator-7",
            acquired_at=WHEN,
            acquisition="from a witness",
            consent="given for the commission's use",
        ),
        custody=(
            CustodyEntry(WHEN, "investigator-7", CustodyAction.ACQUIRED, "field office", "intake"),
            CustodyEntry(WHEN, "clerk-2", CustodyAction.EXPORTED, "registry", "for prosecutor"),
        ),
        timestamps=tokens,  # type: ignore[arg-type]
    )


def _bundle(tmp_path: Path, tsa: TestTSA, tsa2: TestTSA) -> tuple[Path, list[TimestampAuthority]]:
    alpha = TimestampAuthority(tsa.name, "http://127.0.0.1:9/", tsa.ca_pem)
    beta = TimestampAuthority(
        tsa2.name, "http://127.0.0.1:9/", tsa2.ca_pem, hash_algorithm=HashAlgorithm.SHA3_512
    )
    one = b"first synthetic statement\n" * 100
    two = bytes(range(256)) * 50
    first = request_timestamp(hashlib.sha256(one).digest(), alpha, tsa.transport)
    renewal = retimestamp(first, hashlib.sha3_512(one).digest(), beta, tsa2.transport)
    items = [
        _item(one, "statement.txt", "EV-1", ((first, renewal),)),
        _item(two, f"photo{RLO}gpj.exe/../../etc\\x%.bin", "EV-2"),
    ]
    out = tmp_path / "bag"
    write_bundle(
        items, out, title="Case 12 export", prepared_by="clerk-2", authorities=[alpha, beta]
    )
    return out, [alpha, beta]


def test_round_trip_and_bagit_validates(tmp_path: Path, tsa: TestTSA, tsa2: TestTSA) -> None:
    bag, authorities = _bundle(tmp_path, tsa, tsa2)
    assert bagit.Bag(str(bag)).is_valid()
    for name in ("manifest-sha256.txt", "manifest-sha512.txt", "tagmanifest-sha256.txt"):
        assert (bag / name).is_file()
    check = verify_bundle(bag, authority_certs={a.name: a.certs_pem for a in authorities})
    assert check.ok, check.problems
    assert check.tokens_checked == 2
    assert check.files_checked == 2
    assert not check.tokens_trusted_from_bundle
    meta = json.loads((bag / "metadata/0001.json").read_text())
    assert meta["sha256"] == hashlib.sha256(b"first synthetic statement\n" * 100).hexdigest()
    assert [t["renews"] for t in meta["timestamps"]] == [None, meta["timestamps"][0]["file"]]
    custody = (bag / "custody/0001.jsonl").read_text().splitlines()
    assert [json.loads(line)["action"] for line in custody] == ["acquired", "exported"]
    # private files
    assert (bag / "data").stat().st_mode & 0o077 == 0
    assert (bag / meta["file"]).stat().st_mode & 0o077 == 0


def test_names_are_mapped_safely(tmp_path: Path, tsa: TestTSA, tsa2: TestTSA) -> None:
    bag, _ = _bundle(tmp_path, tsa, tsa2)
    data = sorted(p.name for p in (bag / "data").iterdir())
    assert len(data) == 2
    for name in data:
        assert not set(name) & (BIDI_CONTROLS | {"/", "\\", "%"})
    raw = (bag / "metadata/0002.json").read_text()
    assert RLO not in raw and "\\u202e" in raw  # escaped: shown, not obeyed
    meta = json.loads(raw)
    assert meta["original_name"] == f"photo{RLO}gpj.exe/../../etc\\x%.bin"
    assert meta["file"].startswith("data/0002-")
    assert list(bag.parent.iterdir()) == [bag]  # nothing written outside the bag


def test_tampered_payload_is_found(tmp_path: Path, tsa: TestTSA, tsa2: TestTSA) -> None:
    bag, authorities = _bundle(tmp_path, tsa, tsa2)
    target = bag / json.loads((bag / "metadata/0001.json").read_text())["file"]
    raw = bytearray(target.read_bytes())
    raw[10] ^= 0x01
    target.write_bytes(bytes(raw))
    check = verify_bundle(bag, authority_certs={a.name: a.certs_pem for a in authorities})
    assert not check.ok
    paths = {p.path for p in check.problems}
    assert any("0001-statement.txt" in p for p in paths)
    # the tokens no longer cover the item either
    assert any(p.endswith(".tsr") for p in paths)


def test_extra_and_missing_files_are_found(tmp_path: Path, tsa: TestTSA, tsa2: TestTSA) -> None:
    bag, _ = _bundle(tmp_path, tsa, tsa2)
    (bag / "data" / "planted.txt").write_bytes(b"x")
    check = verify_bundle(bag)
    assert any("planted.txt" in p.path for p in check.problems)
    assert check.tokens_trusted_from_bundle


def test_tampered_metadata_is_found(tmp_path: Path, tsa: TestTSA, tsa2: TestTSA) -> None:
    bag, _ = _bundle(tmp_path, tsa, tsa2)
    meta = bag / "custody/0002.jsonl"
    meta.write_text(meta.read_text().replace("clerk-2", "clerk-3"))
    assert any("custody/0002.jsonl" in p.path for p in verify_bundle(bag).problems)


def test_wrong_trust_anchor_fails_the_tokens(tmp_path: Path, tsa: TestTSA, tsa2: TestTSA) -> None:
    bag, _ = _bundle(tmp_path, tsa, tsa2)
    check = verify_bundle(bag, authority_certs={tsa.name: tsa2.ca_pem, tsa2.name: tsa2.ca_pem})
    assert [p.path.endswith("t1-Alpha TSA.tsr") for p in check.problems] == [True]


def test_stored_digest_mismatch_stops_the_export(tmp_path: Path) -> None:
    good = _item(b"abc", "a.txt", "EV-1")
    bad = BundleItem(
        source=lambda: io.BytesIO(b"abd"),
        sha256=good.sha256,
        sha512=good.sha512,
        size=3,
        description=ItemDescription("EV-2", "b.txt"),
    )
    with pytest.raises(BundleError, match="EV-2"):
        write_bundle([good, bad], tmp_path / "bag", title="t", prepared_by="p")
    assert list(tmp_path.iterdir()) == []  # all or nothing


def test_existing_output_refused(tmp_path: Path) -> None:
    (tmp_path / "bag").mkdir()
    with pytest.raises(BundleError, match="exists"):
        write_bundle([_item(b"a", "a", "1")], tmp_path / "bag", title="t", prepared_by="p")


def test_path_item_source(tmp_path: Path) -> None:
    source = tmp_path / "in.bin"
    source.write_bytes(b"from a path")
    item = _item(b"from a path", "in.bin", "EV-9")
    item = BundleItem(source, item.sha256, item.sha512, item.size, item.description)
    bundle = write_bundle([item], tmp_path / "out" / "bag", title="t", prepared_by="p")
    assert verify_bundle(bundle.path).ok


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="coreutils not installed")
def test_sha256sum_checks_the_manifests(tmp_path: Path, tsa: TestTSA, tsa2: TestTSA) -> None:
    bag, _ = _bundle(tmp_path, tsa, tsa2)
    for tool, manifest in (
        ("sha256sum", "manifest-sha256.txt"),
        ("sha512sum", "manifest-sha512.txt"),
        ("sha256sum", "tagmanifest-sha256.txt"),
        ("sha512sum", "tagmanifest-sha512.txt"),
    ):
        run = subprocess.run(
            [tool, "-c", "--strict", manifest], cwd=bag, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stdout + run.stderr
    target = bag / json.loads((bag / "metadata/0002.json").read_text())["file"]
    target.write_bytes(target.read_bytes() + b"!")
    run = subprocess.run(["sha256sum", "-c", "manifest-sha256.txt"], cwd=bag, capture_output=True)
    assert run.returncode != 0


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_readme_openssl_commands_verify_the_tokens(
    tmp_path: Path, tsa: TestTSA, tsa2: TestTSA
) -> None:
    bag, _ = _bundle(tmp_path, tsa, tsa2)
    readme = (bag / "README.txt").read_text()
    commands = [
        line.strip()[2:]
        for line in readme.splitlines()
        if line.strip().startswith("$ openssl") or line.strip().startswith("$ {")
    ]
    assert len(commands) == 2  # the token and its renewal
    for command in commands:
        run = subprocess.run(["bash", "-c", command], cwd=bag, capture_output=True, text=True)
        assert run.returncode == 0, command + run.stdout + run.stderr
        assert "Verification: OK" in run.stdout
    data = bag / json.loads((bag / "metadata/0001.json").read_text())["file"]
    data.write_bytes(b"changed")
    for command in commands:
        run = subprocess.run(["bash", "-c", command], cwd=bag, capture_output=True, text=True)
        assert run.returncode != 0


def test_archives_unpack_to_a_valid_bag(tmp_path: Path, tsa: TestTSA, tsa2: TestTSA) -> None:
    bag, _ = _bundle(tmp_path, tsa, tsa2)
    zipped = archive_bundle(bag, tmp_path / "bag.zip")
    tarred = archive_bundle(bag, tmp_path / "bag.tar", "tar")
    with zipfile.ZipFile(zipped) as z:
        z.extractall(tmp_path / "z")
    with tarfile.open(tarred) as t:
        t.extractall(tmp_path / "t", filter="data")
    assert verify_bundle(tmp_path / "z" / "bag").ok
    assert verify_bundle(tmp_path / "t" / "bag").ok


@given(st.text(max_size=300))
def test_safe_name_property(name: str) -> None:
    safe = safe_name(name)
    assert safe
    assert not set(safe) & (BIDI_CONTROLS | set('/\\%:*?"<>|\n\r\t\x00'))
    assert safe not in (".", "..") and not safe.startswith(".")
    assert len(safe.encode()) <= 150
    assert safe == safe_name(safe)


def test_safe_name_keeps_persian_and_extension() -> None:
    assert safe_name("گزارش شاهد ۱.pdf") == "گزارش شاهد ۱.pdf"
    assert safe_name("../../x.pdf") == "_.._x.pdf"
    assert safe_name("\u202e\u2066") == "item"
    assert safe_name("a" * 400 + ".jpeg").endswith(".jpeg")
