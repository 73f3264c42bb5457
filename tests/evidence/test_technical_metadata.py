"""Technical metadata: read beside the original, never written into it; bounded."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from inquest.evidence import technical_metadata as tm
from inquest.evidence.local import LocalStore
from inquest.evidence.technical_metadata import extract

needs_exiftool = pytest.mark.skipif(
    shutil.which("exiftool") is None, reason="Debian's exiftool is not installed"
)


def _photo(path: Path, *, make: str = "SynthCam") -> Path:
    exif = Image.Exif()
    exif[0x010F] = make
    exif[0x0110] = "Model Z"
    exif[0x8825] = {1: "N", 2: (35.0, 41.0, 30.0), 3: "E", 4: (51.0, 25.0, 0.0)}
    Image.new("RGB", (64, 48), (200, 10, 10)).save(path, "JPEG", exif=exif)
    return path


@pytest.mark.parametrize("use_exiftool", [pytest.param(True, marks=needs_exiftool), False])
def test_exif_of_a_photo_is_read_and_the_photo_is_untouched(
    tmp_path: Path, use_exiftool: bool
) -> None:
    photo = _photo(tmp_path / "photo.jpg")
    before = hashlib.sha256(photo.read_bytes()).hexdigest()
    meta = extract(photo, use_exiftool=use_exiftool)
    assert hashlib.sha256(photo.read_bytes()).hexdigest() == before
    assert meta.tool.startswith("exiftool" if use_exiftool else "Pillow")
    assert meta.get("EXIF", "Make") == "SynthCam"
    assert meta.get("EXIF", "Model") == "Model Z"
    assert meta.position == pytest.approx((35.691667, 51.416667), abs=1e-5)
    assert meta.first("File:ImageWidth") == 64


@pytest.mark.parametrize("use_exiftool", [pytest.param(True, marks=needs_exiftool), False])
def test_a_stored_original_without_extension_is_read(tmp_path: Path, use_exiftool: bool) -> None:
    store = LocalStore(tmp_path / "store")
    sha = store.put(_photo(tmp_path / "photo.jpg")).digests.sha256
    meta = extract(store.path(sha), use_exiftool=use_exiftool)
    assert meta.get("EXIF", "Make") == "SynthCam"
    assert meta.first("File:MIMEType") == "image/jpeg"


@needs_exiftool
def test_fields_about_the_copy_on_disk_are_left_out(tmp_path: Path) -> None:
    meta = extract(_photo(tmp_path / "stored-name.jpg"))
    names = {f"{f.group}:{f.name}" for f in meta.fields}
    assert "File:FileName" not in names and "File:Directory" not in names
    assert not any(
        "stored-name" in str(f.value) or str(tmp_path) in str(f.value) for f in meta.fields
    )


def test_untrusted_strings_are_bounded(tmp_path: Path) -> None:
    photo = _photo(tmp_path / "long.jpg", make="M" * 20_000)
    meta = extract(photo, use_exiftool=False)
    make = meta.get("EXIF", "Make")
    assert isinstance(make, str) and len(make) == tm.MAX_VALUE_CHARS
    assert meta.truncated


@needs_exiftool
def test_exiftool_output_beyond_the_bound_is_not_read(tmp_path: Path) -> None:
    meta = extract(_photo(tmp_path / "p.jpg"), max_output_bytes=100)
    assert meta.fields == () and meta.truncated
    assert "not read" in meta.warnings[0]


@needs_exiftool
def test_exiftool_is_stopped_at_its_time_limit(tmp_path: Path) -> None:
    meta = extract(_photo(tmp_path / "p.jpg"), timeout_s=0.000_001)
    assert meta.truncated and "stopped after" in meta.warnings[0]


def test_a_pdf_without_exiftool_gives_its_version(tmp_path: Path) -> None:
    pdf = tmp_path / "order.pdf"
    pdf.write_bytes(b"%PDF-1.6\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    meta = extract(pdf, use_exiftool=False)
    assert meta.get("PDF", "PDFVersion") == "1.6"
    assert "only the PDF version" in meta.warnings[0]


def test_a_file_nothing_reads_says_so(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("plain text")
    meta = extract(other, use_exiftool=False)
    assert meta.tool == "none" and meta.fields == ()


def test_a_truncated_image_gives_a_warning_not_an_error(tmp_path: Path) -> None:
    out = io.BytesIO()
    Image.new("RGB", (32, 32)).save(out, "PNG")
    broken = tmp_path / "broken.png"
    broken.write_bytes(out.getvalue()[:20])
    meta = extract(broken, use_exiftool=False)
    assert meta.fields == () and "could not read" in meta.warnings[0]
