"""Registry services: records are versioned, statements keep provenance, levels inherit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction

from inquest.errors import InputError, InputErrors
from inquest.web.access.levels import Level
from inquest.web.audit.models import AuditEntry
from inquest.web.registry import queries, services
from inquest.web.registry.models import Record, RecordVersion, Source

from ..factories import SYNTHETIC_ROWS, make_records, make_source
from ..personas import Personas


def test_import_keeps_raw_values_verbatim_as_version_one(personas: Personas) -> None:
    source = make_source(personas.researcher)
    records = make_records(personas.researcher, source, 3)
    assert [r.row_number for r in records] == [1, 2, 3]
    first = Record.objects.get(source=source, row_number=1)
    assert first.current.number == 1
    assert first.current.raw == SYNTHETIC_ROWS[0]
    assert first.current.reason == services.IMPORT_REASON
    assert first.current.created_by_id == personas.researcher.pk
    assert first.confidentiality == Level.INTERNAL


def test_correction_is_a_new_version_with_who_and_why(personas: Personas) -> None:
    source = make_source(personas.researcher)
    record = make_records(personas.researcher, source, 1)[0]
    corrected = {**SYNTHETIC_ROWS[0], "father_name": "حسین"}
    version = services.correct_record(
        personas.analyst, record, raw=corrected, reason="father's name misread from the scan"
    )
    assert version.number == 2
    assert version.created_by_id == personas.analyst.pk
    assert version.reason == "father's name misread from the scan"
    assert record.current == version
    original = RecordVersion.objects.get(record=record, number=1)
    assert original.raw == SYNTHETIC_ROWS[0]  # the imported values are untouched
    entry = AuditEntry.objects.filter(action="record.correct").get()
    assert entry.detail["fields"] == ["father_name"]


def test_record_versions_cannot_be_edited_or_deleted_in_place(personas: Personas) -> None:
    source = make_source(personas.researcher)
    version = make_records(personas.researcher, source, 1)[0].current
    version.raw = {"given_name": "changed"}
    with pytest.raises(ValueError, match="never edited in place"):
        version.save()
    with pytest.raises(ValueError, match="never edited in place"):
        version.save(update_fields=["raw"])
    with pytest.raises(ValueError, match="never deleted"):
        version.delete()
    # Bulk writes bypass the model; the database refuses them.
    rows = RecordVersion.objects.filter(pk=version.pk)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        rows.update(raw={"given_name": "changed"})
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        rows.update(reason="rewritten")
    with pytest.raises(DatabaseError, match="never deleted"), transaction.atomic():
        rows._raw_delete(RecordVersion.objects.db)
    rows.update(confidentiality=Level.PROTECTED)  # reclassifying is allowed
    assert RecordVersion.objects.get(pk=version.pk).raw == SYNTHETIC_ROWS[0]


def test_prepared_values_may_be_stored_on_a_version(personas: Personas) -> None:
    source = make_source(personas.analyst)
    version = make_records(personas.analyst, source, 1)[0].current
    services.store_prepared(
        personas.analyst, version, prepared={"given_name": "ali"}, engine="inquest 0.1.0"
    )
    stored = RecordVersion.objects.get(pk=version.pk)
    assert stored.prepared == {"given_name": "ali"}
    assert stored.raw == SYNTHETIC_ROWS[0]


@pytest.mark.parametrize(
    ("raw", "reason", "message"),
    [
        ({"given_name": "x"}, "  ", "needs a reason"),
        (dict(SYNTHETIC_ROWS[0]), "no change", "same as the current"),
    ],
)
def test_corrections_need_a_reason_and_a_change(
    personas: Personas, raw: dict[str, str], reason: str, message: str
) -> None:
    source = make_source(personas.researcher)
    record = make_records(personas.researcher, source, 1)[0]
    with pytest.raises(InputError, match=message):
        services.correct_record(personas.researcher, record, raw=raw, reason=reason)
    assert record.versions.count() == 1


def test_add_records_is_all_or_nothing_and_collects_every_problem(personas: Personas) -> None:
    source = make_source(personas.researcher)
    make_records(personas.researcher, source, 1)
    rows = [
        services.RowIn(row_number=1, raw={"given_name": "dup"}),
        services.RowIn(row_number=2, raw={"given_name": 7}),  # type: ignore[dict-item]
        services.RowIn(row_number=3, raw={"given_name": "fine"}),
        services.RowIn(row_number=3, raw={"given_name": "twice"}),
    ]
    with pytest.raises(InputErrors) as caught:
        services.add_records(personas.researcher, source, rows)
    problems = {(p.row, p.field) for p in caught.value}
    assert problems == {(1, None), (2, "given_name"), (3, None)}
    assert source.records.count() == 1


def test_records_are_never_less_confidential_than_their_source(personas: Personas) -> None:
    source = make_source(personas.analyst, level=Level.CONFIDENTIAL)
    rows = [
        services.RowIn(row_number=1, raw={"a": "1"}, level=Level.PUBLIC),
        services.RowIn(row_number=2, raw={"a": "2"}, level=Level.PROTECTED),
    ]
    with pytest.raises(PermissionDenied):  # the analyst is not cleared for protected rows
        services.add_records(personas.analyst, source, rows)
    records = services.add_records(personas.investigator, source, rows)
    assert [r.confidentiality for r in records] == [Level.CONFIDENTIAL, Level.PROTECTED]


def test_users_without_the_right_cannot_write(personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        make_source(personas.reader)
    with pytest.raises(PermissionDenied):
        make_source(personas.anonymous)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):  # cleared for internal only
        make_source(personas.researcher, level=Level.CONFIDENTIAL)
    assert not Source.objects.exists()


def test_source_codes_and_file_hashes_are_unique(personas: Personas) -> None:
    make_source(personas.researcher, "A", file_sha256="ab" * 32)
    with pytest.raises(InputError, match="code 'A'"):
        make_source(personas.researcher, "A")
    with pytest.raises(InputError, match="very file"):
        make_source(personas.researcher, "B", file_sha256="ab" * 32)


def test_statements_keep_source_record_and_original_value(personas: Personas) -> None:
    source = make_source(personas.analyst)
    record = make_records(personas.analyst, source, 1)[0]
    person = services.create_person(personas.analyst, records=[record])
    statement = services.add_statement(
        personas.analyst,
        person,
        prop="father_name",
        value="hasan",
        source=source,
        record=record,
        field="father_name",
        lang="fa",
    )
    assert statement.original_value == "حسن"
    assert statement.source == source
    assert statement.record == record
    assert statement.record_version == record.current
    assert statement.confidentiality == Level.INTERNAL
    assert person.memberships.get().record == record


def test_statement_checks(personas: Personas) -> None:
    source = make_source(personas.analyst, "A")
    other = make_source(personas.analyst, "B")
    record = make_records(personas.analyst, source, 1)[0]
    person = services.create_person(personas.analyst, records=[record])
    with pytest.raises(InputError, match="unknown property"):
        services.add_statement(personas.analyst, person, prop="shoe_size", value="9", source=source)
    with pytest.raises(InputError, match="not from this source"):
        services.add_statement(
            personas.analyst, person, prop="alias", value="x", source=other, record=record
        )
    with pytest.raises(InputError, match="no column"):
        services.add_statement(
            personas.analyst,
            person,
            prop="alias",
            value="x",
            source=source,
            record=record,
            field="nickname",
        )


def test_a_record_belongs_to_one_person_at_most(personas: Personas) -> None:
    source = make_source(personas.analyst)
    record = make_records(personas.analyst, source, 1)[0]
    services.create_person(personas.analyst, records=[record])
    with pytest.raises(InputError, match="already belong"):
        services.create_person(personas.analyst, records=[record])


def test_objects_given_no_level_and_no_parents_are_internal(personas: Personas) -> None:
    assert services.create_person(personas.analyst).confidentiality == Level.INTERNAL
    event = services.add_event(personas.analyst, kind="arrest", participants=[])
    assert event.confidentiality == Level.INTERNAL
    source = make_source(personas.investigator, "P", level=Level.PUBLIC)
    record = make_records(personas.investigator, source, 1)[0]
    person = services.create_person(personas.analyst, records=[record])
    assert person.confidentiality == Level.PUBLIC  # a public record's person may be public


def test_record_statements_carry_every_mapped_column_with_provenance(
    personas: Personas,
) -> None:
    a = make_source(personas.analyst, "A")
    b = make_source(personas.analyst, "B")
    ra = make_records(personas.analyst, a, 1)[0]  # Persian-script row
    rb = services.add_records(
        personas.analyst, b, [services.RowIn(row_number=1, raw=dict(SYNTHETIC_ROWS[1]))]
    )[0]  # the same synthetic person in Latin script
    person = services.create_person(personas.analyst, records=[ra, rb])
    made = services.add_record_statements(personas.analyst, person, ra)
    made += services.add_record_statements(personas.analyst, person, rb)
    fields = sorted((s.source.code, s.field, s.prop) for s in made)
    assert ("A", "father_name", "father_name") in fields
    assert ("B", "death_date", "death_date") in fields
    assert all(s.record_version is not None for s in made)
    dates = {s.source.code: (s.original_value, s.value) for s in made if s.prop == "death_date"}
    # The source's text is kept; the value is the engine's interval of it.
    assert dates == {"A": ("۱۳۶۷/۰۵/۱۰", "1988-08-01"), "B": ("1988", "1988-01-01/1988-12-31")}
    names = [s for s in made if s.prop == "father_name"]
    assert all(s.original_value == s.value for s in names)
    views = {v.prop: v for v in queries.person_properties(personas.analyst, person)}
    assert views["father_name"].conflict  # "حسن" and "Hasan": shown, not merged
    assert {c.value for c in views["father_name"].claims} == {"حسن", "Hasan"}


def test_empty_values_give_no_statement(personas: Personas) -> None:
    source = make_source(personas.analyst)
    record = services.add_records(
        personas.analyst,
        source,
        [services.RowIn(row_number=1, raw={"record_id": "x1", "full_name": " ", "sex": "f"})],
    )[0]
    person = services.create_person(personas.analyst, records=[record])
    made = services.add_record_statements(personas.analyst, person, record)
    assert [(s.prop, s.value) for s in made] == [("sex", "f")]  # record_id is not a property
