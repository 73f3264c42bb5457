"""A run's clusters written back (without running the engine): the search rows follow the
memberships, and each person's shown names and death date are chosen from its records."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence

import pyarrow as pa
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client

from inquest.linkage.run_record import LinkageRunRecord
from inquest.web.access.levels import Level
from inquest.web.linking.link import _write_back, engine_input
from inquest.web.registry import services
from inquest.web.registry.models import NameKey, Person, PersonRecord, Record, Source
from inquest.web.runs import services as runs

from ..factories import make_source
from ..personas import Personas

# Synthetic names: one person named three ways (a title on one), another twice.
ROWS: tuple[Mapping[str, str], ...] = (
    {"given_name": "شهید ابراهیم", "family_name": "اکبری", "death_date": "۱۳۶۷/۰۶/۱۹"},
    {"full_name": "Akbari, Ebrahim", "death_date": "10/09/1988"},
    {"full_name": "Haj Ebrahim Akbari", "death_date": "10/09/1988"},
    {"full_name": "Maryam Ahmadi", "death_date": "1988"},
    {"full_name": "مریم احمدی"},
)


def _records(user: User, level: Level = Level.PUBLIC) -> tuple[Source, list[Record]]:
    source = make_source(user, "W", level=level)
    rows = [services.RowIn(row_number=i + 1, raw=raw) for i, raw in enumerate(ROWS)]
    return source, services.add_records(user, source, rows)


def write_back(user: User, sources: Sequence[Source], groups: Mapping[str, Sequence[int]]) -> None:
    """Write ``groups`` (a cluster id, "P..." for a new person or a person's uid, to the
    indexes of its records in the sources' order) back as a run would."""
    _, records = engine_input(sources)
    run = runs.start_linkage_run(user, sources=sources, parameters={}, input_sha256="0" * 64)
    rows = [(records[i], uid, len(ix)) for uid, ix in groups.items() for i in ix]
    clusters = pa.table(
        {
            "list": [r.source.code for r, _, _ in rows],
            "record_id": [str(r.pk) for r, _, _ in rows],
            "person_id": [uid for _, uid, _ in rows],
            "confidence": [0.99] * len(rows),
            "cluster_size": [n for _, _, n in rows],
        }
    )
    linked = LinkageRunRecord(
        clusters=LinkageRunRecord.ordered(clusters),
        records=len(rows),
        persons=len(groups),
        pairs_kept=0,
        components_split=0,
        pairs_rescored=0,
        carried_over=frozenset(uid for uid in groups if not uid.startswith("P")),
    )
    with transaction.atomic():
        _write_back(user, run, records, linked)


def test_search_rows_follow_the_runs_memberships(client: Client, personas: Personas) -> None:
    analyst = personas.analyst
    source, records = _records(analyst)
    write_back(analyst, [source], {"P1": [0, 1, 2], "P2": [3, 4]})
    members = dict(PersonRecord.objects.values_list("record_id", "person_id"))
    assert dict(NameKey.objects.values_list("record_id", "person_id")) == members
    client.force_login(analyst)
    page = html.unescape(client.get("/search/", {"q": "Ebrahim Akbari"}).content.decode())
    assert "not linked" not in page
    person = Person.objects.get(pk=members[records[0].pk])
    # one row for the person, its three records folded under it
    assert page.count(f"/persons/{person.uid}/") == 1
    row = page.split(f"/persons/{person.uid}/")[1].split("</tr>")[0]
    assert all(f"/records/{r.uid}/" in row for r in records[:3])
    assert "3 records found · 1 result" in page
    # a later run moves a record: its search row follows
    write_back(analyst, [source], {str(person.uid): [0, 1], "P3": [2], "P2": [3, 4]})
    moved = PersonRecord.objects.get(record=records[2]).person_id
    assert moved != person.pk
    assert NameKey.objects.get(record=records[2]).person_id == moved


def test_record_page_links_its_person(client: Client, personas: Personas) -> None:
    analyst = personas.analyst
    source, records = _records(analyst)
    write_back(analyst, [source], {"P1": [0, 1, 2], "P2": [3]})
    client.force_login(analyst)
    person = PersonRecord.objects.get(record=records[0]).person
    page = html.unescape(client.get(f"/records/{records[0].uid}/").content.decode())
    assert f"/persons/{person.uid}/" in page and "Ebrahim Akbari" in page
    unlinked = html.unescape(client.get(f"/records/{records[4].uid}/").content.decode())
    assert "/persons/" not in unlinked.split("<main")[-1] and "not linked" in unlinked


def test_record_page_hides_a_person_the_user_may_not_see(
    client: Client, personas: Personas
) -> None:
    _, records = _records(personas.investigator)
    hidden = services.create_person(
        personas.investigator, records=records[:1], level=Level.PROTECTED
    )
    page = client.get(f"/records/{records[0].uid}/").content.decode()
    assert str(hidden.uid) not in page and "اکبری" not in page.split("<h1")[0]


def test_persons_get_names_by_rule_and_a_death_date(client: Client, personas: Personas) -> None:
    analyst = personas.analyst
    source, records = _records(analyst)
    write_back(analyst, [source], {"P1": [0, 1, 2], "P2": [3, 4]})
    akbari = Person.objects.get(memberships__record=records[0])
    # the title «شهید» and "Haj" are dropped; the commonest Latin form wins in English
    assert (akbari.name_fa, akbari.name_en) == ("ابراهیم اکبری", "Ebrahim Akbari")
    assert akbari.death_earliest == akbari.death_latest == dt.date(1988, 9, 10)
    ahmadi = Person.objects.get(memberships__record=records[3])
    assert (ahmadi.name_fa, ahmadi.name_en) == ("مریم احمدی", "Maryam Ahmadi")
    assert (ahmadi.death_earliest, ahmadi.death_latest) == (
        dt.date(1988, 1, 1),
        dt.date(1988, 12, 31),
    )
    client.force_login(analyst)
    english = html.unescape(client.get("/persons/").content.decode())
    assert "Ebrahim Akbari" in english and "Maryam Ahmadi" in english
    assert str(akbari.uid) not in english.replace(f"/persons/{akbari.uid}/", "")
    persian = html.unescape(client.get("/persons/", HTTP_ACCEPT_LANGUAGE="fa").content.decode())
    assert "ابراهیم اکبری" in persian and "شهید" not in persian
    assert "۱۹ شهریور ۱۳۶۷" in persian  # the death date in the Persian calendar and digits
    page = html.unescape(client.get(f"/persons/{akbari.uid}/").content.decode())
    heading = page.split("<h1")[1].split("</p>")[0]
    assert "Ebrahim Akbari</h1>" in heading and "ابراهیم اکبری" in heading
    assert "Date of death: 10 September 1988" in heading


def test_a_correction_renames_its_person(personas: Personas) -> None:
    analyst = personas.analyst
    source, records = _records(analyst)
    write_back(analyst, [source], {"P1": [3, 4]})
    services.correct_record(
        analyst, records[4], raw={"full_name": "مریم احمدی‌نژاد"}, reason="synthetic"
    )
    services.correct_record(
        analyst, records[3], raw={"full_name": "Maryam Ahmadinejad"}, reason="synthetic"
    )
    person = Person.objects.get(memberships__record=records[3])
    assert (person.name_fa, person.name_en) == ("مریم احمدی‌نژاد", "Maryam Ahmadinejad")
    assert person.death_earliest is None


def _stored_counts_are_right() -> dict[int, int]:
    """Each person's stored number of records, checked against a count of its memberships
    (every record here is at the person's level); the counts by person id."""
    stored = dict(Person.objects.filter(merged_into__isnull=True).values_list("pk", "n_records"))
    counted = {pk: PersonRecord.objects.filter(person_id=pk).count() for pk in stored}
    assert stored == counted
    return stored


def test_record_counts_follow_import_correction_merge_and_split(personas: Personas) -> None:
    analyst = personas.analyst
    source, records = _records(analyst)
    write_back(analyst, [source], {"P1": [0, 1, 2], "P2": [3, 4]})
    akbari = Person.objects.get(memberships__record=records[0])
    ahmadi = Person.objects.get(memberships__record=records[3])
    assert _stored_counts_are_right() == {akbari.pk: 3, ahmadi.pk: 2}
    # a correction changes a name, not the count
    services.correct_record(analyst, records[1], raw={"full_name": "E. Akbari"}, reason="x")
    assert _stored_counts_are_right() == {akbari.pk: 3, ahmadi.pk: 2}
    # merge: the run puts all five records in one person; the other is merged into it
    write_back(analyst, [source], {str(akbari.uid): [0, 1, 2, 3, 4]})
    assert _stored_counts_are_right() == {akbari.pk: 5}
    assert Person.objects.get(pk=ahmadi.pk).merged_into_id == akbari.pk
    # split: two of its records leave for a new person
    write_back(analyst, [source], {str(akbari.uid): [0, 1, 2], "P9": [3, 4]})
    counts = _stored_counts_are_right()
    assert counts[akbari.pk] == 3 and sorted(counts.values()) == [2, 3]


def test_a_person_losing_records_to_a_run_over_other_lists_is_recounted(
    personas: Personas,
) -> None:
    """A run over one list takes that list's record from a person that keeps a record of
    another list: the person is not among the run's records' persons, yet its count, name
    and date change."""
    analyst = personas.analyst
    source, records = _records(analyst)
    other = make_source(analyst, "V", level=Level.PUBLIC)
    kept = services.add_records(
        analyst, other, [services.RowIn(row_number=1, raw={"full_name": "Maryam Ahmadi"})]
    )
    both = services.create_person(analyst, records=[records[0], *kept])
    assert both.n_records == 2
    write_back(analyst, [source], {"P1": [0, 1, 2], "P2": [3, 4]})
    both.refresh_from_db()
    assert both.n_records == 1 and both.name_en == "Maryam Ahmadi"
    _stored_counts_are_right()
