"""The browser tests' own guards: the workbench's Content-Security-Policy is enforced, and a
violation reaches the test as a problem (so every other test would fail on one)."""

from __future__ import annotations

from .conftest import Visit


def test_a_csp_violation_is_caught(visit: Visit) -> None:
    visit.go("/")
    visit.page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "document.body.dataset.inline = 'ran'";
          document.body.append(script);
          const styled = document.createElement("div");
          styled.setAttribute("style", "color: red");
          document.body.append(styled);
        }"""
    )
    visit.page.wait_for_function("() => true")
    assert visit.page.evaluate("document.body.dataset.inline") is None, "inline script ran"
    caught = [p for p in visit.problems if "CSP violation" in p]
    assert any("script-src" in p for p in caught), visit.problems
    assert any("style-src" in p for p in caught), visit.problems
    visit.problems.clear()  # seen: not a failure of this test
