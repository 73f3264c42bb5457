"""A flood of failed sign-ins: refused past a budget, a few audit entries, no typed names kept."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.test import Client

from inquest.web.accounts import signin_failures
from inquest.web.accounts.models import FailedSignInWindow
from inquest.web.audit.models import AuditEntry

from ..personas import Personas

PASSWORD = "synthetic-pass-1988-long"
#: A password typed into the user box, and a name that is no user: neither may be stored.
PASSWORD_AS_NAME = "Typed-Secret-In-User-Box-4417"
NOT_A_USER = "no-such-person-8812"


class Clock:
    """Stands in for ``signin_failures.now`` so a test can move past a window."""

    def __init__(self) -> None:
        self.at = dt.datetime(2026, 3, 1, 10, 0, 5, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(signin_failures, "now", clock)
    return clock


def _stored_text() -> str:
    """Everything the audit log, the window table and axes' tables hold, as one text."""
    rows = [str(e.detail) + e.object_id for e in AuditEntry.objects.all()]
    rows += [str(vars(r)) for r in FailedSignInWindow.objects.all()]
    rows += [str(vars(r)) for r in AccessAttempt.objects.all()]
    rows += [str(vars(r)) for r in AccessLog.objects.all()]
    return "\n".join(rows)


def test_a_flood_of_failures_is_refused_and_summarised(
    client: Client, personas: Personas, clock: Clock
) -> None:
    user = personas.analyst
    user.set_password(PASSWORD)
    user.save()
    names = [NOT_A_USER, PASSWORD_AS_NAME, user.username, f"{NOT_A_USER}-2"]
    statuses = []
    for i in range(200):
        response = client.post(
            "/login/", {"username": names[i % 4], "password": f"wrong-{i}"}, REMOTE_ADDR="10.0.0.9"
        )
        statuses.append(response.status_code)
    budget = settings.SIGNIN_FAILURES_PER_ADDRESS
    assert budget < 50
    after = statuses[budget:]
    assert after.count(429) == len(after)  # refused before any password is checked
    assert "Retry-After" in response and "wait" in response.content.decode().lower()
    assert AuditEntry.objects.filter(action__startswith="account.").count() <= 5
    # The window ends; the next sign-in (from anywhere) writes its summary.
    clock.at += settings.SIGNIN_WINDOW
    Client().post("/login/", {"username": user.username, "password": PASSWORD})
    entries = AuditEntry.objects.filter(action__startswith="account.").exclude(
        action="account.login"
    )
    assert entries.count() <= 5
    summary = entries.get(action="account.login_failures")
    assert summary.detail["ip_address"] == "10.0.0.9"
    assert summary.detail["failures"] == budget and summary.detail["refused"] == 200 - budget
    assert summary.detail["users"] == [user.username]
    assert len(summary.detail["name_tags"]) == 3
    assert signin_failures.name_tag(PASSWORD_AS_NAME) in summary.detail["name_tags"]
    stored = _stored_text()
    assert PASSWORD_AS_NAME not in stored and NOT_A_USER not in stored
    assert "wrong-" not in stored
    assert not FailedSignInWindow.objects.exists()


def test_one_typo_is_one_entry_and_other_addresses_go_on(
    client: Client, personas: Personas, clock: Clock
) -> None:
    user = personas.reader
    user.set_password(PASSWORD)
    user.save()
    client.post("/login/", {"username": user.username, "password": "typo"}, REMOTE_ADDR="10.0.1.1")
    for _ in range(settings.SIGNIN_FAILURES_PER_ADDRESS):
        Client().post("/login/", {"username": NOT_A_USER, "password": "x"}, REMOTE_ADDR="10.0.1.2")
    refused = Client().post("/login/", {"username": "a", "password": "b"}, REMOTE_ADDR="10.0.1.2")
    assert refused.status_code == 429
    response = client.post(
        "/login/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.1.1"
    )
    assert response.status_code == 302
    clock.at += settings.SIGNIN_WINDOW
    signin_failures.close_finished_windows(signin_failures.window_start(clock.at))
    summaries = AuditEntry.objects.filter(action="account.login_failures")
    assert [e.detail["ip_address"] for e in summaries] == ["10.0.1.2"]


def test_the_budget_of_all_addresses(
    client: Client, personas: Personas, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "SIGNIN_FAILURES_ALL_ADDRESSES", 3)
    for i in range(3):
        Client().post(
            "/login/", {"username": NOT_A_USER, "password": "x"}, REMOTE_ADDR=f"10.2.0.{i}"
        )
    for i in range(5):
        response = Client().post(
            "/login/", {"username": NOT_A_USER, "password": "x"}, REMOTE_ADDR=f"10.3.0.{i}"
        )
        assert response.status_code == 429
    throttled = AuditEntry.objects.get(action="account.login_throttled")
    assert throttled.detail["ip_address"] == signin_failures.ALL_ADDRESSES


def test_name_tags_are_keyed_and_stable() -> None:
    tag = signin_failures.name_tag(PASSWORD_AS_NAME)
    assert tag == signin_failures.name_tag(PASSWORD_AS_NAME) and PASSWORD_AS_NAME not in tag
    assert tag != signin_failures.name_tag(PASSWORD_AS_NAME + "x")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "SECRET_KEY", "another-synthetic-secret-key-for-this-test-only")
        assert signin_failures.name_tag(PASSWORD_AS_NAME) != tag


def test_a_forwarded_address_counts_only_behind_trusted_proxies(db: None, clock: Clock) -> None:
    """X-Forwarded-For is the client's to write: without trusted proxies it is ignored, and
    behind one proxy only the address that proxy appended (the right-most) counts, so a
    client cannot choose a new address per attempt to escape its budget or lockout."""
    from django.test import override_settings

    def flood(**headers: str) -> int:
        codes = [
            Client()
            .post("/login/", {"username": NOT_A_USER, "password": "x"}, **headers)
            .status_code
            for _ in range(settings.SIGNIN_FAILURES_PER_ADDRESS + 1)
        ]
        return codes[-1]

    # no proxy trusted: a forged header per request changes nothing
    assert flood(REMOTE_ADDR="10.0.2.1", HTTP_X_FORWARDED_FOR="1.2.3.4") == 429
    with override_settings(INQUEST_TRUSTED_PROXIES=1):
        forged = [f"9.9.9.{i}, 10.0.3.7" for i in range(settings.SIGNIN_FAILURES_PER_ADDRESS + 1)]
        codes = [
            Client()
            .post(
                "/login/",
                {"username": NOT_A_USER, "password": "x"},
                REMOTE_ADDR="10.0.0.9",
                HTTP_X_FORWARDED_FOR=f,
            )
            .status_code
            for f in forged
        ]
        assert codes[-1] == 429  # counted as 10.0.3.7, whatever the client put before it
        request = Client().get("/").wsgi_request
        request.META.update(REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="7.7.7.7, 10.0.4.4")
        assert signin_failures.client_ip(request) == "10.0.4.4"
