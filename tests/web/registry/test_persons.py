"""A person's shown names, death date and number of records: chosen from its records,
refreshed when they change, and filled for persons written before the fields existed (the
migrations)."""

from __future__ import annotations

import datetime as dt
import importlib

from django.apps import apps

from inquest.web.access.levels import Level
from inquest.web.registry import persons, services
from inquest.web.registry.models import Person, PersonRecord

from ..factories import make_source
from ..personas import Personas

migration = importlib.import_module("inquest.web.registry.migrations.0010_person_summary")
counts = importlib.import_module("inquest.web.registry.migrations.0011_person_record_count")


def test_summary_of_records() -> None:
    summary = persons.summarise(
        [
            {"given_name": "حاج رضا", "family_name": "کریمی", "death_date": "1367"},
            {"full_name": "Karimi, Reza", "death_date": "1988-08-20"},
            {"full_name": "Reza Karimi", "death_date": "1988-08-20"},
            {"full_name": "", "death_date": "not a date"},
        ]
    )
    assert (summary.name_fa, summary.name_en) == ("رضا کریمی", "Reza Karimi")
    assert summary.death_earliest == summary.death_latest == dt.date(1988, 8, 20)
    assert persons.summarise([]) == persons.Summary()


def test_persons_written_before_get_theirs_from_the_migration(personas: Personas) -> None:
    user = personas.investigator
    source = make_source(user, "M", level=Level.PUBLIC)
    rows = [services.RowIn(row_number=1, raw={"full_name": "شهید مریم نمونه"})]
    records = services.add_records(user, source, rows)
    person = services.create_person(user, records=records)
    assert person.name_fa == "مریم نمونه"
    empty = services.create_person(user)
    Person.objects.update(name_fa="", name_en="", death_earliest=None)  # as before 0010
    migration.forwards(apps, None)  # type: ignore[arg-type]
    person.refresh_from_db()
    assert (person.name_fa, person.name_en) == ("مریم نمونه", "مریم نمونه")
    empty.refresh_from_db()
    assert empty.name_fa == "" and empty.display_name() == ""


def test_record_counts_of_persons_written_before_come_from_their_migration(
    personas: Personas,
) -> None:
    """0011 counts each person's records at or below its level, as ``refresh`` does."""
    user = personas.investigator
    public = make_source(user, "C", level=Level.PUBLIC)
    secret = make_source(user, "D", level=Level.PROTECTED)
    rows = [services.RowIn(row_number=i + 1, raw={"full_name": "Reza Nemuneh"}) for i in range(3)]
    person = services.create_person(user, records=services.add_records(user, public, rows))
    hidden = services.add_records(
        user,
        secret,
        [services.RowIn(row_number=1, raw={"full_name": "Hidden"}, level=Level.PROTECTED)],
    )
    # written by hand: a record above its person's level (the services never do this)
    PersonRecord.objects.create(person=person, record=hidden[0], confidentiality=Level.PROTECTED)
    empty = services.create_person(user)
    assert Person.objects.get(pk=person.pk).n_records == 3
    Person.objects.update(n_records=0)  # as before 0011
    counts.forwards(apps, None)  # type: ignore[arg-type]
    assert Person.objects.get(pk=person.pk).n_records == 3
    assert Person.objects.get(pk=empty.pk).n_records == 0
    persons.refresh([person.pk])
    assert Person.objects.get(pk=person.pk).n_records == 3
