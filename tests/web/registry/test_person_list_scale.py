"""The persons list at the demo's size (2,000 persons, 3,500 records in four lists): a page,
a sorted and filtered page, a deep page (keyset, after a person) and both exports each read
a fixed number of queries, however many persons they show (no query per row)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.test import Client

from inquest.web.registry.models import Person, Place

from ..personas import Personas
from .bulk_persons import seed_persons

pytestmark = pytest.mark.slow

N_PERSONS = 2000
#: Queries a page or an export may make: session, user, device and grants; the form's two
#: lists, the cursor's person, the count, the page (two parts when undated persons follow
#: dated ones) and the page's sources; an export's audit entry (four).
MAX_QUERIES = 12


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
    seed_persons(personas.investigator, N_PERSONS, 3500)
    assert Person.objects.filter(name_en="").count() == 0
    client.force_login(user)
    client.get("/persons/")  # the first request of a process loads templates and modules
    timings: dict[str, float] = {}
    page, timings["first page"] = _timed(client, django_assert_max_num_queries, "/persons/")
    assert page.content.count(b'<tr>\n      <td><a href="/persons/') == 50
    # the count stops at its cap rather than count every person on every page
    assert re.search(r"more than 1,?000 persons", page.content.decode())
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
    deep = Person.objects.order_by("-n_records", "-id")[1450]
    later, timings["page 30, by records"] = _timed(
        client, django_assert_max_num_queries, "/persons/", sort="-records", after=str(deep.uid)
    )
    assert later.content.count(b'<tr>\n      <td><a href="/persons/') == 50
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
