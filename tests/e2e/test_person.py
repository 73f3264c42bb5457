"""The person page in a real browser: records side by side, statements and their conflicts,
events; hidden from a user without the clearance."""

from __future__ import annotations

from .conftest import Visit


def test_person_page(any_visit: Visit) -> None:
    visit, page, facts = any_visit, any_visit.page, any_visit.server.facts
    visit.as_analyst()
    visit.go(f"/persons/{facts['person_uid']}/")
    heading = page.locator("main h1")
    assert heading.inner_text() == facts["person_label"]
    assert heading.get_attribute("dir") == "auto"
    body = page.locator("main").inner_text()
    # The sources' names in their own scripts, side by side.
    for name in ("بهرام", "Bahram", "Azmuni", "Azmooni", "کاظم", "Kazem", "Ghasem"):
        assert name in body, name
    # Father's name: three claims that disagree, flagged as a conflict.
    assert page.locator("tr.conflict").count() >= 3
    assert page.locator("tr.conflict .flag").first.is_visible()
    # The execution event at the sample prison, and the three linked records.
    events = page.locator("main table.list").nth(1)
    assert "زندان نمونه" in events.inner_text()
    records = page.locator("main h2 + ul li")
    assert records.count() == 3
    if visit.lang == "fa":
        visit.check_persian_font()


def test_person_page_hidden_without_clearance(visit: Visit) -> None:
    facts = visit.server.facts
    path = f"/persons/{facts['person_uid']}/"
    assert visit.status(path) == 404
    visit.sign_in(facts["reader"])
    assert visit.status(path) == 404
    assert facts["person_label"] not in visit.page.content()
