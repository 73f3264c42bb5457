"""Registry reads: conflicts between sources are shown side by side; counts respect access."""

from __future__ import annotations

import importlib

from django.apps import apps as django_apps
from django.db import connection

from inquest.web.access.levels import Level
from inquest.web.registry import queries, services
from inquest.web.registry.models import Statement

from ..factories import make_records, make_source
from ..personas import Personas


def test_person_conflicts_are_visible(personas: Personas) -> None:
    a = make_source(personas.analyst, "A")
    b = make_source(personas.analyst, "B")
    c = make_source(personas.analyst, "C", level=Level.CONFIDENTIAL)
    ra = make_records(personas.analyst, a, 1)[0]
    rb = make_records(personas.analyst, b, 1)[0]
    person = services.create_person(personas.analyst, records=[ra, rb])
    for source, record, value in ((a, ra, "hasan"), (b, rb, "hasan"), (c, None, "hossein")):
        services.add_statement(
            personas.analyst, person, prop="father_name", value=value, source=source, record=record
        )
    services.add_statement(personas.analyst, person, prop="given_name", value="ali", source=a)

    props = {view.prop: view for view in queries.person_properties(personas.analyst, person)}
    father = props["father_name"]
    assert father.conflict
    assert {claim.value: [s.source.code for s in claim.statements] for claim in father.claims} == {
        "hasan": ["A", "B"],
        "hossein": ["C"],
    }
    assert not props["given_name"].conflict

    # A researcher is not cleared for source C: for them the sources agree.
    seen = {v.prop: v for v in queries.person_properties(personas.researcher, person)}
    assert not seen["father_name"].conflict


def test_sources_for_counts_only_visible_records(personas: Personas) -> None:
    source = make_source(personas.investigator, "A", level=Level.INTERNAL)
    make_records(personas.investigator, source, 2)
    services.add_records(
        personas.investigator,
        source,
        [services.RowIn(row_number=3, raw={"given_name": "x"}, level=Level.PROTECTED)],
    )
    counts = {
        name: queries.sources_for(getattr(personas, name)).get().n_records
        for name in ("researcher", "investigator")
    }
    assert counts == {"researcher": 2, "investigator": 3}
    assert not queries.sources_for(personas.reader).exists()


def test_merged_persons_are_not_listed(personas: Personas) -> None:
    keep = services.create_person(personas.analyst, level=Level.INTERNAL)
    gone = services.create_person(personas.analyst, level=Level.INTERNAL)
    gone.merged_into = keep
    gone.save()
    assert list(queries.persons_for(personas.analyst)) == [keep]


def test_equal_values_in_two_scripts_or_calendars_do_not_disagree(personas: Personas) -> None:
    latin = {"age": "34", "death_date": "11 August 1988", "sex": "M", "prison": "Vakilabad"}
    persian = {
        "age": "۳۴ ساله",
        "death_date": "۱۳۶۷/۰۵/۲۰",
        "sex": "مرد",
        "prison": "زندان وکیل‌آباد",
        "residence": "Mashhad",
    }
    a, b = (make_source(personas.analyst, code) for code in ("A", "B"))
    ra, rb = (
        services.add_records(personas.analyst, source, [services.RowIn(row_number=1, raw=raw)])[0]
        for source, raw in ((a, latin), (b, persian))
    )
    person = services.create_person(personas.analyst, records=[ra, rb])
    services.add_record_statements(personas.analyst, person, ra)
    services.add_record_statements(personas.analyst, person, rb)
    services.add_statement(personas.analyst, person, prop="residence", value="Tabriz", source=a)

    props = {view.prop: view for view in queries.person_properties(personas.analyst, person)}
    for prop in ("age", "death_date", "sex", "prison"):
        assert not props[prop].conflict, prop
        (claim,) = props[prop].claims
        assert len({s.original_value for s in claim.statements}) == 2
    assert props["death_date"].claims[0].value == "1988-08-11"
    assert props["prison"].claims[0].shown == "Vakilabad Prison (زندان وکیل‌آباد)"
    assert props["residence"].conflict  # Mashhad and Tabriz are two places


def test_migration_prepares_the_values_of_older_statements(personas: Personas) -> None:
    migration = importlib.import_module(
        "inquest.web.registry.migrations.0008_prepared_statement_values"
    )
    source = make_source(personas.analyst, "A")
    person = services.create_person(personas.analyst)
    # As statements were stored before: the value is the source's text.
    older = [
        Statement.objects.create(
            person=person, prop=prop, value=text, original_value=text, source=source
        )
        for prop, text in (("age", "۳۴ ساله"), ("sex", "مرد"), ("given_name", "علی"))
    ]
    chosen = Statement.objects.create(
        person=person, prop="age", value="thirty", original_value="۳۰", source=source
    )
    migration.forwards(django_apps, connection.schema_editor())
    assert [Statement.objects.get(pk=s.pk).value for s in older] == ["34", "m", "علی"]
    assert Statement.objects.get(pk=chosen.pk).value == "thirty"  # a user's choice stays
