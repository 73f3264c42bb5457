"""Reads of the registry, always narrowed to what the user may see. Those that hand out
the objects a page shows note them (``inquest.web.audit.reads``): protected ones are audited."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from inquest.linkage.values import value_label
from inquest.web.access.policy import AnyUser, clearance
from inquest.web.access.queryset import visibility_filter
from inquest.web.audit.reads import note_shown, noted
from inquest.web.registry.models import (
    EventParticipant,
    NameKey,
    Person,
    PersonRecord,
    Place,
    Record,
    RecordVersion,
    Source,
    Statement,
)
from inquest.web.registry.properties import column_properties
from inquest.web.registry.search import place_keys


def sources_for(user: AnyUser) -> QuerySet[Source]:
    """The sources the user may see, each with ``n_records``: the records they may see."""
    level = clearance(user)
    if level is None:
        return Source.objects.none()
    visible_records = visibility_filter(Record, level, "records__")
    return Source.objects.visible_to(user).annotate(
        n_records=Count("records", filter=visible_records, distinct=True)
    )


def records_of(user: AnyUser, source: Source) -> QuerySet[Record]:
    """The records of ``source`` the user may see, by row, with their versions prefetched."""
    return (
        Record.objects.visible_to(user)
        .filter(source=source)
        .order_by("row_number")
        .prefetch_related("versions")
    )


@dataclass(frozen=True)
class VersionView:
    """A record version, what changed from the one before (column: (before, after)), and
    who made it: only signed-in users are told the names of the workbench's staff."""

    version: RecordVersion
    changes: dict[str, tuple[str | None, str | None]]
    author: str | None


def versions_of(user: AnyUser, record: Record) -> list[VersionView]:
    """The versions of ``record`` the user may see, newest first, each with its changes."""
    versions = noted(
        user,
        RecordVersion.objects.visible_to(user)
        .filter(record=record)
        .select_related("created_by")
        .order_by("number"),
    )
    note_shown(user, [record, record.source])
    named = user.is_authenticated
    out: list[VersionView] = []
    before: dict[str, str] = {}
    for version in versions:
        raw: dict[str, str] = version.raw
        changes = {
            key: (before.get(key), raw.get(key))
            for key in sorted(before.keys() | raw.keys())
            if before.get(key) != raw.get(key)
        }
        author = version.created_by.get_username() if named and version.created_by else None
        out.append(VersionView(version, changes if version.number > 1 else {}, author))
        before = raw
    return out[::-1]


def events_of(user: AnyUser, person: Person) -> QuerySet[EventParticipant]:
    """The person's part in the events the user may see, with event, place and source."""
    return (
        EventParticipant.objects.visible_to(user)
        .filter(person=person)
        .select_related("event", "event__place", "event__source")
        .order_by("event__date_earliest", "event__id")
    )


def statements_of(user: AnyUser, person: Person) -> QuerySet[Statement]:
    """The statements about ``person`` the user may see, with source and record."""
    return (
        Statement.objects.visible_to(user)
        .filter(person=person)
        .select_related("source", "record")
        .order_by("prop", "value", "source__code", "id")
    )


@dataclass(frozen=True)
class Claim:
    """One value of a property (as the engine prepared it) and the statements that assert it."""

    value: str
    statements: tuple[Statement, ...]

    @property
    def shown(self) -> str:
        """The value for a reader: a gazetteer place by its name, a place outside the
        gazetteer as its first source wrote it, any other value as it is."""
        label = value_label(self.value)
        return label if label is not None else self.statements[0].original_value


@dataclass(frozen=True)
class PropertyView:
    """All visible claims about one property of a person; ``conflict`` if they disagree,
    compared on the values the engine prepared (not on the text as written)."""

    prop: str
    claims: tuple[Claim, ...]

    @property
    def conflict(self) -> bool:
        """True if the sources give more than one value."""
        return len(self.claims) > 1


def person_properties(user: AnyUser, person: Person) -> list[PropertyView]:
    """A person's properties as the user may see them, conflicting values side by side."""
    grouped: dict[str, dict[str, list[Statement]]] = defaultdict(lambda: defaultdict(list))
    for statement in noted(user, statements_of(user, person)):
        grouped[statement.prop][statement.value].append(statement)
    return [
        PropertyView(
            prop=prop,
            claims=tuple(Claim(value, tuple(items)) for value, items in values.items()),
        )
        for prop, values in sorted(grouped.items())
    ]


def persons_for(user: AnyUser) -> QuerySet[Person]:
    """The persons the user may see that have not been merged into another."""
    return Person.objects.visible_to(user).filter(Q(merged_into__isnull=True))


def person_of(user: AnyUser, record: Record) -> Person | None:
    """The person ``record`` belongs to, if the user may see the membership and the person
    (noted as shown); None otherwise."""
    membership = (
        PersonRecord.objects.visible_to(user)
        .filter(record=record, person__in=persons_for(user))
        .select_related("person")
        .first()
    )
    person = membership.person if membership is not None else None
    note_shown(user, [person])
    return person


class PersonSort(StrEnum):
    """The orders of the persons list."""

    NAME = "name"
    NAME_DESC = "-name"
    DATE = "date"
    DATE_DESC = "-date"
    RECORDS = "records"
    RECORDS_DESC = "-records"


@dataclass(frozen=True)
class PersonFilters:
    """What the persons list may be narrowed to; ``None`` means no filter. ``dated``: only
    persons with a death date (True) or only those without (False)."""

    source: Source | None = None
    dated: bool | None = None
    prison: Place | None = None


def person_rows(
    user: AnyUser,
    filters: PersonFilters = PersonFilters(),
    sort: PersonSort = PersonSort.NAME,
    language: str | None = None,
) -> QuerySet[Person]:
    """The persons the user may see, narrowed by ``filters`` and ordered by ``sort`` (the
    name is the one shown in ``language``). ``n_records`` on each is the stored count of its
    records at or below its level (``registry.persons``), which every reader of the person
    may see. Filters go through the records the user may see only, so hidden records never
    match."""
    rows = _filtered(user, filters)
    field, descending = _sort_key(sort, language)
    nulls = {"nulls_last": True} if field in NULLABLE_KEYS else {}
    key = F(field).desc(**nulls) if descending else F(field).asc(**nulls)
    return rows.order_by(key, "-id" if descending else "id")


#: The sort keys that may be empty: their empty values come last in either direction.
NULLABLE_KEYS = frozenset({"death_earliest"})
#: Counting stops here (as the review queue's does): the list says "more than" rather than
#: count half a million persons on every page.
COUNT_CAP = 1_000


def _filtered(user: AnyUser, filters: PersonFilters) -> QuerySet[Person]:
    members = PersonRecord.objects.visible_to(user).filter(person=OuterRef("pk"))
    rows = persons_for(user)
    if filters.source is not None:
        rows = rows.filter(Exists(members.filter(record__source=filters.source)))
    if filters.dated is not None:
        rows = rows.filter(death_earliest__isnull=not filters.dated)
    if filters.prison is not None:
        keys = sorted(place_keys(filters.prison))
        rows = rows.filter(
            Exists(
                NameKey.objects.visible_to(user).filter(person=OuterRef("pk"), prison_key__in=keys)
            )
        )
    return rows


def _sort_key(sort: PersonSort, language: str | None) -> tuple[str, bool]:
    """The field ``sort`` orders on and whether descending; ties go by id the same way."""
    name = Person.name_field(language)
    return {
        PersonSort.NAME: (name, False),
        PersonSort.NAME_DESC: (name, True),
        PersonSort.DATE: ("death_earliest", False),
        PersonSort.DATE_DESC: ("death_earliest", True),
        PersonSort.RECORDS: ("n_records", False),
        PersonSort.RECORDS_DESC: ("n_records", True),
    }[sort]


@dataclass(frozen=True)
class PersonPage:
    """One page of the persons list. ``total`` is the number of persons the filters keep if
    at most ``COUNT_CAP``, else None (``more_than`` then says how many at least)."""

    persons: list[Person]
    has_previous: bool
    has_next: bool
    total: int | None
    more_than: int = COUNT_CAP


def _after(
    rows: QuerySet[Person], field: str, descending: bool, anchor: dict[str, Any] | None, n: int
) -> list[Person]:
    """Up to ``n`` persons of ``rows`` after ``anchor`` (its key and id) in the list's
    order, or from the start: the persons with a key first, then those without. Each part
    is one range scan of the index on (key, id), never an offset."""
    way = "-" if descending else ""
    later = "lt" if descending else "gt"
    out: list[Person] = []
    value = anchor[field] if anchor is not None else None
    if anchor is None or value is not None:
        keyed = rows.exclude(**{f"{field}__isnull": True}) if field in NULLABLE_KEYS else rows
        if anchor is not None:
            # (key, id) past the anchor's, written so that the key's part is an index range
            keyed = keyed.filter(**{f"{field}__{later}e": value}).filter(
                Q(**{f"{field}__{later}": value}) | Q(**{f"id__{later}": anchor["id"]})
            )
        out = list(keyed.order_by(f"{way}{field}", f"{way}id")[:n])
    if len(out) < n and field in NULLABLE_KEYS:
        empty = rows.filter(**{f"{field}__isnull": True})
        if anchor is not None and value is None:
            empty = empty.filter(**{f"id__{later}": anchor["id"]})
        out += list(empty.order_by(f"{way}id")[: n - len(out)])
    return out


def _before(
    rows: QuerySet[Person], field: str, descending: bool, anchor: dict[str, Any], n: int
) -> list[Person]:
    """Up to ``n`` persons of ``rows`` before ``anchor``, nearest first: ``_after`` walking
    the other way (those without a key, then those with one)."""
    way = "" if descending else "-"
    earlier = "gt" if descending else "lt"
    value = anchor[field]
    out: list[Person] = []
    if value is None:
        empty = rows.filter(**{f"{field}__isnull": True, f"id__{earlier}": anchor["id"]})
        out = list(empty.order_by(f"{way}id")[:n])
    if len(out) < n:
        keyed = rows.exclude(**{f"{field}__isnull": True}) if field in NULLABLE_KEYS else rows
        if value is not None:
            keyed = keyed.filter(**{f"{field}__{earlier}e": value}).filter(
                Q(**{f"{field}__{earlier}": value}) | Q(**{f"id__{earlier}": anchor["id"]})
            )
        out += list(keyed.order_by(f"{way}{field}", f"{way}id")[: n - len(out)])
    return out


def _anchor(user: AnyUser, field: str, uid: str | None) -> dict[str, Any] | None:
    """The sort key and id of the person ``uid`` names, if the user may see it."""
    if not uid:
        return None
    try:
        key = uuid.UUID(uid)
    except ValueError:
        return None
    found: dict[str, Any] | None = persons_for(user).filter(uid=key).values(field, "id").first()
    return found


def person_page(
    user: AnyUser,
    filters: PersonFilters = PersonFilters(),
    sort: PersonSort = PersonSort.NAME,
    language: str | None = None,
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> PersonPage:
    """A page of ``person_rows``: the first, the one after the person whose uid is
    ``after``, or the one before the person ``before`` (keyset paging: a deep page costs what
    the first does). A cursor the user may not see, or not a uid, gives the first page. The
    count stops at ``COUNT_CAP``. The page's persons are not noted here: the view notes
    them with what else it shows."""
    rows = _filtered(user, filters)
    field, descending = _sort_key(sort, language)
    anchor = _anchor(user, field, before if before is not None else after)
    persons: list[Person] = []
    has_previous = has_next = False
    if anchor is not None and before is not None:
        back = _before(rows, field, descending, anchor, size + 1)
        has_previous = len(back) > size
        persons = back[:size][::-1]
        has_next = True
        if len(persons) < size:  # fewer than a page before it: the first page, full
            anchor, persons, has_previous = None, [], False
    if not persons:
        found = _after(rows, field, descending, anchor, size + 1)
        has_previous = anchor is not None
        has_next = len(found) > size
        persons = found[:size]
    counted = rows.order_by().values("pk")[: COUNT_CAP + 1].count()
    total = counted if counted <= COUNT_CAP else None
    return PersonPage(persons, has_previous, has_next, total, COUNT_CAP)


def sources_of_persons(
    user: AnyUser, persons: QuerySet[Person, Any] | list[Person]
) -> dict[int, list[int]]:
    """The sources (ids, each once, in order) of the records of ``persons`` the user may
    see, by person id: one query however many persons."""
    found: dict[int, dict[int, None]] = defaultdict(dict)
    for person_id, source_id in (
        PersonRecord.objects.visible_to(user)
        .filter(person__in=persons)
        .order_by("person_id", "record__source_id")
        .values_list("person_id", "record__source_id")
    ):
        found[person_id][source_id] = None
    return {pk: list(ids) for pk, ids in found.items()}


@dataclass(frozen=True)
class RecordColumn:
    """One record on a person page: the record and the values of its latest visible version."""

    record: Record
    version: RecordVersion
    values: dict[str, str]


@dataclass(frozen=True)
class SideBySide:
    """A person's records side by side: one column per record, one row per field."""

    columns: tuple[RecordColumn, ...]
    fields: tuple[str, ...]

    def rows(self) -> list[tuple[str, list[str]]]:
        """Each field with the value every record gives it ("" where it gives none)."""
        return [(f, [c.values.get(f, "") for c in self.columns]) for f in self.fields]

    def sources(self) -> list[Source]:
        """The sources that name the person (through a record the user may see), in order."""
        seen: dict[int, Source] = {}
        for column in self.columns:
            seen.setdefault(column.record.source_id, column.record.source)
        return list(seen.values())


def records_side_by_side(user: AnyUser, person: Person) -> SideBySide:
    """The person's visible records with the raw values of their latest visible version.

    Fields come in the order of the standard list format, then any others alphabetically.
    """
    latest: dict[int, RecordVersion] = {}
    # One query: versions the user may see carry their record and its source, both visible.
    for version in (
        RecordVersion.objects.visible_to(user)
        .filter(record__membership__person=person)
        .select_related("record__source")
        .defer("prepared")
    ):
        if version.record_id not in latest or version.number > latest[version.record_id].number:
            latest[version.record_id] = version
    ordered = sorted(
        latest.values(), key=lambda v: (v.record.source.code, v.record.row_number, v.record_id)
    )
    columns = tuple(RecordColumn(v.record, v, dict(v.raw)) for v in ordered)
    note_shown(user, (obj for v in ordered for obj in (v, v.record, v.record.source)))
    present = {name for column in columns for name, v in column.values.items() if v}
    order = list(column_properties())
    fields = [f for f in order if f in present] + sorted(present - set(order))
    return SideBySide(columns, tuple(fields))


@dataclass(frozen=True)
class TimelineEntry:
    """One event of a person's timeline: the person's part in it, dated or not."""

    part: EventParticipant

    @property
    def dated(self) -> bool:
        """True if the event has at least one end of its interval."""
        event = self.part.event
        return event.date_earliest is not None or event.date_latest is not None


def timeline_of(user: AnyUser, person: Person) -> list[TimelineEntry]:
    """The person's visible events in time order (by earliest, then latest date); undated
    events come last, in the order they were recorded."""
    parts = list(events_of(user, person))
    note_shown(
        user,
        (obj for p in parts for obj in (p, p.event, p.event.place, p.event.source)),
    )

    def when(part: EventParticipant) -> tuple[int, object, object, int]:
        event = part.event
        start = event.date_earliest or event.date_latest
        end = event.date_latest or event.date_earliest
        return (0 if start else 1, start or dt.date.max, end or dt.date.max, event.pk)

    return [TimelineEntry(part) for part in sorted(parts, key=when)]
