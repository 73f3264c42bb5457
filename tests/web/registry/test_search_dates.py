"""The search's date filters in the user's calendar: Jalali typed in Persian or Latin digits,
a month or a year alone, ISO dates still read; a Jalali range finds only what lies in it."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.test import Client

from inquest.web.access.levels import Level
from inquest.web.registry import services
from inquest.web.registry.models import EventKind, ParticipantRole

from ..factories import make_source
from ..personas import Personas

IN_RANGE = dt.date(1988, 8, 11)  # 20 Mordad 1367
OUTSIDE = dt.date(1988, 10, 1)  # 9 Mehr 1367


@pytest.fixture
def dated(personas: Personas) -> dict[str, str]:
    """Two public records of the same name, executed on 11 August and 1 October 1988: the
    uid of each, by month."""
    writer = personas.investigator
    source = make_source(writer, "PUB", level=Level.PUBLIC)
    rows = [
        services.RowIn(row_number=1, raw={"given_name": "Reza", "family_name": "Karimi"}),
        services.RowIn(row_number=2, raw={"given_name": "Reza", "family_name": "Karimi"}),
    ]
    records = services.add_records(writer, source, rows)
    uids = {}
    for record, day in zip(records, (IN_RANGE, OUTSIDE), strict=True):
        person = services.create_person(writer, records=[record], level=Level.PUBLIC)
        uids[f"{day:%m}"] = str(record.uid)
        services.add_event(
            writer,
            kind=EventKind.EXECUTION,
            participants=[(person, ParticipantRole.SUBJECT)],
            date_earliest=day,
            date_latest=day,
            level=Level.PUBLIC,
        )
    return uids


def _page(client: Client, lang: str = "fa", **dates: str) -> str:
    response = client.get("/search/", {"q": "Reza Karimi", **dates}, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _found(page: str, uids: dict[str, str]) -> set[str]:
    return {month for month, uid in uids.items() if uid in page}


@pytest.mark.parametrize(
    ("date_from", "date_to", "found"),
    [
        ("۱۳۶۷/۰۵/۱۰", "۱۳۶۷/۰۵/۳۱", {"08"}),  # Persian digits, Jalali
        ("1367/5/20", "1367/5/20", {"08"}),  # the day itself, Latin digits
        ("مرداد ۱۳۶۷", "مرداد ۱۳۶۷", {"08"}),  # a month alone: all of Mordad
        ("۱۳۶۷/۰۵/۲۱", "۱۳۶۷/۰۶/۳۱", set()),  # after the day, before Mehr
        ("۱۳۶۷/۰۷/۰۱", "", {"10"}),  # from Mehr on
        ("1367", "1367", {"08", "10"}),  # a Jalali year
        ("1988-08-01", "1988-08-31", {"08"}),  # an ISO date is read too
    ],
)
def test_a_jalali_range_finds_what_lies_in_it(
    client: Client, dated: dict[str, str], date_from: str, date_to: str, found: set[str]
) -> None:
    page = _page(client, date_from=date_from, date_to=date_to)
    assert _found(page, dated) == found, (date_from, date_to)
    assert 'class="error"' not in page


@pytest.mark.usefixtures("dated")
def test_persian_pages_offer_a_jalali_text_box(client: Client) -> None:
    page = _page(client, date_from="۱۳۶۷/۰۵/۱۰")
    assert 'type="date"' not in page
    assert 'placeholder="۱۳۶۷/۰۵/۲۰"' in page  # the example, in Jalali and Persian digits
    assert 'value="۱۳۶۷/۰۵/۱۰"' in page  # what was typed is kept
    assert 'aria-describedby="id_date_from_helptext"' in page


def test_english_pages_keep_the_picker_unless_jalali_is_chosen(
    client: Client, dated: dict[str, str]
) -> None:
    page = _page(client, "en", date_from="1988-08-01")
    assert 'type="date"' in page and 'value="1988-08-01"' in page
    client.post("/display/", {"calendar": "jalali", "digits": "latin"}, HTTP_ACCEPT_LANGUAGE="en")
    jalali = _page(client, "en", date_from="1367/05/10", date_to="1367/05/31")
    assert 'type="date"' not in jalali and 'placeholder="1367/05/20"' in jalali
    assert _found(jalali, dated) == {"08"}


def test_unreadable_and_ambiguous_dates_are_refused_in_words(
    client: Client, dated: dict[str, str]
) -> None:
    page = _page(client, date_from="۱۳۶۷/۱۳/۰۱")
    assert "۱۳۶۷/۰۵/۲۰" in page and not _found(page, dated)
    assert 'class="error"' in page
    english = _page(client, "en", date_from="11/08/1988")  # 11 August or 8 November?
    assert "can be read in more than one way" in english
    reversed_range = _page(client, date_from="۱۳۶۷/۰۶/۰۱", date_to="۱۳۶۷/۰۵/۰۱")
    assert not _found(reversed_range, dated)
