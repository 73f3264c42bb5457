"""Every answer that shows a protected object is audited: the canary crawl's world and URLs
(``test_canary_crawl``), fetched as the investigator (the one role cleared for protected
data); an answer showing a canary planted in a protected object must have added an audit
entry naming that object, or one it hangs from (an export names its source), and at most one
``view`` entry. A new page or API route is checked as soon as it exists.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client

from inquest.web.access.levels import Level
from inquest.web.audit.models import AuditEntry
from inquest.web.witnesses.crypto import FieldKey

from ..personas import Personas
from .test_canary_crawl import CANARY, Garden, _plant, _seed, _text_of, crawl_urls
from .test_canary_crawl import field_key as field_key  # the crawl's fixture, shared


def _named(entry: AuditEntry) -> set[str]:
    objects = entry.detail.get("objects", []) if isinstance(entry.detail, dict) else []
    return {*objects, f"{entry.object_type}:{entry.object_id}"}


def _lineage(obj: models.Model) -> set[str]:
    """The object and every object it hangs from (``ACCESS_PARENTS``), as ``label:pk``."""
    out = {f"{obj._meta.label}:{obj.pk}"}
    for name in getattr(obj, "ACCESS_PARENTS", ()):
        parent = getattr(obj, name)
        if parent is not None and f"{parent._meta.label}:{parent.pk}" not in out:
            out |= _lineage(parent)
    return out


@pytest.mark.slow
def test_every_answer_showing_a_protected_object_is_audited(
    personas: Personas, field_key: FieldKey, tmp_path: Path
) -> None:
    garden = Garden()
    _seed(personas.investigator, tmp_path, garden)
    _plant(garden)
    urls = crawl_urls(garden)
    client = Client(raise_request_exception=False)
    client.force_login(personas.investigator)
    objects: dict[tuple[str, Any], models.Model | None] = {}

    def protected(model: str, pk: Any) -> models.Model | None:
        if (model, pk) not in objects:
            obj = apps.get_model(model)._default_manager.filter(pk=pk).first()
            objects[(model, pk)] = (
                obj if obj is not None and obj.confidentiality >= Level.PROTECTED else None
            )
        return objects[(model, pk)]

    unaudited: list[str] = []
    repeated: list[str] = []
    checked = 0
    for url in urls:
        last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = client.get(url)
        if response.status_code == 405:
            continue  # actions; their services audit what they do
        text = _text_of(response)
        added = list(AuditEntry.objects.filter(id__gt=last))
        named = set().union(*(_named(e) for e in added)) if added else set()
        if sum(e.action == "view" for e in added) > 1:
            repeated.append(url)
        for canary in sorted(set(CANARY.findall(text))):
            where = garden.canaries.get(canary)
            if where is None or where.pk is None or canary in url:
                continue
            obj = protected(where.model, where.pk)
            if obj is None:
                continue
            checked += 1
            if not _lineage(obj) & named:
                unaudited.append(f"{url}: {where.model} {where.pk} .{where.field}")
    assert checked, "the crawl met no protected object: it cannot see"
    assert not unaudited, "shown without an audit entry:\n" + "\n".join(unaudited[:40])
    assert not repeated, f"more than one view entry for one answer: {repeated[:20]}"
