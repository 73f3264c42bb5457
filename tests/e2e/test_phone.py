"""The workbench on a 390 px phone: the header stays short, and no page is wider than the
screen (wide tables scroll inside themselves)."""

from __future__ import annotations

from .conftest import Visit

PHONE = {"width": 390, "height": 844}
#: Brand and navigation on one scrolling line, the account and the folded settings below it.
MAX_HEADER_PX = 160


def test_header_and_pages_fit_a_phone(visit: Visit) -> None:
    page = visit.page
    page.set_viewport_size(PHONE)
    visit.as_analyst()
    for path in ("/", "/sources/", "/persons/", "/search/?q=Azmouni", "/runs/"):
        visit.go(path)
        header = page.locator("header.top").bounding_box()
        assert header is not None and header["height"] <= MAX_HEADER_PX, (path, header)
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 1, (path, wide)
    page.locator("details.settings > summary").click()
    assert page.locator("select#calendar").is_visible()
