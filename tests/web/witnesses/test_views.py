"""Witness pages: pseudonyms for the roles cleared to see the witness, the identity only for
roles with view_identity (each view audited); nothing identifying in logs or on the 500 page."""

from __future__ import annotations

import io
import logging

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path

from inquest.web.access.levels import Level
from inquest.web.audit.models import AuditEntry
from inquest.web.witnesses import services
from inquest.web.witnesses.crypto import ENV_KEY, FieldKey
from inquest.web.witnesses.models import Witness
from inquest.web.witnesses.redaction import MASK, RedactRevealed

from ..personas import Personas
from .test_services import CANARY


def _client(user: object | None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.fixture
def witness(personas: Personas, field_key: FieldKey) -> Witness:
    made = services.create_witness(
        personas.investigator, pseudonym="W-canary", identity=CANARY, level=Level.CONFIDENTIAL
    )
    services.add_testimony(personas.investigator, made, summary="synthetic testimony summary")
    return made


def test_list_and_detail_show_pseudonyms_to_cleared_roles(
    personas: Personas, witness: Witness
) -> None:
    for user in (personas.analyst, personas.investigator):
        client = _client(user)
        listing = client.get("/witnesses/").content.decode()
        assert "W-canary" in listing
        detail = client.get(f"/witnesses/{witness.uid}/").content.decode()
        assert "synthetic testimony summary" in detail
        for value in CANARY.values().values():
            assert value not in listing and value not in detail
    for user in (None, personas.reader, personas.researcher):
        client = _client(user)
        assert "W-canary" not in client.get("/witnesses/").content.decode()
        assert client.get(f"/witnesses/{witness.uid}/").status_code == 404


def test_identity_page_for_view_identity_only_and_audited(
    personas: Personas, witness: Witness
) -> None:
    url = f"/witnesses/{witness.uid}/identity/"
    assert _client(personas.analyst).get(url).status_code == 403
    assert _client(personas.researcher).get(url).status_code == 404
    assert _client(None).get(url).status_code == 404
    assert not AuditEntry.objects.filter(action="witness.identity.view").exists()
    response = _client(personas.investigator).get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    for value in CANARY.values().values():
        assert value in body
    assert (
        AuditEntry.objects.filter(
            action="witness.identity.view", actor_label="synthetic-investigator"
        ).count()
        == 1
    )


def test_identity_page_in_persian(personas: Personas, witness: Witness) -> None:
    client = _client(personas.investigator)
    client.cookies["django_language"] = "fa"
    body = client.get(f"/witnesses/{witness.uid}/identity/").content.decode()
    assert 'dir="rtl"' in body and CANARY.real_name in body


def _leaky(request: HttpRequest, pk: int) -> HttpResponse:
    """A view with a bug: it puts a decrypted value in an exception and a log message."""
    identity = services.reveal(request.user, Witness.objects.get(pk=pk))
    logging.getLogger("inquest.test").warning("looked at %s", identity.real_name)
    raise RuntimeError(f"failed on {identity.real_name} / {identity.contact}")


urlpatterns = [
    path("leak/<int:pk>/", _leaky),
    path("", include("inquest.web.urls")),
]
handler500 = "inquest.web.site.errors.server_error"


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_no_identity_in_logs_or_error_pages(personas: Personas, witness: Witness) -> None:
    handlers = [
        h
        for name in ("", "django")
        for h in logging.getLogger(name).handlers
        if any(isinstance(f, RedactRevealed) for f in h.filters)
    ]
    assert len(handlers) == 2, "the settings install the redacting filter on both handlers"
    streams = [io.StringIO() for _ in handlers]
    olds = [h.stream for h in handlers]  # type: ignore[attr-defined]
    for h, s in zip(handlers, streams, strict=True):
        h.stream = s  # type: ignore[attr-defined]
    try:
        response = _client(personas.investigator).get(f"/leak/{witness.pk}/")
    finally:
        for h, old in zip(handlers, olds, strict=True):
            h.stream = old  # type: ignore[attr-defined]
    assert response.status_code == 500
    logged = "".join(s.getvalue() for s in streams)
    assert "Internal Server Error" in logged and "RuntimeError" in logged
    assert MASK in logged
    body = response.content.decode()
    for value in CANARY.values().values():
        if len(value) >= 3:
            assert value not in logged
            assert value not in body


def test_filter_redacts_message_args_and_exception() -> None:
    from inquest.web.witnesses import redaction

    redaction.forget_all()
    redaction.remember("SYNTHETIC-SECRET-9")
    try:
        try:
            raise ValueError("SYNTHETIC-SECRET-9 in exception")
        except ValueError:
            record = logging.LogRecord(
                "x", logging.ERROR, __file__, 1, "saw %s", ("SYNTHETIC-SECRET-9",), None
            )
            import sys

            record.exc_info = sys.exc_info()
        assert RedactRevealed().filter(record)
        text = logging.Formatter().format(record)
    finally:
        redaction.forget_all()
    assert "SYNTHETIC-SECRET-9" not in text
    assert text.startswith(f"saw {MASK}") and f"ValueError: {MASK}" in text


def test_identity_page_without_a_field_key_says_so(
    personas: Personas, witness: Witness, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _client(personas.investigator)  # signing in needs the key: it seals TOTP secrets
    monkeypatch.delenv(ENV_KEY)
    response = client.get(f"/witnesses/{witness.uid}/identity/")
    assert response.status_code == 503
    assert "INQUEST_FIELD_KEY" in response.content.decode()
    assert not AuditEntry.objects.filter(action="witness.identity.view").exists()
