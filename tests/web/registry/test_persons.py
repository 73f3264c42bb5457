"""A person's shown names and death date: chosen from its records, refreshed when they
change, and filled for persons written before the fields existed (the migration)."""

from __future__ import annotations

import datetime as dt
import importlib

from django.apps import apps

from inquest.web.access.levels import Level
from inquest.web.registry import persons, services
from inquest.web.registry.models import Person

from ..factories import make_source
from ..personas import Personas

migration = importlib.import_module("inquest.web.registry.migrations.0010_person_summary")


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
