"""Accounts' writes: API keys made, checked and revoked, each write in one transaction with
its audit entry.

A key reads ``inq_<prefix>_<secret>``. The prefix finds the stored row; only a SHA-256 hash of
the whole key is kept, compared in constant time, so a copy of the database opens no API.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from inquest.errors import InputError
from inquest.web.access.levels import Level
from inquest.web.access.policy import AnyUser, granted_roles
from inquest.web.accounts.models import ApiToken
from inquest.web.accounts.queries import keys_of
from inquest.web.audit import services as audit

__all__ = ["IssuedKey", "authenticate", "issue", "revoke"]

_SCHEME = "inq"
#: A key is not marked used more often than this (one write per minute, not per request).
USE_MARK_INTERVAL = dt.timedelta(minutes=1)
#: The longest life a key may be given.
MAX_DAYS = 366


@dataclass(frozen=True)
class IssuedKey:
    """A key just made: ``secret`` is the only copy, shown once and never stored."""

    token: ApiToken
    secret: str = field(repr=False)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def issue(user: AnyUser, name: str, *, roles: list[str], days: int | None = 90) -> IssuedKey:
    """A new key for ``user``, limited to ``roles`` (some of the user's roles; empty: all),
    expiring after ``days`` (None: never, as an administrator may choose)."""
    if not user.is_authenticated:
        raise PermissionDenied("sign in to make an API key")
    name = " ".join(name.split())
    if not name or len(name) > 100:
        raise InputError("an API key needs a name of 1 to 100 characters", field="name")
    held = granted_roles(user)
    extra = sorted(set(roles) - held)
    if extra:
        raise InputError(f"you do not hold the role(s) {', '.join(extra)}", field="roles")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise InputError(f"a key lives 1 to {MAX_DAYS} days", field="days")
    prefix = secrets.token_hex(6)
    secret = f"{_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    expires = timezone.now() + dt.timedelta(days=days) if days is not None else None
    with transaction.atomic():
        token = ApiToken.objects.create(
            user_id=user.pk,
            name=name,
            prefix=prefix,
            key_hash=_hash(secret),
            roles=sorted(set(roles)),
            expires_at=expires,
        )
        audit.record(
            user,
            "api_key.issue",
            token,
            level=Level.INTERNAL,
            detail={"prefix": prefix, "roles": token.roles, "expires_at": expires},
        )
    return IssuedKey(token, secret)


def revoke(user: AnyUser, prefix: str) -> ApiToken:
    """Revoke one of the user's own keys (a key already revoked stays as it was)."""
    with transaction.atomic():
        token = keys_of(user).select_for_update().filter(prefix=prefix).first()
        if token is None:
            raise InputError("no such API key of yours", field="prefix")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(
                user, "api_key.revoke", token, level=Level.INTERNAL, detail={"prefix": prefix}
            )
    return token


def authenticate(key: str) -> ApiToken | None:
    """The live key ``key`` is, with its active owner; None for anything else."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != _SCHEME or len(key) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=parts[1], revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, _hash(key)):
        return None
    now = timezone.now()
    if (token.expires_at is not None and token.expires_at <= now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= USE_MARK_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
