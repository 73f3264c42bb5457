"""The person page in a real browser: the lists naming the person, records side by side,
statements and their conflicts, the timeline; hidden from a user without the clearance."""

from __future__ import annotations

from .conftest import Visit


def test_person_page(any_visit: Visit) -> None:
    visit, page, facts = any_visit, any_visit.page, any_visit.server.facts
    visit.as_analyst()
    visit.go(f"/persons/{facts['person_uid']}/")
    heading = page.locator("main h1")
    assert heading.inner_text() == facts["person_names"][visit.lang]
    assert heading.get_attribute("dir") == "auto"
    # Both lists that name the person, and its three records side by side, names as given.
    assert page.locator("ul.named-by li").count() == 2
    records = page.locator("table.records")
    assert records.locator("thead th").count() == 1 + 3
    text = records.inner_text()
    for name in ("بهرام", "Bahram", "Azmuni", "Azmooni", "کاظم", "Kazem", "Ghasem"):
        assert name in text, name
    assert records.locator("td[dir=auto]").count() >= 3 * 4
    # Statements: the father's name in three forms is a conflict, shown with its sources.
    label = {"en": "Father's name", "fa": "نام پدر"}[visit.lang]  # the field's label
    father = page.locator("tr.conflict", has=page.locator("th", has_text=label))
    assert father.locator(".flag").is_visible()
    assert page.locator("tr.conflict").count() >= 3
    # The execution on the timeline, at the sample prison, with the date as the list gave it.
    timeline = page.locator("ol.timeline li")
    assert timeline.count() == 1
    assert "زندان نمونه" in timeline.inner_text()
    assert "۱۳۶۷/۰۵/۱۲" in timeline.inner_text()
    # Dates in the calendar and digits the reader chooses, kept for the next pages.
    for calendar, digits, year in (("gregorian", "persian", "۱۹۸۸"), ("jalali", "latin", "1367")):
        page.locator("details.settings > summary").click()  # the settings fold away
        prefs = page.locator("form.prefs[action$='/display/']")
        prefs.locator("select[name=calendar]").select_option(calendar)
        prefs.locator("select[name=digits]").select_option(digits)
        with page.expect_navigation():
            prefs.locator("button").click()
        visit.check_page()
        assert year in page.locator("ol.timeline .when").inner_text(), (calendar, digits)
    if visit.lang == "fa":
        visit.check_persian_font()


def test_person_page_hidden_without_clearance(visit: Visit) -> None:
    facts = visit.server.facts
    path = f"/persons/{facts['person_uid']}/"
    assert visit.status(path) == 404
    visit.sign_in(facts["reader"])
    assert visit.status(path) == 404
    assert facts["person_names"][visit.lang] not in visit.page.content()
