"""Registry reads: conflicts between sources are shown side by side; counts respect access."""

from __future__ import annotations

from inquest.web.access.levels import Level
from inquest.web.registry import queries, services

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
