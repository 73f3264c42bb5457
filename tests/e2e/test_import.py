"""Importing a list in a real browser: upload, column mapping, preview, every problem by row
and field (nothing imported), the import itself, and the same file recognised again."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import FilePayload

from .conftest import Visit

# Persian headers: the first five are known aliases; the last, "internal note", is suggested
# as the notes from its words.
HEADER = "شناسه,نام,نام خانوادگی,نام پدر,تاریخ اعدام,یادداشت داخلی"
ROWS = (
    "F-1,نادر,نمونه‌پور,علی,۱۳۶۷/۰۶/۰۱,یادداشت یک",
    "F-2,Nader,Nemunehpur,Ali,1988-08-23,note two",
    "F-3,پروین,آزمایشی,محمود,مرداد ۱۳۶۷,",
)


def _csv(lang: str, rows: tuple[str, ...]) -> FilePayload:
    # A row naming the language keeps each language's file (and its hash) apart.
    body = "\n".join((HEADER, *rows, f"F-{lang},{lang},{lang},,,"))
    return {"name": f"family-list-{lang}.csv", "mimeType": "text/csv", "buffer": body.encode()}


def _upload(visit: Visit, payload: FilePayload, code: str) -> None:
    page = visit.page
    visit.go("/import/")
    page.locator("input[name=file]").set_input_files(payload)
    page.locator("input[name=origin]").fill("synthetic end-to-end list")
    page.locator("input[name=code]").fill(code)
    with page.expect_navigation():
        page.locator("form.stacked button[type=submit]").click()
    visit.check_page()


def _map_columns(visit: Visit) -> None:
    """Check the suggestions from the headers and the first values shown, go on."""
    page = visit.page
    assert page.url.endswith("/columns/"), page.url
    selects = page.locator("table.mapping select")
    assert selects.count() == 6
    chosen = [selects.nth(i).input_value() for i in range(6)]
    assert chosen == [
        "record_id",
        "given_name",
        "family_name",
        "father_name",
        "death_date",
        "notes",
    ]
    assert "F-1" in page.locator("table.mapping tbody tr").nth(0).inner_text()
    with page.expect_navigation():
        page.locator("form[action$='/columns/'] button[type=submit]").click()
    visit.check_page()
    assert page.url.endswith("/preview/"), page.url


def test_import_refuses_a_bad_file_then_imports_a_good_one(visit: Visit, tmp_path: Path) -> None:
    page, lang = visit.page, visit.lang
    visit.as_analyst()
    code = f"e2e-family-{lang}"

    # A repeated and an empty record_id: both named by row and field, nothing imported.
    bad = (*ROWS, "F-2,تکراری,تکراری,,,", ",بی‌شناسه,,,,")
    _upload(visit, _csv(lang, bad), code)
    _map_columns(visit)
    problems = page.locator("table.problems tbody tr")
    assert problems.count() == 2
    cells = [problems.nth(i).locator("td").all_inner_texts() for i in range(2)]
    digits = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
    assert sorted((c[0].translate(digits), c[1]) for c in cells) == [
        ("4", "record_id"),
        ("5", "record_id"),
    ]
    assert page.locator("form[action$='/preview/'] button").count() == 0, "no import button"
    with page.expect_navigation():
        page.locator("form[action$='/cancel/'] button").click()
    visit.go("/sources/")
    assert code not in page.locator("main").inner_text()

    # The same list without the bad rows: preview as stored, then import all rows.
    good = _csv(lang, ROWS)
    _upload(visit, good, code)
    _map_columns(visit)
    preview = page.locator("table.preview")
    assert preview.locator("tbody tr").count() == 4
    assert "نمونه‌پور" in preview.inner_text() and "Nemunehpur" in preview.inner_text()
    assert "یادداشت یک" in preview.inner_text()
    with page.expect_navigation():
        page.locator("form[action$='/preview/'] button[type=submit]").click()
    visit.check_page(data_title=True)  # the source's page, titled with its code
    assert page.url.endswith(f"/sources/{code}/")
    assert page.locator("ul.messages li").count() == 1
    assert "نمونه‌پور" in page.locator("main").inner_text()

    # The very same file again is recognised and changes nothing.
    _upload(visit, good, f"{code}-again")
    assert page.url.endswith("/import/")
    notice = page.locator("p.notice[role=status]")
    assert notice.is_visible() and code in notice.inner_text()
    visit.go("/sources/")
    assert f"{code}-again" not in page.locator("main").inner_text()


def test_import_needs_the_import_right(visit: Visit) -> None:
    visit.sign_in(visit.server.facts["reader"])
    assert visit.status("/import/") == 403
