"""Intake: checks before storing (zero bytes, size, names, types, archives), folder order,
and all-or-nothing adds."""

from __future__ import annotations

import io
import os
import struct
import unicodedata
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from inquest.errors import InputError, InputErrors
from inquest.evidence.intake import (
    MAX_NAME_CHARS,
    Acquisition,
    FlagKind,
    OriginalName,
    add_paths,
    add_stream,
    check_file,
    check_paths,
    safe_name,
    sniff,
    zip_summary,
)
from inquest.evidence.local import LocalStore
from inquest.evidence.vocabulary import AcquisitionMethod, ConsentStatus
from inquest.text.scripts import BIDI_CONTROLS

from .conftest import files_under

ACQ = Acquisition(
    acquired_by="investigator 7",
    acquired_at=datetime(2026, 11, 30, 14, 0, tzinfo=UTC),
    method=AcquisitionMethod.FROM_FAMILY,
    consent=ConsentStatus.GIVEN_WITH_RESTRICTIONS,
    restrictions=("not to be published",),
    description="synthetic test material",
)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 30)).save(out, "PNG")
    return out.getvalue()


def _kinds(flags: Any) -> set[FlagKind]:
    return {f.kind for f in flags}


# -- names ----------------------------------------------------------------------------------


def test_a_name_with_bidi_controls_is_kept_verbatim_and_shown_safe() -> None:
    # "RLO" makes "photo‮gpj.exe" look like "photoexe.jpg" to a reader.
    name = OriginalName.of("photo\u202egpj.exe")
    assert name.original == "photo\u202egpj.exe"
    assert name.display == "photogpj.exe"
    assert FlagKind.NAME_BIDI_CONTROLS in _kinds(name.flags)


@pytest.mark.parametrize(
    ("given_name", "display"),
    [
        ("../../etc/passwd", "_.._etc_passwd"),
        ("C:\\Users\\field\\photo.jpg", "C:_Users_field_photo.jpg"),
    ],
)
def test_path_separators_never_reach_the_display_name(given_name: str, display: str) -> None:
    name = OriginalName.of(given_name)
    assert name.original == given_name
    assert name.display == display
    assert FlagKind.NAME_PATH_SEPARATORS in _kinds(name.flags)


def test_a_persian_name_keeps_its_joiners() -> None:
    name = OriginalName.of("نامه\u200cها.pdf")
    assert name.display == "نامه\u200cها.pdf"
    assert name.flags == ()


def test_a_long_name_keeps_its_extension() -> None:
    display = safe_name("x" * 500 + ".jpeg")
    assert len(display) <= MAX_NAME_CHARS and display.endswith("….jpeg")


def test_a_name_that_is_not_utf8_keeps_its_bytes_escaped(tmp_path: Path) -> None:
    raw = os.fsdecode(b"scan-\xff.pdf")
    name = OriginalName.of(raw)
    assert name.original == "scan-\\xff.pdf"
    assert FlagKind.NAME_ALTERED in _kinds(name.flags)


@given(st.text(max_size=400))
def test_safe_name_properties(name: str) -> None:
    shown = safe_name(name)
    assert shown  # never empty
    assert len(shown) <= MAX_NAME_CHARS
    assert not set(shown) & (BIDI_CONTROLS | {"/", "\\"})
    assert not any(unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") for c in shown)
    assert shown == unicodedata.normalize("NFC", shown)
    assert shown == shown.strip(" .") or shown == "unnamed"
    assert safe_name(shown) == shown  # a fixed point


@given(st.from_regex(r"[A-Za-z0-9آ-ی][A-Za-z0-9 _\-آ-ی]{0,40}[A-Za-z0-9آ-ی]", fullmatch=True))
def test_safe_name_leaves_plain_names_alone(name: str) -> None:
    plain = " ".join(unicodedata.normalize("NFC", name).split())
    assert safe_name(plain) == plain


# -- types ----------------------------------------------------------------------------------


def test_an_image_that_claims_to_be_a_pdf_is_flagged() -> None:
    content, flags = sniff(_png(), "court-order.pdf")
    assert content.sniffed_mime == "image/png"
    assert content.claimed_mime == "application/pdf"
    assert FlagKind.TYPE_MISMATCH in _kinds(flags)
    assert "image/png" in next(f.detail for f in flags if f.kind is FlagKind.TYPE_MISMATCH)


def test_matching_and_unknown_types_are_not_flagged() -> None:
    assert sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "order.pdf")[1] == ()
    assert sniff(_png(), "PHOTO.PNG")[1] == ()
    assert sniff(b"name,date\nA,1367\n", "list.csv")[1] == ()
    assert sniff(_png(), "no-extension")[1] == ()


def test_a_name_claiming_a_signed_type_without_the_signature_is_flagged() -> None:
    _, flags = sniff(b"just some text, not a PDF", "statement.pdf")
    assert _kinds(flags) == {FlagKind.TYPE_UNVERIFIED}


def test_an_office_file_is_a_zip_inside() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<x/>")
    assert FlagKind.TYPE_MISMATCH not in _kinds(sniff(out.getvalue(), "report.odt")[1])


# -- archives -------------------------------------------------------------------------------


def _zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def test_a_zip_bomb_is_flagged_and_stored_unopened(store: LocalStore, tmp_path: Path) -> None:
    bomb = _zip_of({"zeros.bin": bytes(100 * 1024**2)})
    assert len(bomb) < 200_000
    path = tmp_path / "photos.zip"
    path.write_bytes(bomb)
    [result] = add_paths([path], store, ACQ)
    checked = result.checked
    assert checked.archive is not None
    assert checked.archive.declared_size == 100 * 1024**2
    assert {FlagKind.ARCHIVE, FlagKind.ARCHIVE_SUSPICIOUS} <= _kinds(checked.flags)
    # One opaque original, byte for byte; nothing unpacked anywhere in the store.
    assert files_under(store.root / "objects") == [store.path(result.digests.sha256)]
    assert store.path(result.digests.sha256).read_bytes() == bomb


def test_a_zip_declaring_millions_of_members_is_not_listed() -> None:
    # An end record alone, claiming 65,000 entries in a 60 MiB directory, then zip64's
    # claim of 10 million: neither directory is read.
    eocd = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 65_000, 65_000, 60 * 1024**2, 0, 0)
    assert zip_summary(io.BytesIO(eocd), len(eocd)).flags[0].kind is FlagKind.ARCHIVE_NOT_LISTED
    rec = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, 10**7, 10**7, 1, 0)
    loc = struct.pack("<4sIQI", b"PK\x06\x07", 0, 0, 1)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0, 0)
    data = rec + loc + end
    summary = zip_summary(io.BytesIO(data), len(data))
    assert summary.entries == 10**7 and summary.listed == ()
    assert FlagKind.ARCHIVE_SUSPICIOUS in _kinds(summary.flags)


def test_overlapping_zip_members_are_flagged() -> None:
    data = bytearray(_zip_of({"a.txt": b"a" * 1000, "b.txt": b"b" * 1000}))
    # Point the second central directory entry at the first member (a non-recursive bomb).
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 42 : cd + 46] = struct.pack("<I", 0)
    summary = zip_summary(io.BytesIO(bytes(data)), len(data))
    assert summary.entries == 2
    assert any("overlap" in f.detail for f in summary.flags)


def test_a_broken_zip_is_kept_with_a_flag(tmp_path: Path) -> None:
    path = tmp_path / "broken.zip"
    path.write_bytes(b"PK\x03\x04" + os.urandom(500))
    checked = check_file(path)
    assert checked.archive is not None
    assert FlagKind.ARCHIVE_NOT_LISTED in _kinds(checked.flags)


# -- checking and adding --------------------------------------------------------------------


def test_zero_bytes_and_oversize_files_are_refused_naming_each(
    store: LocalStore, tmp_path: Path
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.jpg").write_bytes(b"")
    (tmp_path / "in" / "big.mov").write_bytes(b"v" * 5000)
    (tmp_path / "in" / "fine.txt").write_bytes(b"ok")
    with pytest.raises(InputErrors) as caught:
        add_paths([tmp_path / "in"], store, ACQ, max_size=1000)
    reasons = {Path(p.path or "").name: p.reason for p in caught.value}
    assert set(reasons) == {"empty.jpg", "big.mov"}
    assert "zero bytes" in reasons["empty.jpg"] and "1,000" in reasons["big.mov"]
    assert files_under(store.root / "objects") == []


def test_a_20_gb_file_over_the_maximum_is_refused_unread(store: LocalStore, tmp_path: Path) -> None:
    huge = tmp_path / "in" / "cctv.mp4"
    huge.parent.mkdir()
    with huge.open("wb") as out:
        out.truncate(20 * 10**9)  # sparse: no disk used, no time spent
    with pytest.raises(InputErrors, match=r"cctv\.mp4: 20,000,000,000 bytes, larger"):
        add_paths([huge.parent], store, ACQ, max_size=10 * 1024**3)
    assert files_under(store.root / "staging") == []


def test_a_folder_is_added_in_sorted_order_with_relative_paths(
    store: LocalStore, tmp_path: Path
) -> None:
    top = tmp_path / "case 12"
    for rel in ["b.txt", "a/z.txt", "A.txt", "a/b/c.txt", "شهادت.txt", "a/b.txt"]:
        (top / rel).parent.mkdir(parents=True, exist_ok=True)
        (top / rel).write_text(f"content of {rel}")
    results = add_paths([top], store, ACQ)
    assert [r.checked.relative for r in results] == [
        "case 12/A.txt",
        "case 12/a/b/c.txt",  # part by part: folder "b" sorts before "b.txt"
        "case 12/a/b.txt",
        "case 12/a/z.txt",
        "case 12/b.txt",
        "case 12/شهادت.txt",
    ]
    assert all(r.created and r.acquisition is ACQ for r in results)
    assert len(list(store.addresses())) == 6
    assert add_paths([top], store, ACQ)[0].created is False  # again: nothing new


def test_symbolic_links_are_refused_not_followed(store: LocalStore, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the folder")
    top = tmp_path / "folder"
    top.mkdir()
    (top / "real.txt").write_text("real")
    (top / "link.txt").symlink_to(secret)
    (top / "dir-link").symlink_to(tmp_path)
    with pytest.raises(InputErrors) as caught:
        add_paths([top], store, ACQ)
    assert sorted(Path(p.path or "").name for p in caught.value) == ["dir-link", "link.txt"]
    assert list(store.addresses()) == []


def test_an_unreadable_folder_is_reported_not_skipped(
    store: LocalStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    top = tmp_path / "in"
    (top / "locked").mkdir(parents=True)
    (top / "ok.txt").write_text("fine")
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:
        if Path(path).name == "locked":  # root reads any folder: refuse it here instead
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(InputErrors, match=r"locked: folder cannot be read"):
        add_paths([top], store, ACQ)
    assert list(store.addresses()) == []


def test_a_failure_while_copying_stores_nothing(
    store: LocalStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(4):
        (tmp_path / f"{i}.txt").write_text(f"file {i}")
    real_stage = store.stage
    calls = []

    def failing_stage(source: Any, **kw: Any) -> Any:
        calls.append(source)
        if len(calls) == 3:
            raise OSError(5, "Input/output error (injected)")
        return real_stage(source, **kw)

    monkeypatch.setattr(store, "stage", failing_stage)
    with pytest.raises(OSError, match="injected"):
        add_paths(sorted(tmp_path.glob("*.txt")), store, ACQ)
    assert files_under(store.root / "objects") == []
    assert files_under(store.root / "staging") == []


def test_a_file_that_grows_past_the_maximum_while_copied_stores_nothing(
    store: LocalStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, growing = tmp_path / "a.txt", tmp_path / "b.log"
    first.write_text("first")
    growing.write_bytes(b"x" * 100)
    real_stage = store.stage

    def stage_after_growth(source: Any, **kw: Any) -> Any:
        if source == growing:
            growing.write_bytes(b"x" * 5000)
        return real_stage(source, **kw)

    monkeypatch.setattr(store, "stage", stage_after_growth)
    with pytest.raises(InputError, match=r"b\.log.*larger than the maximum"):
        add_paths([first, growing], store, ACQ, max_size=1000)
    assert files_under(store.root / "objects") == []
    assert files_under(store.root / "staging") == []


def test_duplicates_in_a_batch_are_stored_once(store: LocalStore, tmp_path: Path) -> None:
    top = tmp_path / "in"
    top.mkdir()
    (top / "one.jpg").write_bytes(_png())
    (top / "copy.jpg").write_bytes(_png())
    results = add_paths([top / "one.jpg", top / "copy.jpg", top], store, ACQ)
    assert [r.checked.name.original for r in results] == ["one.jpg", "copy.jpg"]  # each file once
    assert [r.created for r in results] == [True, False]
    assert results[0].digests == results[1].digests


def test_the_checks_report_types_and_names(tmp_path: Path) -> None:
    path = tmp_path / "scan\u202e.pdf"
    path.write_bytes(_png())
    [checked] = check_paths([path])
    assert {FlagKind.TYPE_MISMATCH, FlagKind.NAME_BIDI_CONTROLS} <= _kinds(checked.flags)
    assert checked.name.original == "scan\u202e.pdf"
    assert checked.size == len(_png())


def test_the_store_is_never_added_to_itself(store: LocalStore, tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_text("a note")
    with pytest.raises(InputErrors, match="inside the evidence store"):
        add_paths([tmp_path], store, ACQ)
    assert list(store.addresses()) == []


def test_an_upload_is_stored_and_described(store: LocalStore) -> None:
    result = add_stream(io.BytesIO(_png()), "C:\\scans\\order\u202e.pdf", store, ACQ)
    assert result.created and result.checked.path is None
    assert result.checked.name.original == "C:\\scans\\order\u202e.pdf"
    assert result.checked.name.display == "C:_scans_order.pdf"
    assert {
        FlagKind.TYPE_MISMATCH,
        FlagKind.NAME_BIDI_CONTROLS,
        FlagKind.NAME_PATH_SEPARATORS,
    } <= _kinds(result.checked.flags)
    assert store.path(result.digests.sha256).read_bytes() == _png()


def test_an_empty_or_oversize_upload_stores_nothing(store: LocalStore) -> None:
    with pytest.raises(InputError, match=r"empty\.jpg: zero bytes"):
        add_stream(io.BytesIO(b""), "empty.jpg", store, ACQ)
    with pytest.raises(InputError, match=r"big\.mov: larger than the maximum of 1,000"):
        add_stream(io.BytesIO(b"v" * 5000), "big.mov", store, ACQ, max_size=1000)
    assert files_under(store.root / "objects") == []
    assert files_under(store.root / "staging") == []


def test_acquisition_is_checked() -> None:
    with pytest.raises(ValueError, match="time zone"):
        naive = datetime(2026, 1, 1)
        Acquisition("a", naive, AcquisitionMethod.LEAK, ConsentStatus.PENDING)
    with pytest.raises(ValueError, match="restrictions"):
        Acquisition(
            "a",
            datetime(2026, 1, 1, tzinfo=UTC),
            AcquisitionMethod.FROM_WITNESS,
            ConsentStatus.GIVEN_WITH_RESTRICTIONS,
        )
    with pytest.raises(ValueError, match="acquired_by"):
        Acquisition(
            " ", datetime(2026, 1, 1, tzinfo=UTC), AcquisitionMethod.LEAK, ConsentStatus.PENDING
        )
