"""Evidence pages: who sees what, the upload form, downloads as attachments only, audited."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from inquest.evidence.local import LocalStore
from inquest.web.access.levels import Level
from inquest.web.audit.models import AuditEntry
from inquest.web.evidence import services
from inquest.web.evidence.models import EvidenceItem

from ..personas import Personas
from .helpers import acquisition, picture

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _item(user: Any, data: bytes, name: str, level: Level) -> EvidenceItem:
    return services.add_upload(user, io.BytesIO(data), name, acquisition(), level=level).item


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def test_a_researcher_sees_neither_a_protected_item_nor_its_original(
    personas: Personas, evidence_store: LocalStore
) -> None:
    data = picture(1) + b"SECRETBYTES"
    item = _item(personas.investigator, data, "prison-register.png", Level.PROTECTED)
    researcher = _client(personas.researcher)
    listing = researcher.get(reverse("evidence:evidence-list"))
    assert listing.status_code == 200 and b"prison-register" not in listing.content
    for name in ("evidence:evidence-detail", "evidence:evidence-download"):
        response = researcher.get(reverse(name, args=[item.uid]))
        assert response.status_code == 404
        assert b"SECRETBYTES" not in _body(response) and b"prison-register" not in _body(response)
    assert not item.custody.filter(action__in=["viewed", "exported"]).exists()


def test_the_item_page_shows_metadata_custody_and_is_recorded(
    personas: Personas, evidence_store: LocalStore
) -> None:
    item = _item(
        personas.investigator,
        picture(2, fmt="JPEG", text="synthetic caption"),
        "p.jpg",
        Level.PROTECTED,
    )
    response = _client(personas.investigator).get(
        reverse("evidence:evidence-detail", args=[item.uid])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert item.sha256 in page and "synthetic caption" in page
    assert "acquired" in page and "received" in page
    assert item.custody.filter(action="viewed").count() == 1
    assert AuditEntry.objects.filter(action="evidence.view", object_id=str(item.pk)).exists()
    # a protected item shown: the audited-reads entry too
    shown = [e.detail["objects"] for e in AuditEntry.objects.filter(action="view")]
    assert any(f"evidence.EvidenceItem:{item.pk}" in objects for objects in shown)


def test_download_is_an_attachment_never_inline_and_audited(
    personas: Personas, evidence_store: LocalStore
) -> None:
    data = b"<html><script>alert(1)</script></html>"
    item = _item(personas.investigator, data, "page.html", Level.PROTECTED)
    response = _client(personas.investigator).get(
        reverse("evidence:evidence-download", args=[item.uid])
    )
    assert response.status_code == 200 and _body(response) == data
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert item.custody.filter(action="exported").count() == 1
    entry = AuditEntry.objects.get(action="evidence.download")
    assert entry.object_id == str(item.pk) and entry.actor_label == personas.investigator.username


def test_a_visible_item_without_export_is_refused_and_the_refusal_audited(
    personas: Personas, evidence_store: LocalStore
) -> None:
    item = _item(personas.researcher, b"synthetic internal note", "note.txt", Level.INTERNAL)
    client = _client(personas.researcher)
    page = client.get(reverse("evidence:evidence-detail", args=[item.uid]))
    assert page.status_code == 200 and b"download/" not in page.content
    response = client.get(reverse("evidence:evidence-download", args=[item.uid]))
    assert response.status_code == 403 and b"synthetic internal note" not in _body(response)
    assert AuditEntry.objects.filter(action="evidence.download.refused").count() == 1


def _form(data: bytes, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "file": SimpleUploadedFile(name, data, content_type="application/pdf"),
        "acquired_by": "synthetic field team",
        "acquired_at": "2026-11-01T10:00",
        "method": "open_source",
        "consent": "not_required",
        "restrictions": "",
        "source": "",
        "description": "synthetic",
        "level": str(int(Level.CONFIDENTIAL)),
        **extra,
    }


def test_upload_form_adds_an_item_and_flags_a_picture_named_pdf(
    personas: Personas, evidence_store: LocalStore
) -> None:
    client = _client(personas.analyst)
    assert client.get(reverse("evidence:evidence-add")).status_code == 200
    response = client.post(reverse("evidence:evidence-add"), _form(picture(3), "scan.pdf"))
    item = EvidenceItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("evidence:evidence-detail", args=[item.uid])
    assert item.method == "open_source" and "type_mismatch" in item.flag_kinds()
    assert item.created_by == personas.analyst
    # the same file again: the item held, nothing new
    again = client.post(reverse("evidence:evidence-add"), _form(picture(3), "other.pdf"))
    assert again.status_code == 302 and EvidenceItem.objects.count() == 1


def test_upload_refusals(personas: Personas, evidence_store: LocalStore, settings: Any) -> None:
    assert _client(personas.reader).get(reverse("evidence:evidence-add")).status_code == 403
    client = _client(personas.researcher)
    above = client.post(reverse("evidence:evidence-add"), _form(picture(4), "a.png"))
    assert above.status_code == 400 and b"may not add items at this level" in above.content
    empty = client.post(
        reverse("evidence:evidence-add"), _form(b"", "empty.pdf", level=str(int(Level.INTERNAL)))
    )
    assert empty.status_code == 400
    settings.INQUEST_MAX_EVIDENCE_UPLOAD_BYTES = 1000
    big = client.post(
        reverse("evidence:evidence-add"),
        _form(b"x" * 5000, "big.bin", level=str(int(Level.INTERNAL))),
    )
    assert big.status_code == 413
    assert not EvidenceItem.objects.exists() and not list(evidence_store.addresses())


def test_list_filters_and_pages(personas: Personas, evidence_store: LocalStore) -> None:
    _item(personas.analyst, picture(5), "alpha.png", Level.CONFIDENTIAL)
    _item(personas.analyst, picture(6), "beta.png", Level.INTERNAL)
    client = _client(personas.analyst)
    url = reverse("evidence:evidence-list")
    assert b"alpha.png" in client.get(url, {"q": "alph"}).content
    assert b"beta.png" not in client.get(url, {"q": "alph"}).content
    by_level = client.get(url, {"level": str(int(Level.INTERNAL))}).content
    assert b"beta.png" in by_level and b"alpha.png" not in by_level
    assert b"alpha.png" not in client.get(url, {"method": "leak"}).content
    assert client.get(url, {"page": "99", "level": "x", "method": "x"}).status_code == 200


def test_the_item_page_lists_the_links_the_user_may_see(
    personas: Personas, evidence_store: LocalStore
) -> None:
    from inquest.web.registry import services as registry

    item = _item(personas.investigator, picture(7), "register.png", Level.INTERNAL)
    source = registry.create_source(
        personas.investigator,
        code="evl",
        name="Synthetic",
        origin="synthetic",
        level=Level.PROTECTED,
    )
    records = registry.add_records(
        personas.investigator, source, [registry.RowIn(row_number=1, raw={"given_name": "نمونه"})]
    )
    person = registry.create_person(
        personas.investigator, records=records, level=Level.PROTECTED, label="synthetic-linked"
    )
    services.link_item(
        personas.investigator, item, person, services.Pinpoint(page=2, quote="synthetic-quote")
    )
    url = reverse("evidence:evidence-detail", args=[item.uid])
    seen = _client(personas.investigator).get(url).content.decode()
    person.refresh_from_db()
    shown = f'href="/persons/{person.uid}/" dir="auto">{person}</a>'
    assert shown in seen and "synthetic-quote" in seen
    hidden = _client(personas.researcher).get(url).content.decode()
    assert "synthetic-quote" not in hidden and str(person.uid) not in hidden


def test_the_upload_checks_the_csrf_token(personas: Personas, evidence_store: LocalStore) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.analyst)
    response = client.post(reverse("evidence:evidence-add"), _form(picture(8), "a.png"))
    assert response.status_code == 403 and not EvidenceItem.objects.exists()
    page = client.get(reverse("evidence:evidence-add"))
    token = page.cookies["csrftoken"].value
    accepted = client.post(
        reverse("evidence:evidence-add"),
        {**_form(picture(8), "a.png"), "csrfmiddlewaretoken": token},
    )
    assert accepted.status_code == 302 and EvidenceItem.objects.count() == 1


def test_the_link_form_records_a_link_and_refuses_what_it_should(
    personas: Personas, evidence_store: LocalStore
) -> None:
    from inquest.places import PlaceKind
    from inquest.web.evidence.models import ItemLink
    from inquest.web.registry import services as registry

    item = _item(personas.analyst, picture(9), "map.png", Level.INTERNAL)
    place = registry.add_place(
        personas.investigator,
        name="Synthetic cemetery",
        kind=PlaceKind.CEMETERY,
        level=Level.INTERNAL,
    )
    hidden = registry.add_place(
        personas.investigator, name="Synthetic site", kind=PlaceKind.CEMETERY, level=Level.PROTECTED
    )
    url = reverse("evidence:evidence-link", args=[item.uid])
    form = {
        "target": "place",
        "target_uid": str(place.uid),
        "page": "1",
        "region_x": "0.1",
        "region_y": "0.1",
        "region_w": "0.2",
        "region_h": "0.2",
        "quote": "synthetic",
    }
    analyst = _client(personas.analyst)
    assert analyst.get(url).status_code == 405
    response = analyst.post(url, form)
    assert response.status_code == 302
    link = ItemLink.objects.get()
    assert link.place == place and link.region_box() == (0.1, 0.1, 0.2, 0.2)
    assert analyst.post(url, {**form, "region_h": ""}).status_code == 400
    assert analyst.post(url, {**form, "region_w": "0.95"}).status_code == 400
    not_seen = analyst.post(url, {**form, "target_uid": str(hidden.uid)})
    assert not_seen.status_code == 400 and b"Synthetic site" not in not_seen.content
    assert _client(personas.reader).post(url, form).status_code == 404
    assert ItemLink.objects.count() == 1


def test_anonymous_views_and_refusals_of_a_public_item_are_not_written(
    personas: Personas, evidence_store: LocalStore
) -> None:
    item = _item(personas.analyst, picture(10), "public.png", Level.PUBLIC)
    url = reverse("evidence:evidence-detail", args=[item.uid])
    before = AuditEntry.objects.count()
    for _ in range(3):
        assert Client().get(url).status_code == 200
    assert AuditEntry.objects.count() == before
    assert not item.custody.filter(action="viewed").exists()
    assert Client().get(reverse("evidence:evidence-download", args=[item.uid])).status_code == 403
    assert AuditEntry.objects.count() == before
