"""The search results' rows: escaped, digits as chosen, a person's records folded under it,
unlinked records marked."""

from __future__ import annotations

from django.utils import translation

from inquest.web.registry.views.search import FoldedRecord, ResultRow
from inquest.web.site.display import display_from
from inquest.web.site.templatetags.inquest_display import result_rows


def _record(**changes: object) -> FoldedRecord:
    values: dict[str, object] = {
        "name": "علی نمونه",
        "url": "/records/00000000-0000-0000-0000-000000000007/",
        "source": "ngo",
        "row_number": 12,
    }
    values.update(changes)
    return FoldedRecord(**values)  # type: ignore[arg-type]


def _row(**changes: object) -> ResultRow:
    values: dict[str, object] = {
        "name": "Ali Nemuneh (synthetic)",
        "person_url": "/persons/00000000-0000-0000-0000-000000000001/",
        "records": (_record(),),
        "score": "0.93",
    }
    values.update(changes)
    return ResultRow(**values)  # type: ignore[arg-type]


def test_text_from_lists_is_escaped() -> None:
    row = _row(name="<b>x</b>", records=(_record(name="<script>x</script>", source='a"b'),))
    html = str(result_rows([row], display_from(None, "en")))
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<b>" not in html and "a&quot;b" in html


def test_digits_follow_the_display_and_unlinked_rows_say_so() -> None:
    persian = display_from({"calendar": "jalali", "digits": "persian"}, "fa")
    html = str(result_rows([_row(person_url="", name="علی نمونه")], persian))
    assert "۱۲" in html and "/persons/" not in html and 'class="muted"' in html
    html = str(result_rows([_row()], display_from(None, "en")))
    assert " 12</span>" in html and 'href="/persons/00000000-0000-0000-0000-000000000001/"' in html


def test_a_persons_records_are_folded_into_one_row() -> None:
    row = _row(records=(_record(), _record(name="Ali Nemuneh", source="cem", row_number=3)))
    with translation.override("en"):
        html = str(result_rows([row], display_from(None, "en")))
    assert html.count("<tr>") == 1 and html.count("<li>") == 2
    assert "cem · row 3" in html and "ngo · row 12" in html
    assert '<span class="muted">2 records · ngo · cem</span>' in html
    assert row.sources == ["ngo", "cem"]
