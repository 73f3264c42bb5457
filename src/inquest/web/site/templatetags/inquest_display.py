"""Template filters that show dates and numbers as the user chose (``{% load inquest_display %}``).

``{{ value|shown_date:display }}``; ``{{ event|shown_interval:display }}`` for an object
with ``date_earliest`` and ``date_latest``; ``{{ n|shown_digits:display }}``;
``{{ name|isolated }}`` for text from a list: bidi controls removed, inside ``<bdi>``;
``{% result_rows rows display %}``: the search results' table rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from inquest.text import strip_bidi
from inquest.web.site.display import Display, format_date, format_interval, shown_digits

register = template.Library()


@register.filter
def shown_date(value: dt.date | None, display: Display) -> str:
    """A date in the chosen calendar and digits; empty for no date."""
    return "" if value is None else format_date(value, display)


@register.filter
def shown_time(value: dt.datetime | None, display: Display) -> str:
    """A moment in the server's time zone: its day in the chosen calendar, then hours and
    minutes, in the chosen digits; empty for none."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{format_date(local.date(), display)} {shown_digits(local.strftime('%H:%M'), display)}"


@register.filter
def shown_interval(obj: Any, display: Display) -> str:
    """An object's ``date_earliest``–``date_latest`` interval in the chosen calendar."""
    return format_interval(
        getattr(obj, "date_earliest", None), getattr(obj, "date_latest", None), display
    )


@register.filter(name="shown_digits")
def shown_digits_filter(value: Any, display: Display) -> str:
    """A number or text with its digits in the chosen script."""
    return shown_digits(str(value), display)


@register.filter
def isolated(value: Any) -> SafeString:
    """List text, escaped, without bidi controls, in ``<bdi>``: it cannot reorder the page."""
    text, _ = strip_bidi("" if value is None else str(value))
    return format_html("<bdi>{}</bdi>", text)


@register.simple_tag
def result_rows(rows: Any, display: Display) -> SafeString:
    """The ``<tr>`` of each search result (``site.search_views.ResultRow``), escaped.

    Written in Python, not as a template loop: a page of 50 rows took a tenth of the
    search page's time through the template engine.
    """
    row_word, not_linked, person_word = gettext("row"), gettext("not linked"), gettext("person")

    def person_cell(row: Any) -> SafeString:
        if not row.person_url:
            return format_html('<span class="muted">{}</span>', not_linked)
        return format_html(
            '<a href="{}" dir="auto">{}</a>', row.person_url, row.person_label or person_word
        )

    return format_html_join(
        "\n",
        '<tr><td><a href="{}" dir="auto" class="original">{}</a></td><td>{} · {} {}</td>'
        '<td>{}</td><td><meter min="0" max="1" value="{}">{}</meter></td></tr>',
        (
            (
                row.record_url,
                row.name,
                row.source,
                row_word,
                shown_digits(str(row.row_number), display),
                person_cell(row),
                row.score,
                row.score,
            )
            for row in rows
        ),
    )
