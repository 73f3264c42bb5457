"""The search results' rows: escaped, digits as chosen, unlinked records marked."""

from __future__ import annotations

from inquest.web.site.display import display_from
from inquest.web.site.search_views import ResultRow
from inquest.web.site.templatetags.inquest_display import result_rows


def _row(**changes: object) -> ResultRow:
    values: dict[str, object] = {
        "name": "علی نمونه",
        "record_url": "/records/00000000-0000-0000-0000-000000000007/",
        "source": "ngo",
        "row_number": 12,
        "person_url": "/persons/00000000-0000-0000-0000-000000000001/",
        "person_label": "Ali Nemuneh (synthetic)",
        "score": "0.93",
    }
    values.update(changes)
    return ResultRow(**values)  # type: ignore[arg-type]


def test_text_from_lists_is_escaped() -> None:
    html = str(
        result_rows([_row(name="<script>x</script>", source='a"b')], display_from(None, "en"))
    )
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "a&quot;b" in html


def test_digits_follow_the_display_and_unlinked_rows_say_so() -> None:
    persian = display_from({"calendar": "jalali", "digits": "persian"}, "fa")
    html = str(result_rows([_row(row_number=12, person_url="", person_label="")], persian))
    assert "۱۲" in html and "/persons/" not in html and 'class="muted"' in html
    html = str(result_rows([_row()], display_from(None, "en")))
    assert " 12</td>" in html and 'href="/persons/00000000-0000-0000-0000-000000000001/"' in html
