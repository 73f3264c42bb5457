"""Numbers on pages: thousands grouped in English ("1,234"); in Persian digits with the Persian
separators ("۱٬۲۳۴", "۰٫۹۸۷", "۹۵٪"); inputs, links and exports keep plain ASCII numbers."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from inquest.web.runs.estimates import register_estimate_dir
from inquest.web.site.display import Calendar, Digits, Display

from ..factories import make_records, make_source
from ..personas import Personas
from ..runs.estimate_fixture import write_estimate_dir

EN = Display(Calendar.GREGORIAN, Digits.LATIN)
FA = Display(Calendar.JALALI, Digits.PERSIAN)

_FILTERS = Template(
    "{% load inquest_display %}{{ n|number:display }} | {{ p|floatformat:3|number:display }} | "
    "{{ level|percent:display }} | {{ small|size:display }} | {{ big|size:display }} | "
    "{{ none|number:display }}"
)


def _render(display: Display, language: str) -> str:
    context = {"n": 1783, "p": 0.98765, "level": 0.95, "small": 812, "big": 1_468_006}
    with translation.override(language):
        return _FILTERS.render(Context({**context, "none": None, "display": display}))


def test_the_filters_in_both_languages() -> None:
    assert _render(EN, "en") == "1,783 | 0.988 | 95% | 812 bytes | 1.4 MB | "
    assert _render(FA, "fa") == "۱٬۷۸۳ | ۰٫۹۸۸ | ۹۵٪ | ۸۱۲ بایت | ۱٫۴ مگابایت | "


@pytest.fixture
def big_source(personas: Personas) -> None:
    make_records(personas.investigator, make_source(personas.investigator, "BIG"), 1234)


@pytest.mark.usefixtures("big_source")
def test_counts_are_grouped(client: Client, personas: Personas) -> None:
    client.force_login(personas.investigator)
    sources = client.get("/sources/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<td>1,234</td>" in sources
    persian = client.get("/sources/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert "<td>۱٬۲۳۴</td>" in persian and "1234" not in persian
    detail = client.get("/sources/BIG/", {"page": "25"}, HTTP_ACCEPT_LANGUAGE="fa")
    page = detail.content.decode()
    assert "<dd>۱٬۲۳۴</dd>" in page  # the count of records
    assert "۱٬۲۰۱" in page  # a row number of the last page
    assert "?page=24" in page  # links keep ASCII numbers


@pytest.fixture(scope="module")
def estimate_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_estimate_dir(tmp_path_factory.mktemp("estimate"))


def test_estimates_show_percent_signs_of_their_language(
    client: Client, personas: Personas, estimate_dir: Path
) -> None:
    (run,) = register_estimate_dir(personas.analyst, estimate_dir).runs
    level = round(run.results["result"]["level"] * 100)
    client.force_login(personas.analyst)
    english = html.unescape(client.get("/estimates/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert f"({level}% " in english
    persian = html.unescape(client.get("/estimates/", HTTP_ACCEPT_LANGUAGE="fa").content.decode())
    shown = str(level).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert f"({shown}٪ " in persian and f"{shown}%" not in persian
