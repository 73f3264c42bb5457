"""Thin views of sources, records and persons: they call queries, render templates and hold
no rules of their own. Objects are fetched through ``inquest.web.audit.reads``
(``get_visible``, ``noted``), so a page showing protected objects is one audit entry."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from inquest.web.audit.reads import get_visible, note_shown, noted
from inquest.web.registry import queries as registry
from inquest.web.registry.list_columns import column_labels
from inquest.web.registry.models import Person, Record, SourceEdition
from inquest.web.site.context import display_preferences
from inquest.web.site.display import format_interval


@require_GET
def source_list(request: HttpRequest) -> HttpResponse:
    """The sources the user may see, with how many of their records the user may see."""
    sources = noted(request.user, registry.sources_for(request.user).order_by("code"))
    return render(request, "inquest/registry/source_list.html", {"sources": sources})


@require_GET
def person_detail(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """One person: records side by side, the lists naming them, statements by property
    (conflicts highlighted), events and a timeline; all narrowed to what the user may see."""
    person = get_visible(request.user, Person.objects.visible_to(request.user), uid=uid)
    records = registry.records_side_by_side(request.user, person)
    display = display_preferences(request)["display"]
    names = dict.fromkeys(n for n in (person.display_name(), person.name_fa, person.name_en) if n)
    context = {
        "person": person,
        "other_names": list(names)[1:],
        "died": format_interval(person.death_earliest, person.death_latest, display),
        "properties": registry.person_properties(request.user, person),
        "records": records,
        "sources": records.sources(),
        "timeline": registry.timeline_of(request.user, person),
    }
    return render(request, "inquest/registry/person_detail.html", context)


@require_GET
def source_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One source: where it comes from, and its records the user may see, 50 to a page."""
    source = get_visible(request.user, registry.sources_for(request.user), code=code)
    page = Paginator(registry.records_of(request.user, source), 50).get_page(
        request.GET.get("page")
    )
    page.object_list = noted(request.user, page.object_list)
    note_shown(request.user, (v for record in page.object_list for v in record.versions.all()))
    editions = SourceEdition.objects.visible_to(request.user).filter(source=source)
    columns, rows = _records_table(page.object_list)
    return render(
        request,
        "inquest/registry/source_detail.html",
        {"source": source, "page": page, "editions": editions, "columns": columns, "rows": rows},
    )


@dataclass(frozen=True)
class RecordRow:
    """A record as a row of its source's table: its current values, a column each."""

    record: Record
    values: list[str]
    n_versions: int


def _records_table(records: Sequence[Record]) -> tuple[list[tuple[str, str]], list[RecordRow]]:
    """The columns of the records' current values (in the order first met; the list's own
    record number left out, shown as the identifier) with their labels, and a row each."""
    current = []
    for record in records:
        versions = list(record.versions.all())
        current.append((record, versions[-1].raw if versions else {}, len(versions)))
    keys = list(dict.fromkeys(k for _, raw, _ in current for k in raw if k != "record_id"))
    labels = column_labels()
    columns = [(key, str(labels.get(key, key))) for key in keys]
    rows = [
        RecordRow(record, [str(raw.get(k) or "") for k in keys], n) for record, raw, n in current
    ]
    return columns, rows


@require_GET
def record_detail(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """One record: every version, newest first, with who made it and why."""
    record = get_visible(
        request.user, Record.objects.visible_to(request.user).select_related("source"), uid=uid
    )
    versions = registry.versions_of(request.user, record)
    person = registry.person_of(request.user, record)
    return render(
        request,
        "inquest/registry/record_detail.html",
        {"record": record, "versions": versions, "person": person},
    )
