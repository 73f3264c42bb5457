"""Uploaded lists must be what their extension says; hostile files are refused early."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import Workbook

from inquest.errors import InputError
from inquest.io import check_list_bytes as check_list_file
from inquest.io.xlsx_list import XLSX_MAX_UNPACKED
from inquest.web.registry import staging


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["given_name", "family_name"])
    sheet.append(["علی", "نمونه"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _parquet() -> bytes:
    out = io.BytesIO()
    pq.write_table(pa.table({"given_name": ["Ali"]}), out)
    return out.getvalue()


def test_real_files_pass(tmp_path: Path) -> None:
    check_list_file(_write(tmp_path, "a.csv", "\ufeffgiven_name\nعلی\n".encode()))
    check_list_file(_write(tmp_path, "a.xlsx", _xlsx()))
    check_list_file(_write(tmp_path, "a.parquet", _parquet()))


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("x.csv", b"MZ\x90\x00\x03\x00\x00\x00", "NUL"),
        ("x.csv", b"given_name\n\xff\xfeA\x00l\x00i\x00", "NUL"),
        ("x.csv", "given_name\nAli\n".encode("cp1256") + b"\xe1\xed", "UTF-8"),
        ("x.csv", b"PK\x03\x04rest-of-a-zip", "binary"),
        ("x.xlsx", b"<html><script>alert(1)</script></html>", "zip archive"),
        ("x.xlsx", b"PK\x03\x04not really a zip", "readable"),
        ("x.parquet", b"given_name\nAli\n", "PAR1"),
        ("x.parquet", b"PAR1" + b"\x00" * 20, "footer"),
        ("x.exe", b"MZ", "not a list format"),
    ],
)
def test_disguised_files_are_refused(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    with pytest.raises(InputError, match=reason) as caught:
        check_list_file(_write(tmp_path, name, content), name="upload/" + name)
    assert caught.value.path == "upload/" + name and caught.value.field == "file"


def test_zip_without_a_workbook_is_refused(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.txt", "hello")
    with pytest.raises(InputError, match="not an XLSX workbook"):
        check_list_file(_write(tmp_path, "x.xlsx", out.getvalue()))


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (16 << 20))
    assert len(out.getvalue()) < (16 << 20) // 200 < XLSX_MAX_UNPACKED
    with pytest.raises(InputError, match="zip bomb"):
        check_list_file(_write(tmp_path, "x.xlsx", out.getvalue()))


def test_staging_refuses_a_disguised_upload_and_keeps_nothing(tmp_path: Path) -> None:
    upload = SimpleUploadedFile("list.xlsx", b"<html>not a workbook</html>")
    with override_settings(DATA_DIR=tmp_path), pytest.raises(InputError, match="XLSX"):
        staging.stage_upload(upload)
    assert list((tmp_path / staging.UPLOADS).iterdir()) == []


def test_staging_refuses_an_upload_over_the_limit(tmp_path: Path) -> None:
    upload = SimpleUploadedFile("list.csv", b"given_name\n" + b"a\n" * 600)
    with (
        override_settings(DATA_DIR=tmp_path, INQUEST_MAX_UPLOAD_BYTES=1000),
        pytest.raises(InputError, match="over the limit"),
    ):
        staging.stage_upload(upload)


def test_uploads_are_kept_where_nothing_serves_them(tmp_path: Path) -> None:
    from django.conf import settings
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.views.static import serve

    with override_settings(DATA_DIR=tmp_path, STATIC_ROOT=tmp_path / "static"):
        root = staging.staging_root().resolve()
        assert not root.is_relative_to(Path(settings.STATIC_ROOT).resolve())
        assert oct(root.stat().st_mode & 0o777) == oct(0o700)
    assert not settings.MEDIA_ROOT  # no media folder: nothing uploaded is a served file

    def callbacks(patterns: list[URLPattern | URLResolver]) -> list[object]:
        found: list[object] = []
        for entry in patterns:
            if isinstance(entry, URLResolver):
                found += callbacks(entry.url_patterns)
            else:
                found.append(entry.callback)
        return found

    assert serve not in callbacks(get_resolver().url_patterns)
