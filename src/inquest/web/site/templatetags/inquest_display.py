"""Template filters that show dates and numbers as the user chose (``{% load inquest_display %}``).

``{{ value|shown_date:display }}``; ``{{ event|shown_interval:display }}`` for an object
with ``date_earliest`` and ``date_latest``; ``{{ n|number:display }}`` for a count or a
figure (thousands grouped; a float rounded first with ``floatformat``),
``{{ level|percent:display }}`` for a fraction, ``{{ bytes|size:display }}`` for a file size;
``{{ text|shown_digits:display }}`` for text whose digits only change (times, identifiers);
``{{ name|isolated }}`` for text from a list: bidi controls removed, inside ``<bdi>``;
``{{ key|method_label }}``, ``interval_label``, ``point_label``, ``field_label``,
``comparison_label``: an engine term's translated label (``inquest.web.site.terms``);
``{% result_rows rows display %}``: the search results' table rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_lazy, ngettext

from inquest.text import strip_bidi
from inquest.web.site.display import (
    Display,
    format_date,
    format_interval,
    shown_digits,
    shown_number,
    shown_percent,
)
from inquest.web.site.plot_text import PlotText, describe_plot
from inquest.web.site.terms import (
    assumption_label,
    comparison_label,
    field_label,
    interval_label,
    method_label,
    point_label,
)

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
def number(value: Any, display: Display) -> str:
    """A count or figure with thousands grouped, in the chosen digits and separators ("1,783",
    "۱٬۷۸۳"); empty for None. Decimals are kept as given: round with ``floatformat`` first."""
    return "" if value is None else shown_number(value, display)


@register.filter
def percent(value: Any, display: Display) -> str:
    """A fraction as a whole percentage ("95%", "۹۵٪"); empty for None."""
    return "" if value is None else shown_percent(value, display)


_UNITS = (
    (2**30, gettext_lazy("%(size)s GB")),
    (2**20, gettext_lazy("%(size)s MB")),
    (2**10, gettext_lazy("%(size)s KB")),
)


@register.filter
def size(value: int | None, display: Display) -> str:
    """A size in bytes for a reader: "812 bytes", "1.4 MB" (binary units), in the chosen
    digits; empty for None."""
    if value is None:
        return ""
    for unit, words in _UNITS:
        if value >= unit:
            return str(words) % {"size": shown_number(value / unit, display, places=1)}
    return ngettext("%(size)s byte", "%(size)s bytes", value) % {
        "size": shown_number(value, display)
    }


register.filter("assumption_label", assumption_label)
register.filter("method_label", method_label)
register.filter("interval_label", interval_label)
register.filter("point_label", point_label)
register.filter("field_label", field_label)
register.filter("comparison_label", comparison_label)


@register.filter
def plot_text(kind: str) -> PlotText:
    """What the estimate plot recorded as ``kind`` shows: ``.title`` and ``.alt``."""
    return describe_plot(kind)


@register.filter
def isolated(value: Any) -> SafeString:
    """List text, escaped, without bidi controls, in ``<bdi>``: it cannot reorder the page."""
    text, _ = strip_bidi("" if value is None else str(value))
    return format_html("<bdi>{}</bdi>", text)


@register.simple_tag
def result_rows(rows: Any, display: Display) -> SafeString:
    """The ``<tr>`` of each search result (``site.search_views.ResultRow``), escaped: the
    person (or "not linked"), then the records found under it, then the best match.

    Written in Python, not as a template loop: a page of 50 rows took a tenth of the
    search page's time through the template engine.
    """
    row_word, not_linked = gettext("row"), gettext("not linked")

    def person_cell(row: Any) -> SafeString:
        if not row.person_url:
            return format_html('<span class="muted">{}</span>', not_linked)
        return format_html('<a href="{}" dir="auto">{}</a>', row.person_url, row.name)

    def summary(row: Any) -> SafeString:
        if not row.person_url:
            return SafeString("")
        n = len(row.records)
        counted = ngettext("%(n)s record", "%(n)s records", n) % {"n": shown_number(n, display)}
        return format_html('<span class="muted">{} · {}</span>', counted, " · ".join(row.sources))

    def records_cell(row: Any) -> SafeString:
        return format_html(
            '{}<ul class="found">{}</ul>',
            summary(row),
            format_html_join(
                "",
                '<li><a href="{}" dir="auto" class="original">{}</a> <span class="muted">{} · {} {}'
                "</span></li>",
                (
                    (
                        record.url,
                        record.name,
                        record.source,
                        row_word,
                        shown_number(record.row_number, display),
                    )
                    for record in row.records
                ),
            ),
        )

    return format_html_join(
        "\n",
        '<tr><td>{}</td><td>{}</td><td><meter min="0" max="1" value="{}">{}</meter></td></tr>',
        (
            (person_cell(row), records_cell(row), row.score, shown_number(row.score, display))
            for row in rows
        ),
    )
