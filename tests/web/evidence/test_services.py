"""Adding items: idempotent on the same bytes, custody and audit in the one transaction,
nothing stored on a failing stream, bad input flagged or refused; access in the services."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction

from inquest.errors import InputError
from inquest.evidence.local import LocalStore
from inquest.web.access.levels import Level
from inquest.web.audit.models import AuditEntry
from inquest.web.evidence import queries, services
from inquest.web.evidence.models import CustodyEvent, EvidenceItem

from ..personas import Personas
from .helpers import acquisition, picture

pytestmark = pytest.mark.django_db


def _add(user: Any, data: bytes, name: str = "photo.png", **kw: Any) -> services.Added:
    return services.add_upload(user, io.BytesIO(data), name, acquisition(), **kw)


def test_add_stores_the_original_and_records_it(
    personas: Personas, evidence_store: LocalStore
) -> None:
    data = picture(1)
    added = _add(personas.analyst, data, level=Level.CONFIDENTIAL)
    item = added.item
    assert added.created and added.visible
    assert evidence_store.exists(item.sha256)
    with evidence_store.open(item.sha256) as stored:
        assert stored.read() == data
    assert item.size == len(data) and len(item.sha512) == 128
    assert item.sniffed_type == "image/png" and item.display_name == "photo.png"
    assert item.method == "from_family" and item.consent == "given"
    assert item.technical_metadata["tool"] and item.perceptual_hash
    assert list(item.custody.values_list("action", flat=True)) == ["acquired", "received"]
    assert all(e.confidentiality == Level.CONFIDENTIAL for e in item.custody.all())
    entry = AuditEntry.objects.get(action="evidence.add")
    assert entry.object_id == str(item.pk) and entry.detail["sha256"] == item.sha256
    # the audit entry names the item by address, never by its name or description
    assert "photo" not in str(entry.detail) and "synthetic" not in str(entry.detail)


def test_the_same_bytes_again_give_the_item_held_with_a_receipt(
    personas: Personas, evidence_store: LocalStore
) -> None:
    data = picture(2)
    first = _add(personas.analyst, data, "one.png")
    again = _add(personas.investigator, data, "another name.png", level=Level.PROTECTED)
    assert not again.created and again.item.pk == first.item.pk
    assert EvidenceItem.objects.count() == 1
    item = EvidenceItem.objects.get()
    assert item.display_name == "one.png" and item.confidentiality == Level.CONFIDENTIAL
    actions = list(item.custody.values_list("action", flat=True))
    assert actions == ["acquired", "received", "received"]
    assert AuditEntry.objects.filter(action="evidence.receive").count() == 1
    assert list(evidence_store.addresses()) == [item.sha256]


def test_a_receipt_of_an_item_the_adder_may_not_see_does_not_show_it(
    personas: Personas, evidence_store: LocalStore
) -> None:
    data = picture(3)
    _add(personas.investigator, data, "protected.png", level=Level.PROTECTED)
    again = _add(personas.researcher, data, "mine.png", level=Level.INTERNAL)
    assert not again.created and not again.visible
    assert not queries.items_for(personas.researcher).exists()


def test_custody_and_audit_commit_together_or_not_at_all(
    personas: Personas, evidence_store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services.audit, "record", broken)
    with pytest.raises(RuntimeError):
        _add(personas.analyst, picture(4))
    assert not EvidenceItem.objects.exists() and not CustodyEvent.objects.exists()
    monkeypatch.undo()
    # the bytes are kept (write-once); verify reports them until an add adopts them
    assert len(list(evidence_store.addresses())) == 1
    assert len(services.verify_all().report.unexpected) == 1
    added = _add(personas.analyst, picture(4))
    assert added.created and services.verify_all().intact
    assert not services.verify_all().report.unexpected


class _Failing(io.RawIOBase):
    """A stream that breaks after some bytes, as a dropped upload does."""

    def __init__(self) -> None:
        self.sent = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.sent >= 3 * 65536:
            raise OSError("connection reset")
        n = min(len(buffer), 65536)
        buffer[:n] = b"x" * n
        self.sent += n
        return n


def test_nothing_is_stored_from_a_failing_stream(
    personas: Personas, evidence_store: LocalStore
) -> None:
    with pytest.raises(OSError, match="connection reset"):
        services.add_upload(personas.analyst, _Failing(), "video.mp4", acquisition())  # type: ignore[arg-type]
    assert not list(evidence_store.addresses())
    assert not any((evidence_store.root / "staging").iterdir())
    assert (
        not EvidenceItem.objects.exists()
        and not AuditEntry.objects.filter(action__startswith="evidence").exists()
    )


def test_zero_bytes_and_oversize_are_refused_with_nothing_stored(
    personas: Personas, evidence_store: LocalStore
) -> None:
    with pytest.raises(InputError, match="zero bytes"):
        _add(personas.analyst, b"", "empty.pdf")
    with pytest.raises(InputError, match="larger than the maximum"):
        _add(personas.analyst, b"x" * 2000, "big.bin", max_size=1000)
    assert not list(evidence_store.addresses()) and not EvidenceItem.objects.exists()


def test_a_bidi_name_is_kept_verbatim_and_shown_safe(
    personas: Personas, evidence_store: LocalStore
) -> None:
    name = "invoice\u202etxt.exe"
    item = _add(personas.analyst, b"%PDF-1.4 synthetic", name).item
    assert item.original_name == name
    assert "\u202e" not in item.display_name and item.display_name == "invoicetxt.exe"
    assert "name_bidi_controls" in item.flag_kinds()


def test_an_image_claiming_to_be_a_pdf_is_flagged(
    personas: Personas, evidence_store: LocalStore
) -> None:
    item = _add(personas.analyst, picture(5), "statement.pdf").item
    assert item.sniffed_type == "image/png" and item.claimed_type == "application/pdf"
    assert "type_mismatch" in item.flag_kinds()


def test_possible_copies_are_found_among_visible_items_only(
    personas: Personas, evidence_store: LocalStore
) -> None:
    original = _add(personas.investigator, picture(6), "a.png", level=Level.CONFIDENTIAL).item
    hidden = _add(
        personas.investigator, picture(6, fmt="JPEG", quality=70), "b.jpg", level=Level.PROTECTED
    ).item
    copy = _add(personas.analyst, picture(6, fmt="JPEG", quality=40), "c.jpg").item
    assert original.sha256 != copy.sha256 != hidden.sha256
    as_analyst = queries.possible_copies(personas.analyst, copy)
    assert [c.item.pk for c in as_analyst] == [original.pk]
    as_investigator = {c.item.pk for c in queries.possible_copies(personas.investigator, copy)}
    assert as_investigator == {original.pk, hidden.pk}
    different = _add(personas.analyst, picture(99), "d.png").item
    assert original.pk not in {
        c.item.pk for c in queries.possible_copies(personas.analyst, different)
    }


def test_levels_and_actions_are_enforced_in_the_services(
    personas: Personas, evidence_store: LocalStore
) -> None:
    with pytest.raises(PermissionDenied):
        _add(personas.researcher, picture(7), level=Level.CONFIDENTIAL)
    with pytest.raises(PermissionDenied):
        _add(personas.reader, picture(7), level=Level.PUBLIC)
    assert not list(evidence_store.addresses())
    internal = _add(personas.researcher, picture(7), level=Level.INTERNAL).item
    protected = _add(personas.investigator, picture(8), level=Level.PROTECTED).item
    assert set(queries.items_for(personas.researcher)) == {internal}
    assert set(queries.items_for(personas.analyst)) == {internal}
    assert set(queries.items_for(personas.investigator)) == {internal, protected}
    assert not queries.custody_of(personas.analyst, protected).exists()
    # seen, but not downloadable by a researcher: the refusal is audited
    with pytest.raises(PermissionDenied):
        services.open_original(personas.researcher, internal)
    assert AuditEntry.objects.filter(action="evidence.download.refused").count() == 1
    with pytest.raises(PermissionDenied):
        services.open_original(personas.analyst, protected)
    with services.open_original(personas.analyst, internal) as stream:
        assert stream.read() == picture(7)
    assert internal.custody.filter(action="exported").count() == 1


def test_custody_events_are_append_only(personas: Personas, evidence_store: LocalStore) -> None:
    item = _add(personas.analyst, picture(9)).item
    event = item.custody.first()
    assert event is not None
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        CustodyEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        EvidenceItem.objects.filter(pk=item.pk).update(sha256="0" * 64)


def test_verify_names_a_flipped_byte_and_records_custody(
    personas: Personas, evidence_store: LocalStore
) -> None:
    good = _add(personas.analyst, picture(10)).item
    bad = _add(personas.analyst, picture(11)).item
    assert services.verify_all().intact
    path = evidence_store.path(bad.sha256)
    path.chmod(0o600)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    result = services.verify_all()
    assert not result.intact and [i.pk for i in result.changed] == [bad.pk]
    outcomes = {
        e.item_id: e.detail["outcome"]
        for e in CustodyEvent.objects.filter(action="verified").order_by("id")
    }
    assert outcomes == {good.pk: "intact", bad.pk: "changed"}
    failed = AuditEntry.objects.get(action="evidence.verify.failed")
    assert failed.object_id == str(bad.pk)
    path.unlink()
    assert [i.pk for i in services.verify_all().vanished] == [bad.pk]


def _world(user: Any, level: Level) -> tuple[Any, Any]:
    from inquest.places import PlaceKind
    from inquest.web.registry import services as registry

    source = registry.create_source(
        user, code=f"ev{int(level)}", name="Synthetic list", origin="synthetic", level=level
    )
    records = registry.add_records(
        user, source, [registry.RowIn(row_number=1, raw={"given_name": "نمونه"})]
    )
    person = registry.create_person(user, records=records, level=level, label="synthetic")
    place = registry.add_place(user, name="Synthetic prison", kind=PlaceKind.PRISON, level=level)
    return person, place


def test_links_pinpoint_and_take_the_narrower_level(
    personas: Personas, evidence_store: LocalStore
) -> None:
    item = _add(personas.investigator, picture(12), level=Level.INTERNAL).item
    person, _ = _world(personas.investigator, Level.PROTECTED)
    _, place = _world(personas.investigator, Level.INTERNAL)
    pinpoint = services.Pinpoint(page=3, region=(0.1, 0.2, 0.3, 0.4), quote="synthetic quote")
    to_person = services.link_item(personas.investigator, item, person, pinpoint)
    assert to_person.confidentiality == Level.PROTECTED
    assert to_person.region_box() == (0.1, 0.2, 0.3, 0.4) and to_person.page == 3
    to_place = services.link_item(
        personas.investigator, item, place, services.Pinpoint(start_s=12.5, end_s=20.0)
    )
    assert to_place.confidentiality == Level.INTERNAL
    assert list(queries.links_of(personas.researcher, item)) == [to_place]
    assert set(queries.links_of(personas.investigator, item)) == {to_person, to_place}
    assert AuditEntry.objects.filter(action="evidence.link").count() == 2
    for bad, field in [
        (services.Pinpoint(page=0), "page"),
        (services.Pinpoint(region=(0.5, 0.5, 0.6, 0.1)), "region"),
        (services.Pinpoint(start_s=5, end_s=1), "end_s"),
    ]:
        with pytest.raises(InputError) as caught:
            services.link_item(personas.investigator, item, place, bad)
        assert caught.value.problem.field == field
    with pytest.raises(PermissionDenied):  # the researcher may state, but not see the person
        services.link_item(personas.researcher, item, person)
    with pytest.raises(TypeError):
        services.link_item(personas.investigator, item, item)


def test_a_lost_race_for_the_same_new_bytes_becomes_a_receipt(
    personas: Personas, evidence_store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import IntegrityError

    first = _add(personas.analyst, picture(13)).item
    real = services._record
    calls: list[int] = []

    def racing(*args: Any, **kwargs: Any) -> services.Added:
        calls.append(1)
        if len(calls) == 1:  # as if another add inserted the item after this one looked
            raise IntegrityError("UNIQUE constraint failed: evidence_evidenceitem.sha256")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_record", racing)
    again = _add(personas.investigator, picture(13))
    assert len(calls) == 2 and not again.created and again.item.pk == first.pk
    with pytest.raises(IntegrityError):  # a new address never races itself: raised as is
        calls.clear()
        _add(personas.analyst, picture(14))
