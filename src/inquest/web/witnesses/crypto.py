"""Field encryption for witness identities: AES-256-GCM with the ``cryptography`` library.

A sealed value is text ``v2.<key id>.<nonce>.<ciphertext+tag>`` (base64url parts): a fresh
random 96-bit nonce per value; the plaintext padded to a length bucket first, so the
ciphertext's length does not tell a name's length (``v1`` values, unpadded, still open);
associated data binding it to its table, column and row (a ciphertext copied to another
row or column fails to open). The key id names the key that sealed it, so keys can rotate.
The key comes from ``INQUEST_FIELD_KEY`` (base64 of 32 bytes) or ``INQUEST_FIELD_KEY_FILE``
(a file holding that text), never from the database.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from inquest.errors import ConfigError, InquestError

VERSION = "v2"
#: Formats that open: v1 (unpadded, before padding) and v2 (padded).
VERSIONS = frozenset({"v1", "v2"})
#: Padded lengths: 32, 64, 128, 256 bytes, then multiples of 256.
MIN_BUCKET = 32
LARGE_BUCKET = 256
KEY_BYTES = 32
NONCE_BYTES = 12
ENV_KEY = "INQUEST_FIELD_KEY"
ENV_KEY_FILE = "INQUEST_FIELD_KEY_FILE"


class SealError(InquestError):
    """A sealed value cannot be opened: wrong key, wrong place, or altered."""


@dataclass(frozen=True)
class FieldKey:
    """A 256-bit key and its public id (a hash prefix; safe to store and print)."""

    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) != KEY_BYTES:
            raise ConfigError(f"a field key must be {KEY_BYTES} bytes, not {len(self.secret)}")

    @property
    def key_id(self) -> str:
        """16 hex characters of SHA-256 over a label and the key."""
        return hashlib.sha256(b"inquest-field-key\n" + self.secret).hexdigest()[:16]

    @classmethod
    def generate(cls) -> FieldKey:
        """A new random key."""
        return cls(secrets.token_bytes(KEY_BYTES))

    def encoded(self) -> str:
        """The key as base64 text, the form the variable and key files hold."""
        return base64.b64encode(self.secret).decode("ascii")


def parse_key(text: str, *, where: str) -> FieldKey:
    """A key from its base64 text; ``where`` names the variable or file in errors."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"{where}: not base64 text") from None
    if len(raw) != KEY_BYTES:
        raise ConfigError(f"{where}: the key must decode to {KEY_BYTES} bytes, not {len(raw)}")
    return FieldKey(raw)


def read_key_file(path: Path) -> FieldKey:
    """A key from a file holding its base64 text."""
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the key file: {exc}", path=str(path)) from None
    return parse_key(text, where=str(path))


def key_from_env(env: Mapping[str, str] | None = None) -> FieldKey:
    """The field key from ``INQUEST_FIELD_KEY`` or ``INQUEST_FIELD_KEY_FILE``.

    Neither set is an error saying which to set; both set is an error too (which wins would
    be a guess).
    """
    env = os.environ if env is None else env
    inline, file = env.get(ENV_KEY, "").strip(), env.get(ENV_KEY_FILE, "").strip()
    if inline and file:
        raise ConfigError(f"set {ENV_KEY} or {ENV_KEY_FILE}, not both")
    if inline:
        return parse_key(inline, where=ENV_KEY)
    if file:
        return read_key_file(Path(file))
    raise ConfigError(
        f"witness identities are encrypted and no key is set: set {ENV_KEY} (base64 of "
        f"{KEY_BYTES} random bytes) or {ENV_KEY_FILE} (a file holding it); "
        "`inquest security new-key` makes one"
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def associated_data(table: str, column: str, row: str, version: str = VERSION) -> bytes:
    """What a sealed value is bound to: its table, column and row id, and (from ``v2``) its
    format, so a value relabelled ``v1`` or ``v2`` does not open."""
    cell = f"inquest/{table}/{column}/{row}"
    return (cell if version == "v1" else f"{cell}/{version}").encode()


def padded_length(size: int) -> int:
    """The bucket a plaintext of ``size`` bytes (plus its one-byte marker) is padded to."""
    bucket = MIN_BUCKET
    while bucket < size + 1 and bucket < LARGE_BUCKET:
        bucket *= 2
    if bucket >= size + 1:
        return bucket
    return -(-(size + 1) // LARGE_BUCKET) * LARGE_BUCKET


def pad(data: bytes) -> bytes:
    """``data``, a 0x80 byte, and zero bytes up to its bucket (ISO/IEC 7816-4 padding)."""
    return data + b"\x80" + b"\x00" * (padded_length(len(data)) - len(data) - 1)


def unpad(data: bytes) -> bytes:
    """``data`` without the padding ``pad`` added; ValueError if it has none."""
    body = data.rstrip(b"\x00")
    if not body.endswith(b"\x80"):
        raise ValueError("no padding marker")
    return body[:-1]


def seal(key: FieldKey, plaintext: str, *, table: str, column: str, row: str) -> str:
    """Encrypt ``plaintext`` for one cell; the empty string stays empty (nothing to hide)."""
    if plaintext == "":
        return ""
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(key.secret).encrypt(
        nonce, pad(plaintext.encode("utf-8")), associated_data(table, column, row)
    )
    return ".".join((VERSION, key.key_id, _b64(nonce), _b64(sealed)))


def key_id_of(token: str) -> str | None:
    """The id of the key that sealed ``token`` (None for an empty value)."""
    if token == "":
        return None
    parts = token.split(".")
    if len(parts) != 4 or parts[0] not in VERSIONS:
        raise SealError("not a sealed value (unknown format)")
    return parts[1]


def open_sealed(key: FieldKey, token: str, *, table: str, column: str, row: str) -> str:
    """Decrypt one cell sealed by ``seal`` with the same key, table, column and row."""
    if token == "":
        return ""
    kid = key_id_of(token)
    if kid != key.key_id:
        raise SealError(
            f"{table}.{column} of row {row} was sealed with key {kid}, but the key given is "
            f"{key.key_id} (finish or undo a key rotation)"
        )
    version, _, nonce, sealed = token.split(".")
    try:
        plain = AESGCM(key.secret).decrypt(
            _unb64(nonce), _unb64(sealed), associated_data(table, column, row, version)
        )
        if version != "v1":
            plain = unpad(plain)
        # ValueError covers UnicodeDecodeError: a value that opens but is not UTF-8 text
        return plain.decode("utf-8")
    except (InvalidTag, ValueError, binascii.Error):
        raise SealError(
            f"{table}.{column} of row {row} does not open: altered, or moved from another cell"
        ) from None
