"""Argon2 hashes, audited sign-in, lockout per user name and address, cookie settings."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from inquest.web.audit.models import AuditEntry

from ..personas import Personas

PASSWORD = "synthetic-pass-1988-long"


def test_passwords_are_hashed_with_argon2(personas: Personas) -> None:
    user = personas.researcher
    user.set_password(PASSWORD)
    user.save()
    assert User.objects.get(pk=user.pk).password.startswith("argon2$")


def test_sign_in_is_audited(client: Client, personas: Personas) -> None:
    user = personas.reader
    user.set_password(PASSWORD)
    user.save()
    client.post("/login/", {"username": user.username, "password": PASSWORD})
    entry = AuditEntry.objects.get(action="account.login")
    assert entry.actor_id == user.pk and entry.detail == {"two_factor_required": False}


def test_lockout_after_five_failures_for_that_name_and_address(
    client: Client, personas: Personas
) -> None:
    user = personas.analyst
    user.set_password(PASSWORD)
    user.save()
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit):
        response = client.post(
            "/login/", {"username": user.username, "password": "wrong"}, REMOTE_ADDR="10.0.0.7"
        )
    assert response.status_code == 429
    response = client.post(
        "/login/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.7"
    )
    assert response.status_code == 429  # the right password does not help while locked
    assert "_auth_user_id" not in client.session
    assert "locked" in response.content.decode().lower()
    # Another address is not locked out for this user (lockout is per name and address).
    other = Client()
    response = other.post(
        "/login/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.8"
    )
    assert response.status_code == 302
    # The first failure and the first lockout from that address each have an entry naming
    # the user; later ones are counted into a summary (tests/web/accounts/test_signin_failures).
    failed = AuditEntry.objects.get(action="account.login_failed")
    assert failed.object_id == str(user.pk)
    assert failed.detail["user"] == user.username and failed.detail["ip_address"] == "10.0.0.7"
    locked = AuditEntry.objects.get(action="account.locked_out")
    assert locked.detail["user"] == user.username and locked.detail["ip_address"] == "10.0.0.7"


def test_failed_sign_in_never_records_the_password(client: Client, personas: Personas) -> None:
    client.post("/login/", {"username": personas.analyst.username, "password": "typed-secret-xyz"})
    assert not any("typed-secret-xyz" in str(e.detail) for e in AuditEntry.objects.all())


def test_session_cookie_is_http_only_same_site_and_short(
    client: Client, personas: Personas
) -> None:
    user = personas.reader
    user.set_password(PASSWORD)
    user.save()
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_AGE <= 3600 and settings.SESSION_RENEW_SECONDS <= 300


def test_sessions_renew_at_most_once_a_minute(
    client: Client, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.contrib.sessions.models import Session

    from inquest.web.accounts import middleware

    client.force_login(personas.reader)
    clock = [1_000_000.0]
    monkeypatch.setattr(middleware.time, "time", lambda: clock[0])

    def expiry() -> object:
        return Session.objects.get(session_key=client.session.session_key).expire_date

    client.get("/sources/")
    first = expiry()
    clock[0] += 30  # within the minute: no write, the expiry stays
    client.get("/sources/")
    assert expiry() == first
    clock[0] += 31  # a minute on: the expiry is pushed back
    client.get("/sources/")
    assert expiry() > first
