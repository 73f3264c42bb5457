"""The persons list at the demo's size (2,000 persons, 3,500 records in four lists): a page,
a sorted and filtered page, a deep page and both exports each read a fixed number of
queries, however many persons they show (no query per row)."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from inquest.places import PlaceKind
from inquest.web.access.levels import Level
from inquest.web.registry import persons, search, services
from inquest.web.registry.models import Person, PersonRecord, Place, Record

from ..factories import make_source
from ..personas import Personas

pytestmark = pytest.mark.slow

N_PERSONS = 2000
N_RECORDS = 3500
GIVEN = [("علی", "Ali"), ("زهرا", "Zahra"), ("حسین", "Hossein"), ("مریم", "Maryam")]
FAMILY = [("کریمی", "Karimi"), ("بهرامی", "Bahrami"), ("رضایی", "Rezaei"), ("احمدی", "Ahmadi")]
PRISONS = ["زندان اوین", "Evin", "Gohardasht", ""]
#: Queries a page or an export may make: session, user, device and grants; the form's two
#: lists, the count, the page and the page's sources; an export's audit entry (four).
MAX_QUERIES = 12


def _seed(user: User) -> None:
    """Synthetic records in four lists, in both scripts, 1 to 3 records per person."""
    services.add_place(user, name="Evin prison", kind=PlaceKind.PRISON, level=Level.PUBLIC)
    sources = [make_source(user, code, level=Level.PUBLIC) for code in "ABCD"]
    owner: list[int] = []
    rows: dict[int, list[services.RowIn]] = {i: [] for i in range(len(sources))}
    for i in range(N_RECORDS):
        person = i if i < N_PERSONS else (i * 7) % N_PERSONS
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
    order = [i for s in range(len(sources)) for i in range(N_RECORDS) if i % len(sources) == s]
    made = Person.objects.bulk_create(
        Person(confidentiality=Level.PUBLIC) for _ in range(N_PERSONS)
    )
    PersonRecord.objects.bulk_create(
        PersonRecord(person=made[owner[i]], record=record, confidentiality=Level.PUBLIC)
        for i, record in zip(order, ordered, strict=True)
    )
    search.sync_persons(records)
    persons.refresh(p.pk for p in made)


def _timed(
    client: Client,
    limit: Callable[[int], AbstractContextManager[Any]],
    url: str,
    **params: str,
) -> tuple[Any, float]:
    with limit(MAX_QUERIES):
        start = time.perf_counter()
        response = client.get(url, params)
        elapsed = time.perf_counter() - start
    assert response.status_code == 200
    return response, elapsed


def test_list_and_exports_read_a_fixed_number_of_queries(
    client: Client,
    personas: Personas,
    django_assert_max_num_queries: Callable[[int], AbstractContextManager[Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    user = personas.analyst
    _seed(personas.investigator)
    assert Person.objects.filter(name_en="").count() == 0
    client.force_login(user)
    client.get("/persons/")  # the first request of a process loads templates and modules
    timings: dict[str, float] = {}
    page, timings["first page"] = _timed(client, django_assert_max_num_queries, "/persons/")
    assert page.content.count(b'<tr>\n      <td><a href="/persons/') == 50
    assert "2,000 persons" in page.content.decode() or "2000 persons" in page.content.decode()
    evin = Place.objects.get(name="Evin prison")
    _, timings["filtered, by date"] = _timed(
        client,
        django_assert_max_num_queries,
        "/persons/",
        source="B",
        dated="yes",
        prison=str(evin.pk),
        sort="-date",
    )
    _, timings["page 30, by records"] = _timed(
        client, django_assert_max_num_queries, "/persons/", sort="-records", page="30"
    )
    csv, timings["csv export"] = _timed(
        client, django_assert_max_num_queries, "/persons/export/csv/"
    )
    assert csv.content.count(b"\n") == N_PERSONS + 1
    _, timings["xlsx export"] = _timed(
        client, django_assert_max_num_queries, "/persons/export/xlsx/"
    )
    with capsys.disabled():
        print(
            "\npersons list at 2,000 persons:",
            {k: f"{v * 1000:.0f} ms" for k, v in timings.items()},
        )
