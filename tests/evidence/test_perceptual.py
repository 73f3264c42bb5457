"""Near-duplicate images: a copy that was re-encoded and resized is found with its
distance; a different image is not; a decompression bomb is refused before decoding."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inquest.errors import InputError
from inquest.evidence.perceptual import (
    Candidate,
    HashIndex,
    PerceptualHash,
    image_hash,
    possible_copies,
)


def _scene(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A synthetic photograph: smooth gradients and a few blocks, different per seed."""
    rng = np.random.default_rng(seed)
    h, w = size[1], size[0]
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 3), dtype=np.float64)
    for c in range(3):
        fx, fy = rng.uniform(0.5, 4, 2).tolist()
        phase = rng.uniform(0, 6.28)
        img[..., c] = 127 + 100 * np.sin(x / w * fx * 6.28 + phase) * np.cos(y / h * fy * 3.14)
    for _ in range(6):
        x0, y0 = int(rng.integers(0, w - 100)), int(rng.integers(0, h - 100))
        img[y0 : y0 + 100, x0 : x0 + 100] = rng.uniform(0, 255, 3)
    return Image.fromarray(img.clip(0, 255).astype(np.uint8))


def _save(im: Image.Image, path: Path, fmt: str, **kw: object) -> Path:
    im.save(path, fmt, **kw)
    return path


def test_a_reencoded_resized_copy_is_a_possible_copy(tmp_path: Path) -> None:
    original = _scene(1)
    h0 = image_hash(_save(original, tmp_path / "a.png", "PNG"))
    copy = original.resize((480, 360)).convert("RGB")
    h1 = image_hash(_save(copy, tmp_path / "b.jpg", "JPEG", quality=55))
    other = image_hash(_save(_scene(2), tmp_path / "c.png", "PNG"))
    assert h0.distance(h1) <= 6
    assert h0.distance(other) > 16
    found = possible_copies(h1, [("sha-a", h0), ("sha-c", other)])
    assert [c.key for c in found] == ["sha-a"]
    assert found[0].distance == h0.distance(h1)


def test_a_rotated_copy_marked_by_exif_is_turned_upright(tmp_path: Path) -> None:
    original = _scene(3)
    h0 = image_hash(_save(original, tmp_path / "a.jpg", "JPEG", quality=90))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    turned = original.transpose(Image.Transpose.ROTATE_90)
    h1 = image_hash(_save(turned, tmp_path / "b.jpg", "JPEG", quality=90, exif=exif))
    assert h0.distance(h1) <= 6


def test_candidates_are_sorted_by_distance_then_key() -> None:
    target = PerceptualHash("0000000000000000")
    known = [
        ("k3", PerceptualHash("0000000000000007")),  # 3 bits
        ("k1", PerceptualHash("0000000000000001")),  # 1 bit
        ("k0", PerceptualHash("0000000000000001")),  # 1 bit
        ("far", PerceptualHash("ffffffffffffffff")),  # 64 bits
    ]
    found = possible_copies(target, known, threshold=3)
    assert [(c.key, c.distance) for c in found] == [("k0", 1), ("k1", 1), ("k3", 3)]
    assert possible_copies(target, [], threshold=3) == []


def test_an_index_answers_many_queries_alike() -> None:
    known = [(f"k{i}", PerceptualHash(f"{i * 0x0101:016x}")) for i in range(300)]
    index = HashIndex(known)
    assert len(index) == 300
    for i in (0, 7, 299):
        target = PerceptualHash(f"{i * 0x0101:016x}")
        assert index.near(target, threshold=4) == possible_copies(target, known, threshold=4)
        assert index.near(target, threshold=0) == [Candidate(f"k{i}", 0)]


def test_hash_values_are_checked() -> None:
    with pytest.raises(ValueError, match="16 lower-case hex"):
        PerceptualHash("xyz")


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares width×height pixels and holds almost none (a bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 10)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = io.BytesIO(_png_header_only(50_000, 50_000))
    with pytest.raises(InputError, match="more than the"):
        image_hash(bomb, name="bomb.png")
    small = io.BytesIO(_png_header_only(3000, 3000))
    with pytest.raises(InputError, match=r"small\.png.*more than the 1,000,000"):
        image_hash(small, max_pixels=1_000_000, name="small.png")


def test_not_an_image_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "statement.jpg"
    path.write_bytes(b"%PDF-1.7 not an image")
    with pytest.raises(InputError, match=r"statement\.jpg: not an image"):
        image_hash(path)
