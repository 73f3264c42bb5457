"""Every page of the top navigation, signed in as an analyst, in both languages: it loads,
in the language and direction asked for, with a translated title and a clean console."""

from __future__ import annotations

from urllib.parse import urlsplit

from .conftest import Visit


def test_every_page_in_the_navigation(visit: Visit) -> None:
    page = visit.page
    visit.as_analyst()
    visit.go("/")
    links = page.locator("header.top nav a")
    paths = [urlsplit(href).path for href in (a.get_attribute("href") for a in links.all())]
    assert {"/", "/sources/", "/search/", "/persons/", "/runs/", "/import/", "/review/"} <= set(
        paths
    ), paths
    for path in dict.fromkeys(paths):  # in order, once each
        visit.go(path)
        assert page.locator("main h1").count() == 1, f"{path}: no heading"
    visit.go("/sources/A/", data_title=True)  # titled with the source's code
    record = page.locator("main a[href^='/records/']").first.get_attribute("href")
    assert record is not None
    visit.go(record, data_title=True)  # titled with source and row
