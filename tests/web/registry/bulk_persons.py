"""Persons in bulk for the persons list's scale test and benchmark: the demo's size by
default (2,000 persons, 3,500 records in four lists), names in both scripts. Synthetic only."""

from __future__ import annotations

from django.contrib.auth.models import User

from inquest.places import PlaceKind
from inquest.web.access.levels import Level
from inquest.web.registry import persons, search, services
from inquest.web.registry.models import Person, PersonRecord, Record

from ..factories import make_source

GIVEN = [("علی", "Ali"), ("زهرا", "Zahra"), ("حسین", "Hossein"), ("مریم", "Maryam")]
FAMILY = [("کریمی", "Karimi"), ("بهرامی", "Bahrami"), ("رضایی", "Rezaei"), ("احمدی", "Ahmadi")]
PRISONS = ["زندان اوین", "Evin", "Gohardasht", ""]


def seed_persons(user: User, n_persons: int = 2000, n_records: int = 3500) -> None:
    """Synthetic records in four lists, in both scripts, each person with one or more, linked
    as a run would leave them (search rows and shown names included)."""
    services.add_place(user, name="Evin prison", kind=PlaceKind.PRISON, level=Level.PUBLIC)
    sources = [make_source(user, code, level=Level.PUBLIC) for code in "ABCD"]
    owner: list[int] = []
    rows: dict[int, list[services.RowIn]] = {i: [] for i in range(len(sources))}
    for i in range(n_records):
        person = i if i < n_persons else (i * 7) % n_persons
        (g_fa, g_en), (f_fa, f_en) = GIVEN[person % 4], FAMILY[(person // 4) % 4]
        persian = i % 2 == 0
        raw = {
            "full_name": f"{g_fa} {f_fa} {person}" if persian else f"{g_en} {f_en} {person}",
            "death_date": f"1367/05/{1 + person % 28:02d}" if person % 3 else "",
            "prison": PRISONS[person % 4],
        }
        at = i % len(sources)
        rows[at].append(services.RowIn(row_number=len(rows[at]) + 1, raw=raw))
        owner.append(person)
    records: list[Record] = []
    for index, listed in enumerate(sources):
        records += services.add_records(user, listed, rows[index])
    by_row = {(r.source_id, r.row_number): r for r in records}
    ordered = [
        by_row[(sources[s].pk, n + 1)] for s in range(len(sources)) for n in range(len(rows[s]))
    ]
    # rows were added source by source: match each back to its person
    order = [i for s in range(len(sources)) for i in range(n_records) if i % len(sources) == s]
    made = Person.objects.bulk_create(
        Person(confidentiality=Level.PUBLIC) for _ in range(n_persons)
    )
    PersonRecord.objects.bulk_create(
        PersonRecord(person=made[owner[i]], record=record, confidentiality=Level.PUBLIC)
        for i, record in zip(order, ordered, strict=True)
    )
    search.sync_persons(records)
    persons.refresh(p.pk for p in made)
