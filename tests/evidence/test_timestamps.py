"""RFC 3161 timestamps against a local test authority (tests/evidence/_tsa.py): no internet."""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rfc3161_client import decode_timestamp_response
from rfc3161_client._rust import parse_timestamp_request

from inquest.errors import ConfigError
from inquest.evidence.timestamps import (
    HashAlgorithm,
    TimestampAuthority,
    TimestampError,
    TransportError,
    build_request,
    digest_stream,
    http_transport,
    load_token,
    renewal_imprint,
    request_timestamp,
    retimestamp,
    timestamp_with_all,
    verify_chain,
    verify_token,
)

from ._tsa import TestTSA, serve

ITEM = b"synthetic witness statement, page 1 of 1\n"
SHA256 = hashlib.sha256(ITEM).digest()
SHA512 = hashlib.sha512(ITEM).digest()


@pytest.fixture(scope="module")
def alpha() -> TestTSA:
    return TestTSA.make("Alpha")


@pytest.fixture(scope="module")
def beta() -> TestTSA:
    return TestTSA.make("Beta")


def _authority(
    tsa: TestTSA, url: str = "http://127.0.0.1:9/tsa", **kw: object
) -> TimestampAuthority:
    return TimestampAuthority(tsa.name, url, tsa.ca_pem, **kw)  # type: ignore[arg-type]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_request_der_is_read_by_rfc3161_client() -> None:
    der = build_request(SHA512, HashAlgorithm.SHA512, nonce=2**62 + 5, policy="1.2.3.4")
    parsed = parse_timestamp_request(der)
    assert parsed.message_imprint.message == SHA512
    assert parsed.message_imprint.hash_algorithm.dotted_string == HashAlgorithm.SHA512.oid
    assert parsed.nonce == 2**62 + 5
    assert parsed.cert_req is True
    assert parsed.policy is not None and parsed.policy.dotted_string == "1.2.3.4"


def test_request_refuses_a_digest_of_the_wrong_length() -> None:
    with pytest.raises(TimestampError, match="32 bytes"):
        build_request(SHA512, HashAlgorithm.SHA256, nonce=1)


def test_request_token_verify_offline_over_http(alpha: TestTSA) -> None:
    with serve(alpha) as url:
        authority = _authority(alpha, url)
        token = request_timestamp(SHA256, authority)
    assert token.authority == "Alpha"
    assert token.message_imprint == SHA256
    assert token.hash_algorithm is HashAlgorithm.SHA256
    assert token.gen_time.tzinfo is not None
    # the server is gone: verification needs only the token, the digest and the CA
    checked = verify_token(token, SHA256, alpha.ca_pem)
    assert checked.serial == token.serial
    assert load_token(token.der, "Alpha") == token
    # the request carried a nonce and asked for the certificate
    sent = parse_timestamp_request(alpha.requests[-1])
    assert sent.nonce is not None and sent.cert_req


def test_tampered_digest_fails(alpha: TestTSA) -> None:
    token = request_timestamp(SHA256, _authority(alpha), alpha.transport)
    other = hashlib.sha256(ITEM + b"x").digest()
    with pytest.raises(TimestampError, match="Alpha"):
        verify_token(token, other, alpha.ca_pem)


def test_flipped_byte_in_token_fails(alpha: TestTSA) -> None:
    token = request_timestamp(SHA256, _authority(alpha), alpha.transport)
    der = bytearray(token.der)
    der[-10] ^= 0x01  # inside the signature
    with pytest.raises(TimestampError):
        verify_token(replace(token, der=bytes(der)), SHA256, alpha.ca_pem)


def test_wrong_ca_fails(alpha: TestTSA, beta: TestTSA) -> None:
    token = request_timestamp(SHA256, _authority(alpha), alpha.transport)
    with pytest.raises(TimestampError, match="does not verify"):
        verify_token(token, SHA256, beta.ca_pem)


def test_recorded_fields_must_match_the_token(alpha: TestTSA) -> None:
    token = request_timestamp(SHA256, _authority(alpha), alpha.transport)
    with pytest.raises(TimestampError, match="differ"):
        verify_token(replace(token, serial=token.serial + 1), SHA256, alpha.ca_pem)


def test_a_wrong_nonce_is_refused_at_request(alpha: TestTSA) -> None:
    alpha.wrong_nonce = True
    try:
        with pytest.raises(TimestampError, match=r"[Nn]once"):
            request_timestamp(SHA256, _authority(alpha), alpha.transport)
    finally:
        alpha.wrong_nonce = False


def test_a_refusal_is_reported_with_its_reason(alpha: TestTSA) -> None:
    alpha.refuse = True
    try:
        with pytest.raises(TimestampError, match="policy says no"):
            request_timestamp(SHA256, _authority(alpha), alpha.transport)
    finally:
        alpha.refuse = False


def test_unreachable_authority_reported_while_another_succeeds(
    alpha: TestTSA, beta: TestTSA
) -> None:
    dead = TimestampAuthority(
        "Dead", f"http://127.0.0.1:{_closed_port()}/tsa", beta.ca_pem, timeout=2.0
    )
    with serve(alpha) as url:
        run = timestamp_with_all(
            {HashAlgorithm.SHA256: SHA256, HashAlgorithm.SHA512: SHA512},
            [dead, _authority(alpha, url, hash_algorithm=HashAlgorithm.SHA512)],
        )
    assert [t.authority for t in run.tokens] == ["Alpha"]
    assert run.tokens[0].message_imprint == SHA512
    assert [f.authority for f in run.failures] == ["Dead"]
    assert "127.0.0.1" in run.failures[0].reason
    assert not run.ok


def test_missing_digest_of_an_authority_algorithm_is_a_failure(alpha: TestTSA) -> None:
    authority = _authority(alpha, hash_algorithm=HashAlgorithm.SHA384)
    run = timestamp_with_all({HashAlgorithm.SHA256: SHA256}, [authority], alpha.transport)
    assert run.tokens == ()
    assert "sha384" in run.failures[0].reason


def test_http_transport_refuses_other_schemes_and_big_answers(alpha: TestTSA) -> None:
    with pytest.raises(TransportError, match="http"):
        http_transport("file:///etc/passwd", b"", 1.0)
    with pytest.raises(ConfigError, match="http") as info:
        TimestampAuthority("x", "ftp://example.invalid/", alpha.ca_pem)
    assert info.value.key == "url"


def test_authority_needs_a_root(alpha: TestTSA) -> None:
    from cryptography.hazmat.primitives import serialization

    leaf_only = alpha.cert.public_bytes(serialization.Encoding.PEM)
    with pytest.raises(ConfigError, match="self-signed root"):
        TimestampAuthority("x", "http://127.0.0.1/", leaf_only)
    # a chain of root and TSA certificate is accepted and verifies
    token = request_timestamp(SHA256, _authority(alpha), alpha.transport)
    verify_token(token, SHA256, alpha.chain_pem)


def test_retimestamp_chain(alpha: TestTSA, beta: TestTSA) -> None:
    first = request_timestamp(SHA256, _authority(alpha), alpha.transport)
    newer = _authority(beta, hash_algorithm=HashAlgorithm.SHA3_512)
    item_sha3 = hashlib.sha3_512(ITEM).digest()
    second = retimestamp(first, item_sha3, newer, beta.transport)
    assert second.hash_algorithm is HashAlgorithm.SHA3_512
    assert second.message_imprint == hashlib.sha3_512(first.der + item_sha3).digest()
    assert second.message_imprint == renewal_imprint(first.der, item_sha3, HashAlgorithm.SHA3_512)
    digests = {HashAlgorithm.SHA256: SHA256, HashAlgorithm.SHA3_512: item_sha3}
    certs = {"Alpha": alpha.ca_pem, "Beta": beta.ca_pem}
    assert len(verify_chain([first, second], digests, certs)) == 2
    # a different first token breaks the second link
    other = request_timestamp(SHA256, _authority(alpha), alpha.transport)
    with pytest.raises(TimestampError, match="token 1"):
        verify_chain([other, second], digests, certs)
    # so does another item
    with pytest.raises(TimestampError, match="token 0"):
        verify_chain(
            [first, second],
            {**digests, HashAlgorithm.SHA256: hashlib.sha256(b"other").digest()},
            certs,
        )


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_openssl_verifies_the_token(alpha: TestTSA, tmp_path: Path) -> None:
    token = request_timestamp(SHA256, _authority(alpha), alpha.transport)
    (tmp_path / "item").write_bytes(ITEM)
    (tmp_path / "t.tsr").write_bytes(token.der)
    (tmp_path / "ca.pem").write_bytes(alpha.ca_pem)
    ok = subprocess.run(
        ["openssl", "ts", "-verify", "-data", "item", "-in", "t.tsr", "-CAfile", "ca.pem"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    (tmp_path / "item").write_bytes(ITEM + b"!")
    bad = subprocess.run(
        ["openssl", "ts", "-verify", "-data", "item", "-in", "t.tsr", "-CAfile", "ca.pem"],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    assert bad.returncode != 0


def test_response_is_stored_whole(alpha: TestTSA) -> None:
    token = request_timestamp(SHA256, _authority(alpha), alpha.transport)
    assert decode_timestamp_response(token.der).tst_info.serial_number == token.serial


def test_digest_stream_reads_once_for_every_algorithm() -> None:
    import io

    got = digest_stream(io.BytesIO(ITEM), [HashAlgorithm.SHA256, HashAlgorithm.SHA3_512], 7)
    assert got == {
        HashAlgorithm.SHA256: SHA256,
        HashAlgorithm.SHA3_512: hashlib.sha3_512(ITEM).digest(),
    }


def test_redirects_are_not_followed(alpha: TestTSA) -> None:
    import http.server
    import threading

    with serve(alpha) as real_url:

        class Redirect(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.send_response(302)
                self.send_header("Location", real_url)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        server = http.server.HTTPServer(("127.0.0.1", 0), Redirect)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/"
            with pytest.raises(TransportError, match="302"):
                request_timestamp(SHA256, _authority(alpha, url))
            # the same request straight to the authority works
            request_timestamp(SHA256, _authority(alpha, real_url))
        finally:
            server.shutdown()
            server.server_close()


def test_a_tsa_certificate_without_critical_timestamping_eku_is_refused() -> None:
    loose = TestTSA.make("Loose", critical_eku=False)
    with pytest.raises(TimestampError, match="does not verify"):
        request_timestamp(SHA256, _authority(loose), loose.transport)


def test_policy_is_asked_for_and_required(alpha: TestTSA) -> None:
    token = request_timestamp(SHA256, _authority(alpha, policy="1.2.3.4.5"), alpha.transport)
    assert token.policy == "1.2.3.4.5"
    assert parse_timestamp_request(alpha.requests[-1]).policy is not None


@given(
    digest=st.binary(min_size=64, max_size=64),
    nonce=st.integers(min_value=0, max_value=2**63 - 1),
    cert_req=st.booleans(),
)
def test_request_der_round_trips(digest: bytes, nonce: int, cert_req: bool) -> None:
    der = build_request(digest, HashAlgorithm.SHA512, nonce=nonce, cert_req=cert_req)
    parsed = parse_timestamp_request(der)
    assert parsed.message_imprint.message == digest
    assert parsed.nonce == nonce
    assert parsed.cert_req is cert_req
    assert parsed.as_bytes() == der
