"""Sign-in with a password, then TOTP for every role that may see above public."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from inquest.web.accounts.models import SealedTOTPDevice
from inquest.web.accounts.policy import requires_two_factor
from inquest.web.audit.models import AuditEntry

from ..personas import Personas, totp_device, totp_token

PASSWORD = "synthetic-pass-1988-long"


def _with_password(user: User) -> User:
    user.set_password(PASSWORD)
    user.save()
    return user


def _sign_in(client: Client, user: User, next_url: str = "/sources/") -> None:
    response = client.post(
        "/login/", {"username": user.username, "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302, response.content[:500]


def test_who_needs_two_factor_follows_the_matrix(personas: Personas) -> None:
    assert not requires_two_factor(personas.anonymous)
    assert not requires_two_factor(personas.reader)  # public view only: sees what anyone sees
    for user in (
        personas.researcher,
        personas.analyst,
        personas.investigator,
        personas.administrator,  # internal clearance and the grant action
    ):
        assert requires_two_factor(user), user.username


def test_enrolment_shows_qr_and_secret_then_confirms(client: Client, personas: Personas) -> None:
    user = _with_password(personas.analyst)
    _sign_in(client, user)
    response = client.get("/sources/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/enrol/?next=%2Fsources%2F"
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and "<path" in page and "<script" not in page
    device = SealedTOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'<code class="secret" dir="ltr">([A-Z2-7 ]+)</code>', page)
    assert secret is not None and len(secret.group(1).replace(" ", "")) == 32
    response = client.post("/accounts/two-factor/enrol/", {"token": "000000", "next": "/sources/"})
    assert response.status_code == 200 and "not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()  # a failure makes the device wait before the next try
    response = client.post(
        "/accounts/two-factor/enrol/", {"token": totp_token(device), "next": "/sources/"}
    )
    assert response.status_code == 302 and response["Location"] == "/sources/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/sources/").status_code == 200
    # Confirmed: the secret is never shown again.
    again = client.get("/accounts/two-factor/enrol/")
    assert again.status_code == 302 and "/two-factor/verify/" in again["Location"]
    actions = list(AuditEntry.objects.filter(actor_id=user.pk).values_list("action", flat=True))
    assert actions == ["account.login", "account.two_factor_enrolled"]


def test_wrong_code_is_refused_and_audited(client: Client, personas: Personas) -> None:
    user = _with_password(personas.investigator)
    device = totp_device(user)
    _sign_in(client, user)
    response = client.post("/accounts/two-factor/verify/", {"token": "12345x"})
    assert response.status_code == 200  # not six digits: the form says so
    wrong = f"{(int(totp_token(device)) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/two-factor/verify/", {"token": wrong})
    assert response.status_code == 200
    assert client.get("/sources/").status_code == 302
    assert AuditEntry.objects.filter(action="account.two_factor_failed", actor_id=user.pk).exists()


def test_session_key_changes_at_sign_in_and_at_verification(
    client: Client, personas: Personas
) -> None:
    user = _with_password(personas.investigator)
    device = totp_device(user)
    client.get("/login/")
    client.session.save()
    before = client.session.session_key
    _sign_in(client, user)
    after_password = client.session.session_key
    client.post("/accounts/two-factor/verify/", {"token": totp_token(device)})
    after_code = client.session.session_key
    assert len({before, after_password, after_code}) == 3


def test_unverified_api_call_is_refused(client: Client, personas: Personas) -> None:
    user = _with_password(personas.investigator)
    _sign_in(client, user)
    response = client.get("/api/sources/")
    assert response.status_code == 403
    assert response.json() == {"detail": "two-factor verification required"}


def test_public_only_user_needs_no_second_factor(client: Client, personas: Personas) -> None:
    user = _with_password(personas.reader)
    _sign_in(client, user)
    assert client.get("/sources/").status_code == 200


def test_sign_out_works_before_verification(client: Client, personas: Personas) -> None:
    user = _with_password(personas.investigator)
    _sign_in(client, user)
    assert client.post("/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("target", ["https://attacker.example/", "//attacker.example/x"])
def test_verification_never_redirects_off_site(
    client: Client, personas: Personas, target: str
) -> None:
    user = _with_password(personas.investigator)
    device = totp_device(user)
    _sign_in(client, user)
    response = client.post(
        "/accounts/two-factor/verify/", {"token": totp_token(device), "next": target}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_two_factor_pages_in_persian(client: Client, personas: Personas) -> None:
    user = _with_password(personas.investigator)
    totp_device(user)
    client.post("/i18n/setlang/", {"language": "fa", "next": "/"})
    _sign_in(client, user)
    page = client.get("/accounts/two-factor/verify/").content.decode()
    assert 'dir="rtl"' in page and "ورود دومرحله‌ای" in page
