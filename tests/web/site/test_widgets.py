"""``QuickSelect`` renders what Django's ``Select`` renders, faster."""

from __future__ import annotations

import re

from django import forms

from inquest.web.site.widgets import QuickSelect

CHOICES = [("", "---"), ("a", "Evin <prison>"), ("b", 'Say "b" & go')]


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def test_same_html_as_django_select() -> None:
    for value in ("", "a", "b", None):
        fast = QuickSelect(choices=CHOICES).render("prison", value, attrs={"id": "id_prison"})
        slow = forms.Select(choices=CHOICES).render("prison", value, attrs={"id": "id_prison"})
        assert _squeezed(str(fast)) == _squeezed(str(slow))


def test_labels_and_values_are_escaped() -> None:
    html = str(QuickSelect(choices=CHOICES).render("p", "b"))
    assert "Evin &lt;prison&gt;" in html and "<prison>" not in html
    assert '<option value="b" selected>Say &quot;b&quot; &amp; go</option>' in html
