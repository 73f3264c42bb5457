"""Reviewing uncertain pairs in a real browser: the queue of a real linkage run, the pair page
with its match-weight waterfall, deciding by keyboard, and two reviewers on one pair."""

from __future__ import annotations

from .conftest import Visit

# Pairs of the seeded run's review queue: each test and language takes its own.
_PAIRS = {("decide", "en"): 0, ("decide", "fa"): 1, ("conflict", "en"): 2, ("conflict", "fa"): 3}


def _pair(visit: Visit, test: str) -> str:
    a, b = visit.server.facts["review_pairs"][_PAIRS[test, visit.lang]]
    return f"/review/{a}/{b}/"


def _decide_by_key(visit: Visit, key: str, note: str) -> None:
    page = visit.page
    page.locator("textarea#note").fill(note)
    page.locator("main h1").click()  # out of the note field: letters typed there are text
    with page.expect_navigation():
        page.keyboard.press(key)


def test_review_queue_and_pair_page(visit: Visit) -> None:
    page = visit.page
    visit.as_analyst()
    visit.go("/review/")
    path = _pair(visit, "decide")
    assert page.locator(f"main a[href='{path}']").count() >= 1, "the pair is not in the queue"
    page.locator(f"main a[href='{path}']").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(path)
    visit.check_page()
    # The two records side by side, and the evidence as a waterfall of weights.
    assert page.locator("table.pair thead th").count() == 3
    assert page.locator("table.pair tbody tr").count() >= 3
    bars = page.locator("table.waterfall tbody tr")
    assert bars.count() >= 3
    assert page.locator("table.waterfall svg rect").count() == bars.count()
    assert page.locator("ol.history li q").count() == 0

    note = f"synthetic e2e note ({visit.lang})"
    _decide_by_key(visit, "m", note)
    assert not page.url.endswith(path), "deciding should move on to the next pair"
    visit.go(path)
    history = page.locator("ol.history li")
    assert history.count() == 1
    assert note in history.first.inner_text()
    # j and k walk the queue: to the next pair and back.
    with page.expect_navigation():
        page.keyboard.press("j")
    assert not page.url.endswith(path)
    with page.expect_navigation():
        page.keyboard.press("k")
    assert page.url.endswith(path)
    visit.check_page()


def test_two_reviewers_on_one_pair(visit: Visit) -> None:
    first = visit
    first.as_analyst()
    path = _pair(first, "conflict")
    first.go(path)

    second = first.another()
    second.sign_in(second.fresh_analyst())
    second.go(path)
    _decide_by_key(second, "n", "second reviewer says no")

    # The first reviewer still has the page as it was, and decides: refused, not overwritten.
    first.may_fail(path)
    _decide_by_key(first, "m", "first reviewer says yes")
    alert = first.page.locator("section.conflict[role=alert]")
    assert alert.is_visible()
    assert second.page.evaluate("document.querySelector('header.top span').textContent") in (
        alert.inner_text()
    )
    assert "second reviewer says no" in alert.inner_text()
    history = first.page.locator("ol.history li")
    assert history.count() == 1 and "second reviewer says no" in history.first.inner_text()

    # Having seen the other decision, the first reviewer records theirs after it.
    _decide_by_key(first, "m", "first reviewer still says yes")
    first.go(path)
    texts = first.page.locator("ol.history li").all_inner_texts()
    assert len(texts) == 2
    assert "second reviewer says no" in texts[0] and "first reviewer still says yes" in texts[1]


def test_review_needs_the_review_right(visit: Visit) -> None:
    visit.sign_in(visit.server.facts["reader"])
    assert visit.status("/review/") == 403
    a, b = visit.server.facts["review_pairs"][0]
    assert visit.status(f"/review/{a}/{b}/") in (403, 404)
