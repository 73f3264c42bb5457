"""Audit the reading of protected data: one entry per page or answer that shows any.

Writes are audited by the services that make them; reads are audited here. The access-
filtered getters pages use (``get_visible``, ``noted``) note every object they hand out;
``ShownObjectsMiddleware`` gives each request one collection and, when the answer is made,
appends one ``view`` entry naming the protected objects noted, if any: a page showing a
hundred protected records is one entry, a page showing none adds nothing. The parents an
object was fetched with (a record's source) count as shown with it. Outside a request
(a command), each call is its own entry. Only objects at the ``protected`` level count: an
entry names their model and ids (at most ``_MAX_IDS``), the page that showed them and who
looked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404

from inquest.web.access.levels import Level
from inquest.web.access.policy import AnyUser
from inquest.web.audit import services as audit
from inquest.web.audit.models import AuditEntry

_MAX_IDS = 500
_M = TypeVar("_M", bound=models.Model)


class _Shown:
    """The protected objects noted while one request is answered, each once, in order."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, Any], models.Model] = {}

    def add(self, objects: Iterable[models.Model]) -> None:
        for obj in objects:
            self.objects.setdefault((obj._meta.label, obj.pk), obj)


# A mutable collection, so that views run in another thread (ASGI) add to the same one.
_shown: ContextVar[_Shown | None] = ContextVar("inquest_shown_objects", default=None)


def _with_parents(objects: Iterable[models.Model]) -> Iterator[models.Model]:
    """The objects and the parents (``ACCESS_PARENTS``) already loaded with them: a page that
    shows a record fetched with its source shows the source's code too. No query is made."""
    for obj in objects:
        yield obj
        for name in getattr(obj, "ACCESS_PARENTS", ()):
            field = obj._meta.get_field(name)
            if isinstance(field, models.ForeignKey) and field.is_cached(obj):
                parent = getattr(obj, name)
                if parent is not None:
                    yield from _with_parents([parent])


def _protected(objects: Iterable[models.Model]) -> list[models.Model]:
    return [
        obj
        for obj in _with_parents(objects)
        if int(getattr(obj, "confidentiality", 0)) >= Level.PROTECTED
    ]


def note_shown(user: AnyUser, objects: Iterable[models.Model | None]) -> None:
    """Count ``objects`` as shown to ``user`` (None is skipped): in a request, for its one
    entry; outside a request, recorded at once."""
    protected = _protected(obj for obj in objects if obj is not None)
    if not protected:
        return
    shown = _shown.get()
    if shown is None:
        record_protected_view(user, protected, where="")
    else:
        shown.add(protected)


def noted(user: AnyUser, objects: Iterable[_M]) -> list[_M]:
    """``objects`` as a list (a queryset is fetched once), each noted as shown to ``user``."""
    listed = list(objects)
    note_shown(user, listed)
    return listed


def get_visible(user: AnyUser, queryset: QuerySet[_M], **lookup: Any) -> _M:
    """The one object of ``queryset`` (already narrowed to ``user``) matching ``lookup``,
    noted as shown; ``Http404`` if there is none."""
    obj = queryset.filter(**lookup).first() if lookup else None
    if obj is None:
        raise Http404(f"no {queryset.model._meta.verbose_name} matches")
    note_shown(user, [obj])
    return obj


@contextmanager
def collecting(user: AnyUser | Callable[[], AnyUser], *, where: str) -> Iterator[None]:
    """Collect what is noted inside the block; on leaving it, one entry if any is protected.

    ``user`` may be a function asked on leaving: an API key authenticates inside the view,
    after the block has begun."""
    shown = _Shown()
    token = _shown.set(shown)
    try:
        yield
    finally:
        _shown.reset(token)
        who = user() if callable(user) else user
        record_protected_view(who, shown.objects.values(), where=where)


def record_protected_view(
    user: AnyUser, objects: Iterable[models.Model], *, where: str
) -> AuditEntry | None:
    """Append a ``view`` entry if any of ``objects`` is protected; None if none is."""
    protected = _protected(objects)
    if not protected:
        return None
    labels = sorted({obj._meta.label for obj in protected})
    ids = [f"{obj._meta.label}:{obj.pk}" for obj in protected]
    with transaction.atomic():
        return audit.record(
            user,
            "view",
            type(protected[0]),
            level=Level.PROTECTED,
            detail={"where": where, "models": labels, "objects": ids[:_MAX_IDS], "n": len(ids)},
        )
