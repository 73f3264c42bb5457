"""Near-duplicate images: a perceptual hash per image and "possible copy of" candidates.

The hash is ``imagehash``'s pHash (64 bits: the signs of the image's low DCT frequencies,
on the grey image turned upright by its EXIF orientation). Copies that were re-encoded,
resized or lightly edited keep most bits; the Hamming distance between two hashes says how
close two images look. A distance is evidence for a reviewer, not a decision: candidates
under the threshold are shown as "possible copy of", with their distance.

Images are decoded only when their declared pixel count is within ``max_pixels`` (a
decompression bomb is refused before its pixels are read); JPEGs are decoded at a reduced
scale, which is all a 32×32 DCT needs.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import imagehash
import numpy as np
from PIL import Image, ImageOps

from inquest.errors import InputError

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "DEFAULT_THRESHOLD",
    "Candidate",
    "HashIndex",
    "PerceptualHash",
    "image_hash",
    "possible_copies",
]

#: Pillow's own bomb limit: larger images get no perceptual hash (they are still stored).
DEFAULT_MAX_PIXELS = 1024 * 1024 * 1024 // 4 // 3
#: Hamming distance (of 64 bits) up to which two images are "possible copies".
DEFAULT_THRESHOLD = 10
ALGORITHM = "phash-64"


@dataclass(frozen=True, order=True)
class PerceptualHash:
    """A 64-bit perceptual hash, as 16 hex digits, with the algorithm that made it."""

    value: str
    algorithm: str = ALGORITHM

    def __post_init__(self) -> None:
        if len(self.value) != 16 or any(c not in "0123456789abcdef" for c in self.value):
            raise ValueError(f"a 64-bit hash is 16 lower-case hex digits: {self.value!r:.40}")

    @property
    def bits(self) -> int:
        return int(self.value, 16)

    def distance(self, other: PerceptualHash) -> int:
        """Hamming distance: how many of the 64 bits differ."""
        if other.algorithm != self.algorithm:
            raise ValueError(f"cannot compare {self.algorithm} with {other.algorithm}")
        return (self.bits ^ other.bits).bit_count()


@dataclass(frozen=True)
class Candidate:
    """A known image that ``possible_copies`` found close: its key and distance."""

    key: str
    distance: int


def image_hash(
    source: Path | BinaryIO, *, max_pixels: int = DEFAULT_MAX_PIXELS, name: str | None = None
) -> PerceptualHash:
    """The perceptual hash of the image in ``source`` (its first frame).

    ``InputError`` (naming ``name`` or the path) when it is not an image Pillow reads, or
    declares more than ``max_pixels`` pixels.
    """
    where = name or (str(source) if isinstance(source, Path) else None)
    try:
        with warnings.catch_warnings():
            # The pixel limit below is ours; Pillow's warning would only repeat it.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(source) as im:
                width, height = im.size
                if width * height > max_pixels:
                    raise InputError(
                        f"{width}×{height} pixels, more than the {max_pixels:,} decoded "
                        "for a perceptual hash",
                        path=where,
                    )
                im.draft("L", (256, 256))  # JPEG: decode at a smaller scale
                upright = ImageOps.exif_transpose(im)
                digest = imagehash.phash(upright.convert("L"), hash_size=8)
    except InputError:
        raise
    except Image.DecompressionBombError as exc:  # Pillow's own limit, met in Image.open
        raise InputError(
            f"more than the {max_pixels:,} pixels decoded for a perceptual hash ({exc})"[:300],
            path=where,
        ) from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise InputError(f"not an image that can be read: {exc}"[:300], path=where) from None
    return PerceptualHash(str(digest))


class HashIndex:
    """Known images' hashes held as one array, for many "possible copy of" queries."""

    def __init__(self, known: Iterable[tuple[str, PerceptualHash]], *, algorithm: str = ALGORITHM):
        self.algorithm = algorithm
        pairs = [(key, h.bits) for key, h in known if h.algorithm == algorithm]
        self.keys = [key for key, _ in pairs]
        self._bits = np.array([bits for _, bits in pairs], dtype=np.uint64)

    def __len__(self) -> int:
        return len(self.keys)

    def near(
        self, target: PerceptualHash, *, threshold: int = DEFAULT_THRESHOLD
    ) -> list[Candidate]:
        """The known images within ``threshold`` bits of ``target``, closest first (then by
        key)."""
        if target.algorithm != self.algorithm or not self.keys:
            return []
        # Vectorised: a commission may hold hundreds of thousands of images.
        distances = np.bitwise_count(self._bits ^ np.uint64(target.bits))
        hits = np.flatnonzero(distances <= threshold)
        found = [Candidate(self.keys[i], int(distances[i])) for i in hits]
        return sorted(found, key=lambda c: (c.distance, c.key))


def possible_copies(
    target: PerceptualHash,
    known: Iterable[tuple[str, PerceptualHash]],
    *,
    threshold: int = DEFAULT_THRESHOLD,
) -> list[Candidate]:
    """The known images within ``threshold`` bits of ``target``, closest first (then by
    key); ``known`` pairs a key (an item's address) with its hash. For many queries against
    the same images, build a :class:`HashIndex` once."""
    return HashIndex(known, algorithm=target.algorithm).near(target, threshold=threshold)
