"""Downloads of what a user may see, written by ``inquest.web.exports`` (formula-safe, audited)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from inquest.web.access.levels import Level
from inquest.web.exports import Export, Format, export_response
from inquest.web.registry import queries as registry
from inquest.web.registry.models import RecordVersion

FORMATS: tuple[Format, ...] = ("csv", "xlsx")
FIXED_COLUMNS = ("row_number", "external_id", "confidentiality", "version")


@require_GET
def source_records(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """The records of one source the user may see, latest visible version of each, as a file.

    Columns: row number, the list's own id, level, version number, then every raw column in
    the order first met. The audit entry carries the highest level exported.
    """
    chosen = next((f for f in FORMATS if f == fmt), None)
    if chosen is None:
        raise Http404("unknown export format")
    source = get_object_or_404(registry.sources_for(request.user), code=code)
    versions = RecordVersion.objects.visible_to(request.user).order_by("-number")
    records = registry.records_of(request.user, source).prefetch_related(
        Prefetch("versions", queryset=versions, to_attr="visible_versions")
    )
    columns: dict[str, None] = {}
    rows: list[tuple[Any, ...]] = []
    level = Level(source.confidentiality)
    for record in records:
        latest = record.visible_versions[0] if record.visible_versions else None  # type: ignore[attr-defined]
        if latest is None:
            continue
        for key in latest.raw:
            columns.setdefault(key, None)
        level = max(level, Level(record.confidentiality), Level(latest.confidentiality))
        rows.append((record, latest))
    header = [*FIXED_COLUMNS, *columns]
    table = [
        [
            record.row_number,
            record.external_id,
            Level(record.confidentiality).name.lower(),
            latest.number,
            *(latest.raw.get(key, "") for key in columns),
        ]
        for record, latest in rows
    ]
    export = Export(f"{source.code}-records", header, table, subject=source, level=level)
    return export_response(request.user, export, chosen)
