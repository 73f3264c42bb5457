"""Registry search in a real browser: a Latin spelling found in Persian script and in other
Latin spellings, the source filter, the way on to the person, and nothing for a user who may
not see the lists."""

from __future__ import annotations

from .conftest import Visit

# Not how any list spells him: the lists have «بهرام آزمونی», "Bahram Azmuni", "Azmooni".
QUERY = "Behram Azmouni"


def _search(visit: Visit, query: str, source: str = "") -> None:
    page = visit.page
    visit.go("/search/")
    page.locator("form.search input[name=q]").fill(query)
    if source:
        page.locator("form.search select[name=source]").select_option(source)
    with page.expect_navigation():
        page.locator("form.search button[type=submit]").click()
    visit.check_page()


def test_search_across_scripts(any_visit: Visit) -> None:
    visit, page, facts = any_visit, any_visit.page, any_visit.server.facts
    visit.as_analyst()
    _search(visit, QUERY)
    # the records found, each with its name as its list gives it, under their person
    names = page.locator("table.results tbody td:nth-child(2) a").all_inner_texts()
    assert "بهرام آزمونی" in names
    assert {"Bahram Azmuni", "Bahram Azmooni"} <= set(names)
    assert not any("شیرین" in name for name in names)
    # Only the Persian-script list.
    _search(visit, QUERY, source="A")
    assert page.locator("table.results tbody td:nth-child(2) a").all_inner_texts() == [
        "بهرام آزمونی"
    ]
    # On to the person the record belongs to.
    link = page.locator(f"table.results a[href='/persons/{facts['person_uid']}/']")
    with page.expect_navigation():
        link.first.click()
    visit.check_page()
    assert page.locator("main h1").inner_text() == facts["person_names"][visit.lang]
    _search(visit, QUERY)  # the results page is the screenshot


def test_search_shows_nothing_the_user_may_not_see(visit: Visit) -> None:
    page = visit.page
    visit.sign_in(visit.server.facts["reader"])
    _search(visit, QUERY)
    assert page.locator("table.results").count() == 0
    assert "بهرام" not in page.locator("main").inner_text()
