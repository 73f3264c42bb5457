"""Registry search: across scripts, ranked, filtered, paginated, and only what the user may see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from inquest.web.access.levels import Level
from inquest.web.registry import search, services
from inquest.web.registry.models import (
    EventKind,
    NameKey,
    NameToken,
    ParticipantRole,
    PlaceKind,
    Record,
)

from ..factories import make_source
from ..personas import Personas


def _rows(*names: tuple[str, str, str]) -> list[services.RowIn]:
    return [
        services.RowIn(row_number=i + 1, raw={"given_name": g, "family_name": f, "prison": p})
        for i, (g, f, p) in enumerate(names)
    ]


@pytest.fixture
def registry(personas: Personas) -> dict[str, list[Record]]:
    analyst = personas.investigator
    a = make_source(analyst, "A", level=Level.INTERNAL)
    b = make_source(analyst, "B", level=Level.PROTECTED)
    return {
        "A": services.add_records(
            analyst,
            a,
            _rows(
                ("محمد", "حسینی", "زندان اوین"),
                ("Mohammad", "Hosseini", "Gohardasht"),
                ("Mahmoud", "Hosseini", "Evin prison"),
                ("Ali", "Nemuneh", ""),
                ("Hossein", "Mohammadi", ""),
            ),
        ),
        "B": services.add_records(analyst, b, _rows(("Muhammad", "Husseini", ""))),
    }


def _names(page: search.SearchPage) -> list[str]:
    return [hit.key.name for hit in page.hits]


def test_tokens_are_script_blind() -> None:
    assert search.name_tokens("محمد حسینی") == search.name_tokens("Mohamad Hoseini")
    assert search.name_tokens("Mohammad Hosseini") == ["HSN", "HSN MHMD", "MHMD"]
    assert search.query_tokens("Hoseini, Mohamad") == ["HSN MHMD"]
    assert search.query_tokens("Mohamad") == ["MHMD"]
    assert search.query_tokens("  ,, ") == []


def test_cross_script_search_ranks_and_respects_access(
    personas: Personas, registry: dict[str, list[Record]]
) -> None:
    page = search.search(personas.analyst, "Mohamad Hoseini")
    names = _names(page)
    assert set(names[:2]) == {"محمد حسینی", "Mohammad Hosseini"}
    assert "Ali Nemuneh" not in names
    # Same skeletons, other names: Mahmoud ranks below Mohammad; "Hossein Mohammadi" (the
    # words swapped) scores under the threshold and is left out.
    assert names.index("Mahmoud Hosseini") == 2
    assert "Hossein Mohammadi" not in names
    assert search.name_tokens("Hossein Mohammadi") == search.name_tokens("Mohammad Hosseini")
    scores = [hit.score for hit in page.hits]
    assert scores == sorted(scores, reverse=True)
    # Source B is protected: the analyst may not see it, the investigator may.
    assert "Muhammad Husseini" not in names
    assert "Muhammad Husseini" in _names(search.search(personas.investigator, "Mohamad Hoseini"))
    assert search.search(personas.reader, "Mohamad Hoseini").total == 0


def test_filters_by_source_prison_and_events(
    personas: Personas, registry: dict[str, list[Record]]
) -> None:
    analyst = personas.investigator
    evin = services.add_place(
        analyst, name="Evin prison", name_original="زندان اوین", kind=PlaceKind.PRISON
    )
    by_source = search.search(
        analyst, "Mohamad Hoseini", search.Filters(source=registry["B"][0].source)
    )
    assert _names(by_source) == ["Muhammad Husseini"]
    in_evin = search.search(analyst, "Hoseini", search.Filters(prison=evin))
    assert sorted(_names(in_evin)) == ["Mahmoud Hosseini", "محمد حسینی"]

    tehran = services.add_place(analyst, name="Tehran", kind=PlaceKind.PROVINCE)
    prison = services.add_place(analyst, name="Qezel Hesar", kind=PlaceKind.PRISON, parent=tehran)
    person = services.create_person(analyst, records=[registry["A"][1]])
    services.add_event(
        analyst,
        kind=EventKind.EXECUTION,
        participants=[(person, ParticipantRole.SUBJECT)],
        date_earliest=dt.date(1988, 8, 1),
        date_latest=dt.date(1988, 8, 31),
        place=prison,
    )
    within = search.Filters(place=tehran, date_from=dt.date(1988, 8, 20))
    assert _names(search.search(analyst, "Mohamad Hoseini", within)) == ["Mohammad Hosseini"]
    after = search.Filters(date_from=dt.date(1988, 9, 1))
    assert search.search(analyst, "Mohamad Hoseini", after).total == 0
    hit = search.search(analyst, "Mohammad Hosseini", within).hits[0]
    assert hit.key.person == person and hit.person_visible


def test_hidden_person_is_not_shown(personas: Personas) -> None:
    source = make_source(personas.investigator, "P", level=Level.PUBLIC)
    records = services.add_records(personas.investigator, source, _rows(("Ali", "Nemuneh", "")))
    services.create_person(personas.investigator, records=records, level=Level.PROTECTED)
    hit = search.search(personas.researcher, "Ali Nemuneh").hits[0]
    assert not hit.person_visible and hit.key.person is None


def test_a_persons_records_make_one_row_unless_the_person_is_hidden(
    personas: Personas,
) -> None:
    source = make_source(personas.investigator, "F", level=Level.PUBLIC)
    records = services.add_records(
        personas.investigator,
        source,
        _rows(
            ("Ali", "Nemuneh", ""),
            ("علی", "نمونه", ""),
            ("Ali", "Nemune", ""),
            ("Ali", "Nemuneh", ""),
        ),
    )
    seen = services.create_person(personas.investigator, records=records[:2], level=Level.PUBLIC)
    services.create_person(personas.investigator, records=records[2:], level=Level.PROTECTED)
    page = search.search(personas.researcher, "Ali Nemuneh")
    assert page.total == 4 and page.rows == 3 and len(page.found) == 3
    (folded,) = [f for f in page.found if f.person is not None]
    assert folded.person == seen and {h.key.record_id for h in folded.hits} == {
        r.pk for r in records[:2]
    }
    # the hidden person's two records stay apart: grouping them would say they are one
    alone = [f for f in page.found if f.person is None]
    assert sorted(len(f.hits) for f in alone) == [1, 1]
    cleared = search.search(personas.investigator, "Ali Nemuneh")
    assert cleared.rows == 2 and all(f.person is not None for f in cleared.found)


def test_pages_cover_every_hit_once(personas: Personas) -> None:
    source = make_source(personas.analyst, "M")
    spellings = ("Mohammad Hosseini", "Mohamad Hoseini", "محمد حسینی", "Muhammad Husseini")
    services.add_records(
        personas.analyst,
        source,
        [
            services.RowIn(row_number=i + 1, raw={"full_name": spellings[i % 4]})
            for i in range(search.PAGE_SIZE * 2 + 7)
        ],
    )
    first = search.search(personas.analyst, "Mohammad Hosseini", page=1)
    assert first.total == search.PAGE_SIZE * 2 + 7 and first.num_pages == 3
    seen = [
        hit.key.record_id
        for n in (1, 2, 3)
        for hit in search.search(personas.analyst, "Mohammad Hosseini", page=n).hits
    ]
    assert len(seen) == len(set(seen)) == first.total
    assert search.search(personas.analyst, "Mohammad Hosseini", page=99).number == 3


def test_correction_and_linking_update_the_index(
    personas: Personas, registry: dict[str, list[Record]]
) -> None:
    record = registry["A"][3]
    person = services.create_person(personas.analyst, records=[record])
    assert NameKey.objects.get(record=record).person == person
    services.correct_record(
        personas.analyst,
        record,
        raw={"given_name": "Reza", "family_name": "Nemuneh"},
        reason="typo in the list",
    )
    key = NameKey.objects.get(record=record)
    assert (key.name, key.version, key.person) == ("Reza Nemuneh", 2, person)
    assert search.search(personas.analyst, "Ali Nemuneh").total == 0
    assert search.search(personas.analyst, "رضا نمونه").total == 1


def test_backfill_indexes_records_without_rows(
    personas: Personas, registry: dict[str, list[Record]]
) -> None:
    n = Record.objects.count()
    person = services.create_person(personas.analyst, records=[registry["A"][0]])
    NameToken.objects.all().delete()
    NameKey.objects.all().delete()
    assert search.search(personas.analyst, "Mohamad Hoseini").total == 0
    call_command("search_keys", batch=2)
    assert NameKey.objects.count() == n
    assert search.search(personas.analyst, "Mohamad Hoseini").total == 3
    assert NameKey.objects.get(record=registry["A"][0]).person == person
    assert search.backfill() == 0  # nothing left to do


def test_query_count_does_not_grow_with_results(
    personas: Personas, django_assert_max_num_queries: object
) -> None:
    source = make_source(personas.analyst, "Q")
    services.add_records(
        personas.analyst,
        source,
        [services.RowIn(row_number=i + 1, raw={"full_name": "Ali Nemuneh"}) for i in range(60)],
    )
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        page = search.search(personas.analyst, "Ali Nemuneh")
    assert len(page.hits) == search.PAGE_SIZE


def test_many_spellings_get_a_shortlist(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "MAX_NAMES", 2)
    source = make_source(personas.analyst, "V")
    spellings = [
        "Mohammad Hosseini",
        "Mohammad Hosseini",
        "Mohammad Hosseini",
        "Mahmoud Hosseini",
        "Mahmoud Hosseini",
        "Mohammad Hassani",
        "Muhammad Hussaini",
        "Mohamad Hoseyni",
        "Mohamed Hossaini",
    ]
    services.add_records(
        personas.analyst,
        source,
        [services.RowIn(row_number=i + 1, raw={"full_name": n}) for i, n in enumerate(spellings)],
    )
    page = search.search(personas.analyst, "Mohamad Hoseyni")
    assert page.truncated and page.unranked > 0
    names = _names(page)
    # The exact spelling is always scored, and comes first.
    assert names[0] == "Mohamad Hoseyni"
    # The two most frequent are scored too; what was left out is counted, not lost silently.
    assert "Mohammad Hosseini" in names
    assert page.total + page.unranked <= len(spellings)
