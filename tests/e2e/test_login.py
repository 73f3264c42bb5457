"""Signing in and out in a real browser, and the language switch."""

from __future__ import annotations

from .conftest import Visit


def test_sign_in_and_out(visit: Visit) -> None:
    page = visit.page
    analyst = visit.fresh_analyst()
    visit.go("/login/")
    page.locator("input[name=username]").fill(analyst)
    page.locator("input[name=password]").fill("not the password")
    page.locator("form.login button[type=submit]").click()
    page.wait_for_load_state()
    assert "/login/" in page.url
    assert page.locator("form.login .error").is_visible()

    visit.sign_in(analyst)
    header = page.locator("header.top")
    assert analyst in header.inner_text()
    header.locator("form[action$='/logout/'] button").click()
    page.wait_for_load_state()
    visit.check_page()
    assert analyst not in page.locator("header.top").inner_text()
    assert page.locator("header.top a[href^='/login/']").is_visible()


def test_language_switch(visit: Visit) -> None:
    page = visit.page
    visit.go("/sources/")
    other = "en" if visit.lang == "fa" else "fa"
    page.locator("details.settings > summary").click()  # the settings fold away
    page.locator("select#language").select_option(other)
    page.locator("select#language").locator("xpath=ancestor::form").locator("button").click()
    page.wait_for_load_state()
    assert page.url.endswith("/sources/")
    html = page.locator("html")
    assert html.get_attribute("lang") == other
    assert html.get_attribute("dir") == ("rtl" if other == "fa" else "ltr")
