"""AES-GCM field sealing: round trip, binding to the cell, key ids, key loading errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from inquest.errors import ConfigError
from inquest.web.witnesses import crypto
from inquest.web.witnesses.crypto import FieldKey, SealError

CELL = {"table": "witnesses_witness", "column": "real_name", "row": "u-1"}


def test_round_trip_and_fresh_nonce() -> None:
    key = FieldKey.generate()
    one = crypto.seal(key, "نام نمونه synthetic", **CELL)
    two = crypto.seal(key, "نام نمونه synthetic", **CELL)
    assert one != two  # a new nonce each time
    assert "synthetic" not in one
    assert crypto.key_id_of(one) == key.key_id
    assert crypto.open_sealed(key, one, **CELL) == "نام نمونه synthetic"
    assert crypto.seal(key, "", **CELL) == "" and crypto.open_sealed(key, "", **CELL) == ""


@pytest.mark.parametrize("moved", [{"row": "u-2"}, {"column": "contact"}, {"table": "other"}])
def test_a_value_moved_to_another_cell_does_not_open(moved: dict[str, str]) -> None:
    key = FieldKey.generate()
    token = crypto.seal(key, "synthetic value", **CELL)
    with pytest.raises(SealError, match="does not open"):
        crypto.open_sealed(key, token, **{**CELL, **moved})


def test_an_altered_value_does_not_open() -> None:
    key = FieldKey.generate()
    token = crypto.seal(key, "synthetic value", **CELL)
    head, body = token.rsplit(".", 1)
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(SealError, match="does not open"):
        crypto.open_sealed(key, f"{head}.{flipped}", **CELL)


def test_the_wrong_key_is_named() -> None:
    old, new = FieldKey.generate(), FieldKey.generate()
    token = crypto.seal(old, "synthetic value", **CELL)
    with pytest.raises(SealError, match=f"sealed with key {old.key_id}.*{new.key_id}"):
        crypto.open_sealed(new, token, **CELL)


def test_key_from_env_and_file(tmp_path: Path) -> None:
    key = FieldKey.generate()
    assert crypto.key_from_env({crypto.ENV_KEY: key.encoded()}) == key
    path = tmp_path / "field.key"
    path.write_text(key.encoded() + "\n", encoding="ascii")
    assert crypto.key_from_env({crypto.ENV_KEY_FILE: str(path)}) == key
    assert key.encoded() not in repr(key)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "INQUEST_FIELD_KEY"),
        ({crypto.ENV_KEY: "not base64!"}, "not base64"),
        ({crypto.ENV_KEY: "c2hvcnQ="}, "32 bytes"),
        ({crypto.ENV_KEY: "x", crypto.ENV_KEY_FILE: "y"}, "not both"),
        ({crypto.ENV_KEY_FILE: "/nonexistent/field.key"}, "cannot read the key file"),
    ],
)
def test_key_errors_say_what_to_set(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        crypto.key_from_env(env)


def seal_v1(key: FieldKey, plaintext: str, cell: dict[str, str] = CELL) -> str:
    """A value in the first format (unpadded), as sealed before padding came in."""
    import secrets

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(crypto.NONCE_BYTES)
    body = AESGCM(key.secret).encrypt(
        nonce, plaintext.encode(), crypto.associated_data(**cell, version="v1")
    )
    return ".".join(("v1", key.key_id, crypto._b64(nonce), crypto._b64(body)))


def test_ciphertext_length_does_not_tell_the_name_length() -> None:
    key = FieldKey.generate()
    short = crypto.seal(key, "Ali", **CELL)
    long = crypto.seal(key, "Synthetic Longername", **CELL)
    assert len("Synthetic Longername") == 20
    assert len(short) == len(long) and short.startswith("v2.")
    assert crypto.open_sealed(key, short, **CELL) == "Ali"
    assert crypto.open_sealed(key, long, **CELL) == "Synthetic Longername"


@pytest.mark.parametrize(("size", "bucket"), [(0, 32), (31, 32), (32, 64), (255, 256), (256, 512)])
def test_padding_buckets(size: int, bucket: int) -> None:
    data = b"\x00\x80" * (size // 2) + b"x" * (size % 2)
    assert len(crypto.pad(data)) == bucket
    assert crypto.unpad(crypto.pad(data)) == data


def test_first_format_values_still_open() -> None:
    key = FieldKey.generate()
    token = seal_v1(key, "synthetic\x00\x80 value")
    assert crypto.key_id_of(token) == key.key_id
    assert crypto.open_sealed(key, token, **CELL) == "synthetic\x00\x80 value"


@pytest.mark.parametrize("plain", ["synthetic name", "ڀ"])  # "ڀ" ends in byte 0x80
def test_a_value_relabelled_to_the_other_format_does_not_open(plain: str) -> None:
    """The format is bound to the ciphertext: a v2 value read as v1 (no unpadding, bytes
    that are no UTF-8), or a v1 value read as v2 (its last 0x80 byte taken for padding),
    is refused, never returned cut or raised as another error."""
    key = FieldKey.generate()
    v2 = crypto.seal(key, plain, **CELL)
    v1 = seal_v1(key, plain)
    for token, other in ((v2, "v1"), (v1, "v2")):
        relabelled = ".".join([other, *token.split(".")[1:]])
        with pytest.raises(crypto.SealError, match="does not open"):
            crypto.open_sealed(key, relabelled, **CELL)
