"""RFC 3161 trusted timestamps of evidence items, re-checkable offline.

A time-stamping authority (TSA) signs the digest of an item together with the time: the token
proves the item existed, bit for bit, at that time. inquest asks one or more configured
authorities (a token from each; one failing does not lose the others), keeps each response's
DER bytes, and re-checks them later with no network: the authority's certificate chain (PEM)
is part of its configuration, and the chain is checked as of the token's own time.

The message imprint sent is the item's digest itself (the SHA-256 or SHA-512 already known
from intake), so a recipient checks a token with standard tools:
``openssl ts -verify -data ITEM -in TOKEN.tsr -CAfile TSA-CA.pem``.

Re-timestamping (the idea of RFC 4998's evidence records, without its ASN.1): before the hash
algorithm or the authority's key of a token ages, :func:`retimestamp` asks for a new token,
under a newer algorithm, over ``H_new(previous token's DER || H_new(item))``. The new token
proves that the old token and the item, as hashed with the new algorithm, existed at the new
time, while the old token's algorithm was still sound; so a later break of the old algorithm
does not let anyone forge the older time. The tokens of an item form a chain, oldest first,
that :func:`verify_chain` checks link by link.

The request is DER written here (five fields): rfc3161-client builds requests only from the
data, hashing it itself, whereas the item's digest is what is known and sent. Responses are
parsed and verified by rfc3161-client (Trail of Bits, Apache-2.0).
"""

from __future__ import annotations

import enum
import hashlib
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import yaml
from cryptography import x509
from rfc3161_client import (
    PKIStatus,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from inquest.errors import ConfigError, InquestError

__all__ = [
    "MAX_RESPONSE_BYTES",
    "AuthorityFailure",
    "HashAlgorithm",
    "TimestampAuthority",
    "TimestampError",
    "TimestampRun",
    "TimestampToken",
    "Transport",
    "TransportError",
    "build_request",
    "digest_stream",
    "http_transport",
    "load_authorities",
    "load_token",
    "renewal_imprint",
    "request_timestamp",
    "retimestamp",
    "timestamp_with_all",
    "verify_chain",
    "verify_token",
]

#: A timestamp response is a few kilobytes; more is refused before it is parsed.
MAX_RESPONSE_BYTES = 256 * 1024
#: Seconds a default transport waits for an authority.
DEFAULT_TIMEOUT = 20.0


class TimestampError(InquestError):
    """A token could not be had, or does not verify: the message says which and why."""


class TransportError(TimestampError):
    """The authority could not be reached, or answered with an error or too much."""


class HashAlgorithm(enum.StrEnum):
    """Hash algorithms of message imprints, with their object identifiers."""

    SHA256 = "sha256"
    SHA384 = "sha384"
    SHA512 = "sha512"
    SHA3_256 = "sha3_256"
    SHA3_512 = "sha3_512"

    @property
    def oid(self) -> str:
        """The algorithm's object identifier (NIST hash algorithms arc)."""
        return _OIDS[self]

    @property
    def digest_size(self) -> int:
        """Bytes of a digest."""
        return hashlib.new(self.value).digest_size

    def digest(self, data: bytes) -> bytes:
        """The digest of ``data``."""
        return hashlib.new(self.value, data).digest()

    @classmethod
    def from_oid(cls, oid: str) -> HashAlgorithm:
        """The algorithm of ``oid``; :class:`TimestampError` for one not listed."""
        for algorithm, known in _OIDS.items():
            if known == oid:
                return algorithm
        raise TimestampError(f"unsupported hash algorithm {oid} in a timestamp token")


_OIDS = {
    HashAlgorithm.SHA256: "2.16.840.1.101.3.4.2.1",
    HashAlgorithm.SHA384: "2.16.840.1.101.3.4.2.2",
    HashAlgorithm.SHA512: "2.16.840.1.101.3.4.2.3",
    HashAlgorithm.SHA3_256: "2.16.840.1.101.3.4.2.8",
    HashAlgorithm.SHA3_512: "2.16.840.1.101.3.4.2.10",
}


@dataclass(frozen=True)
class TimestampAuthority:
    """A configured time-stamping authority (:class:`~inquest.errors.ConfigError` if wrong).

    ``certs_pem`` holds its certificate chain, PEM: the self-signed root(s) the tokens are
    trusted under, and any intermediate; kept so a token is re-checked without the network.
    ``policy`` (an OID), when given, is asked for and required in its tokens.
    """

    name: str
    url: str
    certs_pem: bytes
    hash_algorithm: HashAlgorithm = HashAlgorithm.SHA256
    policy: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ConfigError("a timestamp authority needs a name", key="name")
        if not self.url.startswith(("http://", "https://")):
            raise ConfigError(
                f"authority {self.name!r}: the URL must be http(s): {self.url}", key="url"
            )
        try:
            _load_certs(self.certs_pem, self.name)
        except TimestampError as exc:
            raise ConfigError(str(exc), key="certs_pem") from exc


@dataclass(frozen=True)
class TimestampToken:
    """A timestamp response (DER, as the authority sent it) and what it says.

    ``message_imprint`` is the digest it covers (of the item, or for a renewal the
    :func:`renewal_imprint`); ``gen_time`` is in UTC.
    """

    der: bytes
    authority: str
    gen_time: datetime
    hash_algorithm: HashAlgorithm
    message_imprint: bytes
    serial: int
    policy: str

    @property
    def imprint_hex(self) -> str:
        """The message imprint as hex."""
        return self.message_imprint.hex()


@dataclass(frozen=True)
class AuthorityFailure:
    """An authority that gave no token, and why."""

    authority: str
    reason: str


@dataclass(frozen=True)
class TimestampRun:
    """The tokens of one item from every authority asked, and the authorities that failed."""

    tokens: tuple[TimestampToken, ...]
    failures: tuple[AuthorityFailure, ...]

    @property
    def ok(self) -> bool:
        """At least one token, no failure."""
        return bool(self.tokens) and not self.failures


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuses redirects: an authority answers at its URL (a redirect could lead to another
    scheme or host than the one configured)."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)

#: Sends a request (DER) to a URL within a timeout in seconds and returns the response body.
Transport = Callable[[str, bytes, float], bytes]


def http_transport(url: str, request_der: bytes, timeout: float) -> bytes:
    """POST ``request_der`` as ``application/timestamp-query``; the body, at most
    :data:`MAX_RESPONSE_BYTES`, or :class:`TransportError`."""
    if not url.startswith(("http://", "https://")):
        raise TransportError(f"{url}: only http(s) authorities are asked")
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=request_der,
        method="POST",
        headers={
            "Content-Type": "application/timestamp-query",
            "Accept": "application/timestamp-reply",
        },
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            body: bytes = response.read(MAX_RESPONSE_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise TransportError(f"{url}: {exc}") from exc
    if len(body) > MAX_RESPONSE_BYTES:
        raise TransportError(f"{url}: response larger than {MAX_RESPONSE_BYTES} bytes")
    return body


def digest_stream(
    stream: BinaryIO, algorithms: Iterable[HashAlgorithm], chunk: int = 1 << 20
) -> dict[HashAlgorithm, bytes]:
    """The digests of everything left in ``stream`` under each of ``algorithms``, read once
    in chunks (a renewal needs the item hashed under the new algorithm)."""
    hashers = {a: hashlib.new(a.value) for a in algorithms}
    while block := stream.read(chunk):
        for hasher in hashers.values():
            hasher.update(block)
    return {a: h.digest() for a, h in hashers.items()}


# --- DER of a TimeStampReq (RFC 3161 §2.4.1) -------------------------------------------------


def _der(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content


def _der_int(value: int) -> bytes:
    raw = value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True)
    return _der(0x02, raw)


def _der_oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    body = bytearray([40 * parts[0] + parts[1]])
    for part in parts[2:]:
        chunk = [part & 0x7F]
        part >>= 7
        while part:
            chunk.append(0x80 | (part & 0x7F))
            part >>= 7
        body.extend(reversed(chunk))
    return _der(0x06, bytes(body))


def build_request(
    digest: bytes,
    algorithm: HashAlgorithm,
    *,
    nonce: int,
    policy: str | None = None,
    cert_req: bool = True,
) -> bytes:
    """The DER of a timestamp request for ``digest`` (already hashed with ``algorithm``)."""
    if len(digest) != algorithm.digest_size:
        raise TimestampError(
            f"a {algorithm} digest has {algorithm.digest_size} bytes, not {len(digest)}"
        )
    algorithm_id = _der(0x30, _der_oid(algorithm.oid) + b"\x05\x00")
    imprint = _der(0x30, algorithm_id + _der(0x04, digest))
    body = _der_int(1) + imprint
    if policy is not None:
        body += _der_oid(policy)
    body += _der_int(nonce)
    if cert_req:
        body += b"\x01\x01\xff"
    return _der(0x30, body)


# --- tokens ----------------------------------------------------------------------------------


def _load_certs(pem: bytes, authority: str) -> list[x509.Certificate]:
    try:
        certs = x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise TimestampError(f"authority {authority!r}: unreadable certificates: {exc}") from exc
    if not any(c.issuer == c.subject for c in certs):
        raise TimestampError(f"authority {authority!r}: no self-signed root among its certificates")
    return certs


def _parse(der: bytes, authority: str) -> TimeStampResponse:
    if len(der) > MAX_RESPONSE_BYTES:
        raise TimestampError(f"authority {authority!r}: token larger than {MAX_RESPONSE_BYTES}")
    try:
        return decode_timestamp_response(der)
    except ValueError as exc:
        raise TimestampError(f"authority {authority!r}: not a timestamp response: {exc}") from exc


def _token(der: bytes, response: TimeStampResponse, authority: str) -> TimestampToken:
    info = response.tst_info
    gen_time = info.gen_time
    if gen_time.tzinfo is None:
        gen_time = gen_time.replace(tzinfo=UTC)
    return TimestampToken(
        der=der,
        authority=authority,
        gen_time=gen_time,
        hash_algorithm=HashAlgorithm.from_oid(info.message_imprint.hash_algorithm.dotted_string),
        message_imprint=info.message_imprint.message,
        serial=info.serial_number,
        policy=info.policy.dotted_string,
    )


def load_token(der: bytes, authority: str) -> TimestampToken:
    """The token in the response ``der`` (stored earlier), read but NOT verified."""
    response = _parse(der, authority)
    if response.status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        raise TimestampError(f"authority {authority!r}: the response holds no token")
    return _token(der, response, authority)


def _verify(
    response: TimeStampResponse,
    digest: bytes,
    certs_pem: bytes,
    authority: str,
    *,
    nonce: int | None = None,
    policy: str | None = None,
) -> None:
    builder = VerifierBuilder()
    for cert in _load_certs(certs_pem, authority):
        if cert.issuer == cert.subject:
            builder = builder.add_root_certificate(cert)
        else:
            builder = builder.add_intermediate_certificate(cert)
    if nonce is not None:
        builder = builder.nonce(nonce)
    if policy is not None:
        builder = builder.policy_id(x509.ObjectIdentifier(policy))
    try:
        builder.build().verify(response, digest)
    except (VerificationError, ValueError) as exc:
        raise TimestampError(f"authority {authority!r}: token does not verify: {exc}") from exc


def verify_token(token: TimestampToken, digest: bytes, authority_certs: bytes) -> TimestampToken:
    """Check ``token`` offline: signed under ``authority_certs`` (PEM; chain valid at the
    token's time), by a timestamping certificate, over ``digest``.

    Returns the token as read again from its DER (trust these fields, not stored copies);
    raises :class:`TimestampError` naming the authority and the reason.
    """
    response = _parse(token.der, token.authority)
    _verify(response, digest, authority_certs, token.authority)
    checked = _token(token.der, response, token.authority)
    if (checked.gen_time, checked.message_imprint, checked.serial) != (
        token.gen_time,
        token.message_imprint,
        token.serial,
    ):
        raise TimestampError(
            f"authority {token.authority!r}: the recorded time, imprint or serial differ "
            "from those in the token"
        )
    return checked


def request_timestamp(
    digest: bytes,
    authority: TimestampAuthority,
    transport: Transport | None = None,
) -> TimestampToken:
    """A token from ``authority`` over ``digest`` (hashed with its ``hash_algorithm``).

    A fresh random nonce is sent and the certificate asked for; the response is verified
    (nonce, policy, signature, chain, imprint) before it is returned.
    """
    send = transport or http_transport
    nonce = secrets.randbits(63)
    request = build_request(
        digest, authority.hash_algorithm, nonce=nonce, policy=authority.policy, cert_req=True
    )
    der = send(authority.url, request, authority.timeout)
    response = _parse(der, authority.name)
    if response.status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        said = "; ".join(response.status_string) or "no reason given"
        raise TimestampError(
            f"authority {authority.name!r} refused (status {response.status}): {said}"
        )
    _verify(
        response, digest, authority.certs_pem, authority.name, nonce=nonce, policy=authority.policy
    )
    return _token(der, response, authority.name)


def timestamp_with_all(
    digests: Mapping[HashAlgorithm, bytes],
    authorities: Sequence[TimestampAuthority],
    transport: Transport | None = None,
) -> TimestampRun:
    """A token from each authority, over the item's digest under that authority's algorithm.

    An authority that fails (unreachable, refusing, a token that does not verify, no digest
    of its algorithm given) is reported in ``failures``; the others' tokens are kept.
    """
    tokens: list[TimestampToken] = []
    failures: list[AuthorityFailure] = []
    for authority in authorities:
        digest = digests.get(authority.hash_algorithm)
        if digest is None:
            failures.append(
                AuthorityFailure(authority.name, f"no {authority.hash_algorithm} digest given")
            )
            continue
        try:
            tokens.append(request_timestamp(digest, authority, transport))
        except TimestampError as exc:
            failures.append(AuthorityFailure(authority.name, str(exc)))
    return TimestampRun(tuple(tokens), tuple(failures))


# --- renewal ---------------------------------------------------------------------------------


def renewal_imprint(previous_der: bytes, item_digest: bytes, algorithm: HashAlgorithm) -> bytes:
    """``H(previous token's DER || item digest)``, with ``item_digest`` under ``algorithm``.

    What a renewal token covers; a recipient recomputes it as
    ``cat previous.tsr item.digest | <algorithm>sum`` where ``item.digest`` holds the raw
    digest bytes of the item under the new algorithm.
    """
    if len(item_digest) != algorithm.digest_size:
        raise TimestampError(
            f"a {algorithm} digest has {algorithm.digest_size} bytes, not {len(item_digest)}"
        )
    return algorithm.digest(previous_der + item_digest)


def retimestamp(
    previous: TimestampToken,
    item_digest: bytes,
    authority: TimestampAuthority,
    transport: Transport | None = None,
) -> TimestampToken:
    """Renew ``previous``: a token from ``authority`` over :func:`renewal_imprint` of it and
    the item's digest under the authority's (newer) algorithm, which must be given."""
    imprint = renewal_imprint(previous.der, item_digest, authority.hash_algorithm)
    return request_timestamp(imprint, authority, transport)


def verify_chain(
    chain: Sequence[TimestampToken],
    item_digests: Mapping[HashAlgorithm, bytes],
    authority_certs: Mapping[str, bytes],
) -> tuple[TimestampToken, ...]:
    """Check an item's tokens, oldest first: the first over the item's digest, each later one
    a renewal of the one before it (later in time), each verified offline under its
    authority's certificates (``authority_certs`` by authority name).

    Returns the tokens as read again; raises :class:`TimestampError` at the first bad link.
    """
    if not chain:
        raise TimestampError("no timestamp token to verify")
    checked: list[TimestampToken] = []
    for index, token in enumerate(chain):
        certs = authority_certs.get(token.authority)
        if certs is None:
            raise TimestampError(f"token {index}: no certificates for {token.authority!r}")
        digest = item_digests.get(token.hash_algorithm)
        if digest is None:
            raise TimestampError(f"token {index}: no {token.hash_algorithm} digest of the item")
        if index > 0:
            digest = renewal_imprint(chain[index - 1].der, digest, token.hash_algorithm)
        try:
            good = verify_token(token, digest, certs)
        except TimestampError as exc:
            raise TimestampError(f"token {index}: {exc}") from exc
        if checked and good.gen_time < checked[-1].gen_time:
            raise TimestampError(f"token {index}: renewal older than the token it renews")
        checked.append(good)
    return tuple(checked)


# --- configuration ---------------------------------------------------------------------------

_AUTHORITY_KEYS = {"name", "url", "certs", "hash_algorithm", "policy", "timeout"}


def _authority_entry(entry: Any, index: int, base: Path, where: str) -> TimestampAuthority:
    key = f"authorities[{index}]"
    if not isinstance(entry, dict) or set(entry) - _AUTHORITY_KEYS:
        raise ConfigError(
            f"each authority is a mapping of {sorted(_AUTHORITY_KEYS)}", path=where, key=key
        )
    for needed in ("name", "url", "certs"):
        if not isinstance(entry.get(needed), str) or not entry[needed].strip():
            raise ConfigError(f"needs {needed} (text)", path=where, key=key)
    certs = Path(entry["certs"])
    certs = certs if certs.is_absolute() else base / certs
    try:
        pem = certs.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"cannot read the certificates {certs}: {exc}", path=where, key=key
        ) from exc
    try:
        algorithm = HashAlgorithm(entry.get("hash_algorithm", "sha256"))
    except ValueError:
        raise ConfigError(
            f"hash_algorithm is one of {[a.value for a in HashAlgorithm]}", path=where, key=key
        ) from None
    timeout = entry.get("timeout", DEFAULT_TIMEOUT)
    if not isinstance(timeout, int | float) or not 0 < timeout <= 600:
        raise ConfigError("timeout is seconds, above 0 and at most 600", path=where, key=key)
    policy = entry.get("policy")
    if policy is not None and not isinstance(policy, str):
        raise ConfigError("policy is an OID (text)", path=where, key=key)
    try:
        return TimestampAuthority(
            name=entry["name"].strip(),
            url=entry["url"].strip(),
            certs_pem=pem,
            hash_algorithm=algorithm,
            policy=policy,
            timeout=float(timeout),
        )
    except ConfigError as exc:
        raise ConfigError(exc.reason, path=where, key=f"{key}.{exc.key}") from exc


def load_authorities(path: Path) -> tuple[TimestampAuthority, ...]:
    """The authorities listed in the YAML file ``path`` (``authorities:``, a list of
    ``name``, ``url``, ``certs`` (a PEM file, relative to ``path``'s folder), and optional
    ``hash_algorithm``, ``policy``, ``timeout``); :class:`ConfigError` naming the entry."""
    where = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=where) from exc
    if not isinstance(data, dict) or not isinstance(data.get("authorities"), list):
        raise ConfigError("must hold a list under authorities:", path=where)
    found = tuple(
        _authority_entry(entry, i, path.parent, where)
        for i, entry in enumerate(data["authorities"])
    )
    names = [a.name for a in found]
    if len(set(names)) != len(names):
        raise ConfigError("two authorities have the same name", path=where, key="authorities")
    return found
