"""Writes to the registry. Each checks the user's right, runs in one transaction and
appends to the audit log in that same transaction.

An object is never less confidential than the objects it hangs from: a record takes at
least its source's level, a statement at least its person's, source's and record's.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from inquest.errors import InputError, InputErrors, InputProblem
from inquest.places import PlaceKind
from inquest.web.access.actions import Action
from inquest.web.access.levels import Level
from inquest.web.access.policy import AnyUser, require, user_id
from inquest.web.audit import services as audit
from inquest.web.registry import bulk, persons, search
from inquest.web.registry.models import (
    Event,
    EventKind,
    EventParticipant,
    ParticipantRole,
    Person,
    PersonRecord,
    Place,
    Record,
    RecordVersion,
    Source,
    SourceEdition,
    Statement,
)
from inquest.web.registry.properties import column_properties, statement_properties

IMPORT_REASON = "imported"
DEFAULT_LEVEL = Level.INTERNAL  # for an object given no level and hanging from nothing
_VERSION_COLUMNS = [
    "record",
    "number",
    "raw",
    "prepared_with",
    "reason",
    "created_by",
    "created_at",
    "confidentiality",
]


def _level(*levels: Level | int | None) -> Level:
    """The highest of the given levels; internal if none is given."""
    given = [int(x) for x in levels if x is not None]
    return Level(max(given)) if given else DEFAULT_LEVEL


def _raw(values: Mapping[str, object], *, row: int | None = None) -> dict[str, str]:
    """Check that raw values are text keyed by column name; they are stored verbatim."""
    problems = []
    for key, value in values.items():
        if not isinstance(key, str) or not key:
            problems.append(InputProblem("column names must be non-empty text", row=row))
        elif not isinstance(value, str):
            problems.append(
                InputProblem(
                    f"raw value must be text, not {type(value).__name__}", row=row, field=key
                )
            )
    if problems:
        raise InputErrors(problems)
    return {str(k): str(v) for k, v in values.items()}


HIDDEN_CLASH = "this import cannot go ahead; ask an administrator, quoting reference {reference}"


def check_new_source(user: AnyUser, *, code: str | None, file_sha256: str | None) -> None:
    """Refuse a new source whose code, or whose file, another source has already.

    A user who may see that source is told which it is. A user who may not is told only
    that the import cannot go ahead, with a reference to an audit entry naming the source
    and the clash (``source.clash_hidden``, at the source's level): the answer does not
    confirm that anything exists where they may not look, and the probe is on record.
    The entry is committed here, so call this outside the transaction that would write.
    """
    clashes = (
        (
            "file_sha256",
            Source.objects.filter(file_sha256=file_sha256).first() if file_sha256 else None,
        ),
        ("code", Source.objects.filter(code=code).first() if code else None),
    )
    for field, existing in clashes:
        if existing is None:
            continue
        if not Source.objects.visible_to(user).filter(pk=existing.pk).exists():
            raise hidden_clash(user, existing, field)
        if field == "code":
            raise InputError(f"a source with code {code!r} exists already", field="code")
        raise InputError("a source from this very file exists already", field="file_sha256")


def hidden_clash(user: AnyUser, existing: Source, field: str) -> InputError:
    """Audit that ``user`` ran into ``existing``, a source they may not see, through
    ``field``; the error to show them, which names neither (see ``check_new_source``)."""
    reference = secrets.token_hex(6)
    with transaction.atomic():
        audit.record(
            user,
            "source.clash_hidden",
            existing,
            level=existing.confidentiality,
            detail={"reference": reference, "field": field},
        )
    return InputError(HIDDEN_CLASH.format(reference=reference))


def create_source(
    user: AnyUser,
    *,
    code: str,
    name: str,
    origin: str,
    level: Level,
    name_original: str = "",
    obtained_how: str = "",
    obtained_on: dt.date | None = None,
    description: str = "",
    file_name: str = "",
    file_sha256: str | None = None,
    file_bytes: int | None = None,
) -> Source:
    """Register a source (a list or document collection) at confidentiality ``level``.

    A code or file another source has is refused (``check_new_source``).
    """
    require(user, Action.IMPORT, level)
    check_new_source(user, code=code, file_sha256=file_sha256)
    with transaction.atomic():
        return _create_source(
            user,
            code=code,
            name=name,
            origin=origin,
            level=level,
            name_original=name_original,
            obtained_how=obtained_how,
            obtained_on=obtained_on,
            description=description,
            file_name=file_name,
            file_sha256=file_sha256,
            file_bytes=file_bytes,
        )


def _create_source(user: AnyUser, *, code: str, level: Level, **fields: object) -> Source:
    source = Source.objects.create(
        code=code, confidentiality=level, created_by_id=user_id(user), **fields
    )
    audit.record(user, "source.create", source, level=level, detail={"code": code})
    return source


@dataclass(frozen=True)
class RowIn:
    """One row to add to a source: its 1-based number, verbatim values, the list's own id."""

    row_number: int
    raw: Mapping[str, str]
    external_id: str = ""
    level: Level | None = None


@transaction.atomic
def add_records(user: AnyUser, source: Source, rows: Iterable[RowIn]) -> list[Record]:
    """Add rows to ``source``, each as a record with version 1 (the values as imported).

    All or nothing: every problem is collected and nothing is written if there is any.
    """
    rows = list(rows)
    level = _level(source.confidentiality, *(r.level for r in rows))
    require(user, Action.IMPORT, level)
    problems: list[InputProblem] = []
    cleaned: list[dict[str, str]] = []
    seen: set[int] = set()
    for row in rows:
        if row.row_number < 1:
            problems.append(InputProblem("row numbers start at 1", row=row.row_number))
        if row.row_number in seen:
            problems.append(InputProblem("row number given twice", row=row.row_number))
        seen.add(row.row_number)
        try:
            cleaned.append(_raw(row.raw, row=row.row_number))
        except InputErrors as exc:
            problems.extend(exc.problems)
    taken = set(
        Record.objects.filter(source=source, row_number__in=seen).values_list(
            "row_number", flat=True
        )
    )
    problems.extend(InputProblem("row exists already in this source", row=n) for n in sorted(taken))
    if problems:
        raise InputErrors(problems)
    actor = user_id(user)
    now = timezone.now()
    created = bulk.db_now(now)
    levels = [_level(source.confidentiality, row.level) for row in rows]
    uids = [uuid.uuid4() for _ in rows]
    bulk.insert(
        Record,
        ["uid", "source", "row_number", "external_id", "confidentiality", "created_at"],
        (
            (uid, source.pk, row.row_number, row.external_id, int(level), created)
            for uid, row, level in zip(uids, rows, levels, strict=True)
        ),
    )
    first, last = min(seen, default=0), max(seen, default=0)
    ids = dict(
        Record.objects.filter(
            source=source, row_number__gte=first, row_number__lte=last
        ).values_list("row_number", "pk")
    )
    records = []
    for uid, row, level in zip(uids, rows, levels, strict=True):
        record = Record(
            pk=ids[row.row_number],
            uid=uid,
            source=source,
            row_number=row.row_number,
            external_id=row.external_id,
            confidentiality=level,
            created_at=now,
        )
        record._state.adding = False
        record._state.db = source._state.db
        records.append(record)
    bulk.insert(
        RecordVersion,
        _VERSION_COLUMNS,
        (
            (record.pk, 1, raw, "", IMPORT_REASON, actor, created, int(record.confidentiality))
            for record, raw in zip(records, cleaned, strict=True)
        ),
    )
    search.index_rows(
        ((record, 1, raw) for record, raw in zip(records, cleaned, strict=True)), replace=False
    )
    audit.record(
        user,
        "records.add",
        source,
        level=level,
        detail={"rows": len(records), "file_sha256": source.file_sha256},
    )
    return records


def source_of_file(file_sha256: str) -> Source | None:
    """The source a file was imported as: as the source itself, or as one of its editions."""
    found = Source.objects.filter(file_sha256=file_sha256).first()
    if found is not None:
        return found
    edition = SourceEdition.objects.filter(file_sha256=file_sha256).select_related("source")
    first = edition.first()
    return first.source if first is not None else None


@transaction.atomic
def add_edition(
    user: AnyUser,
    source: Source,
    rows: Sequence[RowIn],
    *,
    file_name: str,
    file_sha256: str,
    file_bytes: int,
) -> SourceEdition:
    """Import a newer edition of ``source`` (a list that grew or was corrected), kept as a
    ``SourceEdition`` with its file and counts.

    Rows are matched to the source's records by their list's own id (``external_id``): a
    record whose values differ gets a new version (earlier versions are kept, as for a
    correction), a row with an id the source lacks becomes a new record, numbered after the
    source's last row (its row in the edition's file is in the version's reason). Records
    the edition no longer lists are kept as they are and counted. All or nothing; one
    ``source.edition`` audit entry names the file and the counts. A file a source or an
    edition came from already is refused.
    """
    require(user, Action.IMPORT, source.confidentiality)
    require(user, Action.CORRECT, source.confidentiality)
    source = Source.objects.select_for_update().get(pk=source.pk)
    if source_of_file(file_sha256) is not None:
        raise InputError("this very file was imported already", field="file_sha256")
    existing: dict[str, Record] = {}
    problems: list[InputProblem] = []
    for record in Record.objects.filter(source=source).order_by("row_number"):
        if not record.external_id or record.external_id in existing:
            problems.append(
                InputProblem(
                    "the source's records have no unique record ids, so a new edition cannot "
                    "be matched to them; import it as a new source",
                    row=record.row_number,
                    field="record_id",
                )
            )
            break
        existing[record.external_id] = record
    cleaned = []
    for row in rows:
        try:
            cleaned.append(_raw(row.raw, row=row.row_number))
        except InputErrors as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputErrors(problems)
    current = {
        v.record_id: v
        for v in RecordVersion.objects.filter(record__source=source).order_by("record", "number")
    }
    where = f"edition {file_name} ({file_sha256[:12]})"
    actor = user_id(user)
    new_rows: list[RowIn] = []
    last_row = max((r.row_number for r in existing.values()), default=0)
    changed: list[tuple[Record, int, dict[str, str]]] = []
    unchanged = 0
    for row, raw in zip(rows, cleaned, strict=True):
        found = existing.get(row.external_id)
        if found is None:
            last_row += 1
            new_rows.append(RowIn(last_row, raw, row.external_id, row.level))
            continue
        record = found
        version = current[record.pk]
        if version.raw == raw:
            unchanged += 1
            continue
        created = RecordVersion.objects.create(
            record=record,
            number=version.number + 1,
            raw=raw,
            reason=f"{where}, row {row.row_number}",
            created_by_id=actor,
            confidentiality=record.confidentiality,
        )
        changed.append((record, created.number, raw))
    person_of = dict(
        PersonRecord.objects.filter(record__in=[r for r, _, _ in changed]).values_list(
            "record_id", "person_id"
        )
    )
    search.index_rows(changed, persons=person_of)
    # A changed name or date changes the stored summary of the record's person.
    persons.refresh(person_of.values())
    added = add_records(user, source, new_rows) if new_rows else []
    listed = {row.external_id for row in rows}
    last = SourceEdition.objects.filter(source=source).order_by("-number").first()
    edition = SourceEdition.objects.create(
        source=source,
        number=last.number + 1 if last is not None else 2,
        file_name=file_name,
        file_sha256=file_sha256,
        file_bytes=file_bytes,
        added=len(added),
        changed=len(changed),
        unchanged=unchanged,
        missing=sum(1 for key in existing if key not in listed),
        created_by_id=actor,
        confidentiality=source.confidentiality,
    )
    audit.record(
        user,
        "source.edition",
        edition,
        level=source.confidentiality,
        detail={
            "source": source.code,
            "number": edition.number,
            "file_name": file_name,
            "file_sha256": file_sha256,
            "file_bytes": file_bytes,
            "added": edition.added,
            "changed": edition.changed,
            "unchanged": edition.unchanged,
            "missing": edition.missing,
        },
    )
    return edition


@transaction.atomic
def correct_record(
    user: AnyUser, record: Record, *, raw: Mapping[str, str], reason: str
) -> RecordVersion:
    """Record a correction: a new version with the corrected values, who made it and why.

    The earlier versions stay as they were. Refused if ``reason`` is blank or nothing changed.
    """
    require(user, Action.CORRECT, record.confidentiality)
    if not reason.strip():
        raise InputError("a correction needs a reason", field="reason")
    values = _raw(raw)
    locked = Record.objects.select_for_update().get(pk=record.pk)
    current = locked.current
    if values == current.raw:
        raise InputError("the corrected values are the same as the current ones", field="raw")
    version = RecordVersion.objects.create(
        record=locked,
        number=current.number + 1,
        raw=values,
        reason=reason.strip(),
        created_by_id=user_id(user),
        confidentiality=locked.confidentiality,
    )
    membership = PersonRecord.objects.filter(record=locked).first()
    search.index_rows(
        [(locked, version.number, values)],
        person_id=membership.person_id if membership is not None else None,
    )
    if membership is not None:
        persons.refresh([membership.person_id])
    changed = sorted(
        k for k in values.keys() | current.raw.keys() if values.get(k) != current.raw.get(k)
    )
    audit.record(
        user,
        "record.correct",
        version,
        level=locked.confidentiality,
        detail={
            "record": locked.pk,
            "version": version.number,
            "fields": changed,
            "reason": version.reason,
        },
    )
    return version


@transaction.atomic
def store_prepared(
    user: AnyUser, version: RecordVersion, *, prepared: Mapping[str, object], engine: str
) -> RecordVersion:
    """Store what the engine derived from a version's raw values (normalised names, dates)."""
    require(user, Action.LINK, version.confidentiality)
    version.prepared = dict(prepared)
    version.prepared_with = engine
    version.save(update_fields=["prepared", "prepared_with"])
    audit.record(
        user, "record.prepare", version, level=version.confidentiality, detail={"engine": engine}
    )
    return version


@transaction.atomic
def create_person(
    user: AnyUser,
    *,
    records: Sequence[Record] = (),
    level: Level | None = None,
    label: str = "",
    linkage_run_id: int | None = None,
    match_probability: float | None = None,
) -> Person:
    """Make a person from records (a cluster); a record belongs to one person at most."""
    person_level = _level(level, *(r.confidentiality for r in records))
    require(user, Action.LINK, person_level)
    taken = PersonRecord.objects.filter(record__in=records).values_list("record_id", flat=True)
    if taken:
        raise InputError(f"records already belong to a person: {sorted(taken)}", field="records")
    person = Person.objects.create(label=label, confidentiality=person_level)
    PersonRecord.objects.bulk_create(
        PersonRecord(
            person=person,
            record=record,
            linkage_run_id=linkage_run_id,
            decided_by_id=user_id(user) if linkage_run_id is None else None,
            match_probability=match_probability,
            confidentiality=person_level,
        )
        for record in records
    )
    search.set_person(records, person)
    if records:
        persons.refresh([person.pk])
        person.refresh_from_db(fields=list(persons.FIELDS))
    audit.record(
        user,
        "person.create",
        person,
        level=person_level,
        detail={"records": [r.pk for r in records], "linkage_run": linkage_run_id},
    )
    return person


@transaction.atomic
def add_statement(
    user: AnyUser,
    person: Person,
    *,
    prop: str,
    value: str,
    source: Source,
    original_value: str | None = None,
    record: Record | None = None,
    field: str = "",
    lang: str = "",
    level: Level | None = None,
    linkage_run_id: int | None = None,
) -> Statement:
    """Record that ``source`` (and its ``record``) says ``prop`` of ``person`` is ``value``.

    ``value`` is stored as the engine prepares it for the property's kind (a date as its
    interval, an age in years, sex as a code, a place as its gazetteer id), so equal values
    in other scripts or calendars compare equal. ``original_value`` is the text as the
    source has it (default: ``value``); when a record and field are given it defaults to
    that field of the record's current version.
    """
    prop_spec = statement_properties().get(prop)
    if prop_spec is None:
        raise InputError(f"unknown property {prop!r}", field="prop")
    if record is not None and record.source_id != source.pk:
        raise InputError("the record is not from this source", field="record")
    version = record.current if record is not None else None
    if original_value is None:
        if version is not None and field:
            if field not in version.raw:
                raise InputError(f"the record has no column {field!r}", field="field")
            original_value = str(version.raw[field])
        else:
            original_value = value
    stated_level = _level(
        level,
        person.confidentiality,
        source.confidentiality,
        record.confidentiality if record is not None else None,
    )
    require(user, Action.STATE, stated_level)
    statement = Statement.objects.create(
        person=person,
        prop=prop,
        value=prop_spec.prepare(value),
        original_value=original_value,
        lang=lang,
        source=source,
        record=record,
        record_version=version,
        field=field,
        linkage_run_id=linkage_run_id,
        created_by_id=user_id(user),
        confidentiality=stated_level,
    )
    audit.record(
        user,
        "statement.add",
        statement,
        level=stated_level,
        detail={"person": person.pk, "prop": prop, "source": source.pk},
    )
    return statement


@transaction.atomic
def add_record_statements(
    user: AnyUser, person: Person, record: Record, *, linkage_run_id: int | None = None
) -> list[Statement]:
    """Add what ``record`` says about ``person``: one statement per non-empty mapped column.

    Columns map to properties by ``data/registry/columns.yaml``; the original value is the
    text of the record's current version, the value the form the engine compares it in
    (see ``add_statement``), and each statement names the source, record, version and column.
    """
    version = record.current
    level = _level(person.confidentiality, record.confidentiality, record.source.confidentiality)
    require(user, Action.STATE, level)
    mapping = column_properties()
    properties = statement_properties()
    statements = Statement.objects.bulk_create(
        [
            Statement(
                person=person,
                prop=mapping[column],
                value=properties[mapping[column]].prepare(text),
                original_value=text,
                source_id=record.source_id,
                record=record,
                record_version=version,
                field=column,
                linkage_run_id=linkage_run_id,
                created_by_id=user_id(user),
                confidentiality=level,
            )
            for column, text in version.raw.items()
            if column in mapping and text.strip()
        ]
    )
    audit.record(
        user,
        "statements.from_record",
        person,
        level=level,
        detail={"record": record.pk, "version": version.number, "statements": len(statements)},
    )
    return statements


@transaction.atomic
def add_place(
    user: AnyUser,
    *,
    name: str,
    kind: PlaceKind,
    level: Level = Level.PUBLIC,
    name_original: str = "",
    parent: Place | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    gazetteer_id: str | None = None,
) -> Place:
    """Add a place to the gazetteer (users may extend it)."""
    place_level = _level(level, parent.confidentiality if parent is not None else None)
    require(user, Action.MANAGE_PLACES, place_level)
    if latitude is not None and not -90 <= latitude <= 90:
        raise InputError("latitude must lie in [-90, 90]", field="latitude")
    if longitude is not None and not -180 <= longitude <= 180:
        raise InputError("longitude must lie in [-180, 180]", field="longitude")
    place = Place.objects.create(
        name=name,
        name_original=name_original,
        kind=kind,
        parent=parent,
        latitude=latitude,
        longitude=longitude,
        gazetteer_id=gazetteer_id,
        added_by_id=user_id(user),
        confidentiality=place_level,
    )
    audit.record(user, "place.add", place, level=place_level, detail={"name": name})
    return place


@transaction.atomic
def add_event(
    user: AnyUser,
    *,
    kind: str,
    participants: Sequence[tuple[Person, ParticipantRole]],
    date_earliest: dt.date | None = None,
    date_latest: dt.date | None = None,
    date_original: str = "",
    place: Place | None = None,
    source: Source | None = None,
    record: Record | None = None,
    description: str = "",
    level: Level | None = None,
) -> Event:
    """Record an event with its date interval, place, source and the persons in it."""
    if kind not in EventKind.values:
        raise InputError(f"unknown event kind {kind!r}", field="kind")
    if date_earliest and date_latest and date_earliest > date_latest:
        raise InputError("the interval ends before it starts", field="date_latest")
    if record is not None and (source is None or record.source_id != source.pk):
        raise InputError("the record is not from this source", field="record")
    event_level = _level(
        level,
        place.confidentiality if place is not None else None,
        source.confidentiality if source is not None else None,
        record.confidentiality if record is not None else None,
        *(p.confidentiality for p, _ in participants),
    )
    require(user, Action.STATE, event_level)
    event = Event.objects.create(
        kind=kind,
        date_earliest=date_earliest,
        date_latest=date_latest,
        date_original=date_original,
        place=place,
        source=source,
        record=record,
        description=description,
        created_by_id=user_id(user),
        confidentiality=event_level,
    )
    EventParticipant.objects.bulk_create(
        EventParticipant(
            event=event, person=person, role=role, source=source, confidentiality=event_level
        )
        for person, role in participants
    )
    audit.record(
        user,
        "event.add",
        event,
        level=event_level,
        detail={"kind": kind, "persons": [p.pk for p, _ in participants]},
    )
    return event
