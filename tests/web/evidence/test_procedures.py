"""Redacted and stripped copies, trusted timestamps, expunge and the export bundle, through
the services and the pages: access, custody and audit in one transaction, content removed."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bagit
import pymupdf
import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse

from evidence._pdfs import NAME, holds, pdf_with_name
from evidence._tsa import TestTSA, serve
from inquest.errors import ConfigError, InputError
from inquest.evidence.bundle import verify_bundle
from inquest.evidence.local import LocalStore
from inquest.evidence.redact import RedactionReason, Region
from inquest.evidence.store import ObjectMissing
from inquest.evidence.vocabulary import ExpungeReason
from inquest.web.access.levels import Level
from inquest.web.audit.models import AuditEntry
from inquest.web.evidence import services
from inquest.web.evidence.models import EvidenceItem, ItemTimestamp

from ..personas import Personas
from .helpers import acquisition, picture

pytestmark = pytest.mark.django_db

# The name's line on page 1 of pdf_with_name, in PDF points from the top left.
NAME_REGION = Region(60, 95, 300, 118)


def _item(user: Any, data: bytes, name: str, level: Level = Level.CONFIDENTIAL) -> EvidenceItem:
    return services.add_upload(user, io.BytesIO(data), name, acquisition(), level=level).item


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _page_text(pdf: bytes, page: int, box: Region) -> str:
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        rect = pymupdf.Rect(box.x0, box.y0, box.x1, box.y1)
        return str(doc[page].get_text("text", clip=rect)).strip()


def _configure(settings: Any, folder: Path, tsa: TestTSA, url: str, file: str = "tsa") -> None:
    (folder / f"{file}.pem").write_bytes(tsa.chain_pem)
    (folder / f"{file}.yaml").write_text(
        f"authorities:\n  - name: {tsa.name}\n    url: {url}\n    certs: {file}.pem\n",
        encoding="utf-8",
    )
    settings.INQUEST_TIMESTAMP_AUTHORITIES = str(folder / f"{file}.yaml")


@pytest.fixture
def tsa(settings: Any, tmp_path: Path) -> Iterator[TestTSA]:
    """A local test authority served on 127.0.0.1, configured as the only one."""
    authority = TestTSA.make("synthetic-tsa")
    with serve(authority) as url:
        _configure(settings, tmp_path, authority, url)
        yield authority


# -- copies -----------------------------------------------------------------------------------


def test_a_redacted_pdf_copy_has_no_text_in_the_region_and_links_to_its_original(
    personas: Personas, evidence_store: LocalStore
) -> None:
    original = _item(personas.analyst, pdf_with_name(pages=3), "statement.pdf")
    before = _page_text(pdf_with_name(pages=3), 0, NAME_REGION)
    assert NAME in before  # the region does hold the name before
    copy = services.redact_item(
        personas.analyst,
        original,
        pages=(2,),
        regions=[(0, NAME_REGION)],
        reason=RedactionReason.WITNESS_PROTECTION,
        note="synthetic: the witness asked",
        level=Level.INTERNAL,
    )
    with evidence_store.open(copy.sha256) as stream:
        data = stream.read()
    assert _page_text(data, 0, NAME_REGION) == "" and not holds(data, NAME)
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        assert doc.page_count == 3 and "Page withheld" in doc[2].get_text()
        assert "Statement, page 2" in doc[1].get_text()
    # an item of its own, linked to the original, at its own level
    assert copy.derived_from == original and copy.derivation == "redacted"
    assert copy.confidentiality == Level.INTERNAL and copy.sha256 != original.sha256
    assert list(original.copies.all()) == [copy]
    assert copy.redactions[0] == {
        "page": 3,
        "region": None,
        "reason": "witness_protection",
        "actor": personas.analyst.username,
        "note": "synthetic: the witness asked",
    }
    assert copy.redactions[1]["page"] == 1 and copy.redactions[1]["region"] == [60, 95, 300, 118]
    assert copy.restrictions == original.restrictions and copy.consent == original.consent
    assert "statement" not in copy.display_name  # the original's name is not carried
    event = original.custody.get(action="redacted")
    assert event.reason == "synthetic: the witness asked"
    assert event.detail["copy"] == copy.sha256 and event.confidentiality == original.confidentiality
    assert list(copy.custody.values_list("action", flat=True)) == ["received"]
    entry = AuditEntry.objects.get(action="evidence.redact")
    assert entry.object_id == str(copy.pk) and entry.detail["original"] == original.pk
    assert "witness asked" not in json.dumps(entry.detail)
    # the link and the redactions are frozen in the database too
    with pytest.raises(DatabaseError), transaction.atomic():
        EvidenceItem.objects.filter(pk=copy.pk).update(redactions=[])
    with pytest.raises(DatabaseError), transaction.atomic():
        EvidenceItem.objects.filter(pk=copy.pk).update(derived_from=None)


def test_an_image_redaction_fills_the_region(
    personas: Personas, evidence_store: LocalStore
) -> None:
    original = _item(personas.analyst, picture(4), "photo.png")
    copy = services.redact_item(
        personas.analyst,
        original,
        regions=[(None, Region(10, 10, 60, 40))],
        reason=RedactionReason.VICTIM_PRIVACY,
    )
    from PIL import Image

    with evidence_store.open(copy.sha256) as stream:
        image = Image.open(io.BytesIO(stream.read())).convert("RGB")
    assert {image.getpixel((x, y)) for x in range(10, 60) for y in range(10, 40)} == {(0, 0, 0)}
    assert image.getpixel((200, 150)) != (0, 0, 0)


def test_a_stripped_copy_has_no_exif_and_is_linked(
    personas: Personas, evidence_store: LocalStore
) -> None:
    original = _item(personas.analyst, picture(5, fmt="JPEG", text="SyntheticCamera"), "p.jpg")
    copy = services.strip_item(personas.analyst, original)
    with evidence_store.open(copy.sha256) as stream:
        data = stream.read()
    assert b"SyntheticCamera" not in data
    with evidence_store.open(original.sha256) as stream:
        assert b"SyntheticCamera" in stream.read()  # the original is untouched
    assert copy.derived_from == original and copy.derivation == "stripped"
    assert original.custody.filter(action="copied").count() == 1
    assert AuditEntry.objects.filter(action="evidence.strip", object_id=str(copy.pk)).exists()


def test_copies_need_export_at_the_original_and_add_at_the_copy_level(
    personas: Personas, evidence_store: LocalStore
) -> None:
    internal = _item(personas.researcher, pdf_with_name(), "s.pdf", Level.INTERNAL)
    with pytest.raises(PermissionDenied):  # the researcher may not read originals out
        services.strip_item(personas.researcher, internal)
    protected = _item(personas.investigator, pdf_with_name(pages=1), "p.pdf", Level.PROTECTED)
    with pytest.raises(PermissionDenied):  # the analyst does not see it
        services.strip_item(personas.analyst, protected)
    with pytest.raises(PermissionDenied):  # no add_evidence above the analyst's clearance
        services.strip_item(personas.analyst, internal, level=Level.PROTECTED)
    with pytest.raises(InputError):
        services.redact_item(personas.analyst, internal, reason=RedactionReason.OTHER)
    assert EvidenceItem.objects.filter(derived_from__isnull=False).count() == 0


def test_the_page_makes_a_redacted_copy_and_shows_it_on_the_original(
    personas: Personas, evidence_store: LocalStore
) -> None:
    original = _item(personas.analyst, pdf_with_name(), "statement.pdf")
    client = _client(personas.analyst)
    url = reverse("evidence:evidence-redact", args=[original.uid])
    bad = client.post(url, {"regions": "1:10,10", "reason": "other", "level": "1"})
    assert bad.status_code == 400 and b"x0,y0,x1,y1" in bad.content
    response = client.post(
        url,
        {
            "pages": "2",
            "regions": "1:60,95,300,118",
            "reason": "source_protection",
            "note": "synthetic note",
            "level": str(int(Level.INTERNAL)),
        },
    )
    copy = EvidenceItem.objects.get(derived_from=original)
    assert response.status_code == 302 and response["Location"].endswith(f"{copy.uid}/")
    page = client.get(reverse("evidence:evidence-detail", args=[original.uid]))
    assert str(copy.uid).encode() in page.content
    copy_page = client.get(reverse("evidence:evidence-detail", args=[copy.uid]))
    assert (
        b"synthetic note" in copy_page.content and str(original.uid).encode() in copy_page.content
    )
    # the researcher sees the internal copy, not the confidential original, nor its link
    seen = _client(personas.researcher).get(reverse("evidence:evidence-detail", args=[copy.uid]))
    i = seen.content.find(str(original.uid).encode())
    assert seen.status_code == 200 and i < 0, seen.content[i - 300 : i + 100]
    refused = _client(personas.researcher).post(
        reverse("evidence:evidence-strip", args=[copy.uid]), {"level": "1"}
    )
    assert refused.status_code == 400 and EvidenceItem.objects.count() == 2


# -- timestamps -------------------------------------------------------------------------------


def test_timestamps_are_stored_and_checked_offline_then_renewed(
    personas: Personas, evidence_store: LocalStore, tsa: TestTSA, settings: Any, tmp_path: Path
) -> None:
    item = _item(personas.analyst, picture(6), "photo.png")
    run = services.timestamp_item(personas.analyst, item)
    assert run.ok and len(tsa.requests) == 1
    token = ItemTimestamp.objects.get(item=item)
    assert token.imprint == item.sha256 and token.confidentiality == item.confidentiality
    with pytest.raises(DatabaseError), transaction.atomic():
        ItemTimestamp.objects.filter(pk=token.pk).update(imprint="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        ItemTimestamp.objects.filter(pk=token.pk).delete()
    assert item.custody.filter(action="timestamped").count() == 1
    assert AuditEntry.objects.filter(action="evidence.timestamp").count() == 1
    [check] = services.check_timestamps(personas.analyst, item)
    assert check.ok and check.configured
    # no network for the check: it holds with the authority gone
    tsa.refuse = True
    assert services.check_timestamps(personas.analyst, item)[0].ok
    tsa.refuse = False
    # checked against another CA of the same name, it fails
    other = TestTSA.make("synthetic-tsa")
    _configure(settings, tmp_path, other, "http://127.0.0.1:9/", file="other")
    failed = services.check_timestamps(personas.analyst, item)[0]
    assert not failed.ok and "does not verify" in failed.problem
    settings.INQUEST_TIMESTAMP_AUTHORITIES = str(tmp_path / "tsa.yaml")
    # renewal: the last token of each chain that is due
    assert services.retimestamp_due(older_than=None, algorithms=()).renewed == ()
    renewed = services.retimestamp_due(algorithms=[services.HashAlgorithm.SHA256])
    assert len(renewed.renewed) == 1 and renewed.renewed[0].renews == token
    [chain] = services.check_timestamps(personas.analyst, item)
    assert chain.ok and len(chain.tokens) == 2
    assert AuditEntry.objects.filter(action="evidence.retimestamp").count() == 1


def test_timestamps_on_intake_and_from_the_page(
    personas: Personas, evidence_store: LocalStore, tsa: TestTSA, settings: Any
) -> None:
    settings.INQUEST_TIMESTAMP_ON_INTAKE = True
    item = _item(personas.analyst, picture(7), "photo.png")
    assert ItemTimestamp.objects.filter(item=item).count() == 1
    settings.INQUEST_TIMESTAMP_ON_INTAKE = False
    client = _client(personas.analyst)
    response = client.post(reverse("evidence:evidence-timestamp", args=[item.uid]))
    assert response.status_code == 302 and ItemTimestamp.objects.filter(item=item).count() == 2
    page = client.get(reverse("evidence:evidence-detail", args=[item.uid]))
    assert page.content.count(b"synthetic-tsa") >= 2
    public = _item(personas.analyst, picture(8), "public.png", Level.PUBLIC)
    assert (
        _client(personas.reader)
        .post(reverse("evidence:evidence-timestamp", args=[public.uid]))
        .status_code
        == 403
    )


def test_no_authority_configured_is_said(personas: Personas, evidence_store: LocalStore) -> None:
    item = _item(personas.analyst, picture(9), "photo.png")
    with pytest.raises(ConfigError):
        services.timestamp_item(personas.analyst, item)


# -- expunge ----------------------------------------------------------------------------------


def test_expunge_removes_the_bytes_and_keeps_the_record_and_custody(
    personas: Personas, evidence_store: LocalStore, tsa: TestTSA
) -> None:
    item = _item(personas.investigator, picture(10), "photo.png", Level.CONFIDENTIAL)
    services.timestamp_item(personas.investigator, item)
    with pytest.raises(PermissionDenied):
        services.expunge_item(
            personas.analyst, item, reason=ExpungeReason.COURT_ORDER, reference="order 1/2026"
        )
    with pytest.raises(ValueError, match="needs a reference"):
        services.expunge_item(
            personas.investigator, item, reason=ExpungeReason.COURT_ORDER, reference=""
        )
    assert evidence_store.exists(item.sha256)
    services.expunge_item(
        personas.investigator,
        item,
        reason=ExpungeReason.COURT_ORDER,
        reference="synthetic order 12/2026",
    )
    assert not evidence_store.exists(item.sha256)
    with pytest.raises(ObjectMissing):
        evidence_store.open(item.sha256).close()
    item.refresh_from_db()
    assert item.expunged_at is not None and item.expunge_reason == "court_order"
    assert item.expunge_reference == "synthetic order 12/2026"
    actions = list(item.custody.values_list("action", flat=True))
    assert actions[:2] == ["acquired", "received"] and actions[-1] == "expunged"
    assert ItemTimestamp.objects.filter(item=item).count() == 1  # the tokens stay
    assert services.check_timestamps(personas.investigator, item)[0].ok  # from the record
    entry = AuditEntry.objects.get(action="evidence.expunge")
    assert (
        entry.object_id == str(item.pk) and entry.detail["reference"] == "synthetic order 12/2026"
    )
    verification = services.verify_all(None)
    assert verification.intact  # an expunged original is not a vanished one
    with pytest.raises(InputError):
        services.strip_item(personas.investigator, item)


def test_the_expunge_page_needs_the_action_and_the_confirmation(
    personas: Personas, evidence_store: LocalStore
) -> None:
    item = _item(personas.analyst, picture(11), "photo.png")
    url = reverse("evidence:evidence-expunge", args=[item.uid])
    assert _client(personas.analyst).get(url).status_code == 403
    assert _client(personas.analyst).post(url, {"reason": "ingested_in_error"}).status_code == 403
    client = _client(personas.investigator)
    assert client.get(url).status_code == 200
    form = {
        "reason": "ingested_in_error",
        "reference": "",
        "note": "synthetic",
        "confirm": "0" * 12,
    }
    assert client.post(url, form).status_code == 400
    assert evidence_store.exists(item.sha256)
    response = client.post(url, {**form, "confirm": item.sha256[:12]})
    assert response.status_code == 302 and not evidence_store.exists(item.sha256)
    item.refresh_from_db()
    assert item.expunged_at is not None and item.custody.filter(action="expunged").exists()
    download = client.get(reverse("evidence:evidence-download", args=[item.uid]))
    assert download.status_code == 404
    page = client.get(reverse("evidence:evidence-detail", args=[item.uid]))
    assert page.status_code == 200 and b"ingested_in_error" in page.content


# -- export -----------------------------------------------------------------------------------


def test_a_bundle_validates_with_bagit_and_its_custody_log_lists_the_export(
    personas: Personas, evidence_store: LocalStore, tsa: TestTSA, tmp_path: Path
) -> None:
    first = _item(personas.analyst, picture(12), "one.png")
    second = _item(personas.analyst, pdf_with_name(), "two.pdf")
    services.timestamp_item(personas.analyst, first)
    bundle = services.export_bundle(
        personas.analyst, [first, second], tmp_path / "bag", title="synthetic case"
    )
    bagit.Bag(str(bundle.path)).validate()
    check = verify_bundle(bundle.path)
    assert check.ok and check.files_checked == 2 and check.tokens_checked == 1
    lines = (bundle.path / "custody" / "0001.jsonl").read_text(encoding="utf-8").splitlines()
    last = json.loads(lines[-1])
    assert last["action"] == "exported" and last["actor"] == personas.analyst.username
    assert first.custody.filter(action="exported").count() == 1
    assert AuditEntry.objects.filter(action="evidence.export").count() == 2
    # a role without export_evidence: nothing written, nothing recorded
    internal = _item(personas.researcher, picture(13), "three.png", Level.INTERNAL)
    with pytest.raises(PermissionDenied):
        services.export_bundle(personas.researcher, [internal], tmp_path / "no", title="x")
    assert not (tmp_path / "no").exists() and not internal.custody.filter(action="exported")


def test_the_list_exports_ticked_items_as_an_attachment(
    personas: Personas, evidence_store: LocalStore
) -> None:
    item = _item(personas.analyst, picture(14), "one.png")
    client = _client(personas.analyst)
    listing = client.get(reverse("evidence:evidence-list"))
    assert b'name="item"' in listing.content
    response = client.post(
        reverse("evidence:evidence-export"), {"item": [str(item.uid)], "title": "synthetic"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    with zipfile.ZipFile(io.BytesIO(_body(response))) as packed:
        names = packed.namelist()
    assert any(n.endswith("manifest-sha256.txt") for n in names)
    assert item.custody.filter(action="exported").count() == 1
    researcher = _client(personas.researcher)
    internal = _item(personas.researcher, picture(15), "r.png", Level.INTERNAL)
    refused = researcher.post(
        reverse("evidence:evidence-export"), {"item": [str(internal.uid)], "title": "x"}
    )
    assert refused.status_code == 403 and not internal.custody.filter(action="exported")
