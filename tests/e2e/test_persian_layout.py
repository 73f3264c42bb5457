"""Persian as a reader meets it in the browser: the search's dates typed in the Jalali
calendar find what lies in the range, and no sentence that starts in Latin script has its
full stop at the wrong end of a right-to-left line."""

from __future__ import annotations

from .conftest import Visit

# The scenario's person, executed on 3 August 1988 (12 Mordad 1367), under a spelling no
# list uses.
QUERY = "Behram Azmouni"

# Text that ends in punctuation, in a right-to-left block (or isolate) whose own text (its
# isolated children left out) starts with a Latin letter: its punctuation is drawn at the
# left, the wrong end for that text.
_WRONG_END = r"""
() => {
  const found = [];
  const isolates = (el) => el.tagName === 'BDI' || el.hasAttribute('dir');
  const own = (el) => Array.from(el.childNodes).map((c) =>
    c.nodeType === Node.TEXT_NODE ? c.textContent
      : c.nodeType === Node.ELEMENT_NODE && !isolates(c) && c.tagName !== 'SCRIPT' ? own(c) : ' '
  ).join('');
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    if (!/[.:;!?)]\s*$/.test(node.textContent)) continue;
    let el = node.parentElement;
    while (!isolates(el) && getComputedStyle(el).display.startsWith('inline')) {
      el = el.parentElement;
    }
    if (el.getAttribute('dir') === 'auto' || getComputedStyle(el).direction !== 'rtl') continue;
    const strong = own(el).match(/[A-Za-z\u0600-\u06FF]/);
    if (strong && /[A-Za-z]/.test(strong[0])) found.push(el.tagName + ': ' + el.textContent.trim());
  }
  return found;
}
"""


def _no_wrong_ends(visit: Visit) -> None:
    if visit.lang == "fa":
        found = visit.page.evaluate(_WRONG_END)
        assert not found, f"{visit.page.url}: punctuation at the wrong end: {found[:5]}"


def _search(visit: Visit, date_from: str, date_to: str) -> list[str]:
    page = visit.page
    visit.go("/search/")
    page.locator("form.search input[name=q]").fill(QUERY)
    page.locator("form.search input[name=date_from]").fill(date_from)
    page.locator("form.search input[name=date_to]").fill(date_to)
    with page.expect_navigation():
        page.locator("form.search button[type=submit]").click()
    visit.check_page()
    return page.locator("table.results tbody td:nth-child(2) a").all_inner_texts()


def test_a_date_range_in_the_users_calendar(visit: Visit) -> None:
    visit.as_analyst()
    if visit.lang == "fa":  # a text box: Jalali, Persian digits
        field = visit.page.locator("form.search input[name=date_from]")
        visit.go("/search/")
        assert field.get_attribute("type") == "text"
        assert field.get_attribute("placeholder") == "۱۳۶۷/۰۵/۲۰"
        inside, after = ("۱۳۶۷/۰۵/۱۰", "۱۳۶۷/۰۵/۱۵"), ("۱۳۶۷/۰۵/۱۳", "مرداد ۱۳۶۷")
    else:  # the browser's date picker
        inside, after = ("1988-08-01", "1988-08-05"), ("1988-08-04", "1988-08-31")
    assert "بهرام آزمونی" in _search(visit, *inside)
    _no_wrong_ends(visit)
    assert _search(visit, *after) == []


def test_no_full_stop_at_the_wrong_end(visit: Visit) -> None:
    visit.as_analyst()
    for path in ("/", "/sources/", "/runs/", "/estimates/", "/persons/"):
        visit.go(path)
        _no_wrong_ends(visit)
    visit.go("/sources/A/", data_title=True)
    _no_wrong_ends(visit)
    assert "A list made up for the browser tests." in visit.page.locator("main").inner_text()
    visit.go(f"/persons/{visit.server.facts['person_uid']}/", data_title=True)
    _no_wrong_ends(visit)
