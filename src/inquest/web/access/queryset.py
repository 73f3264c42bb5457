"""The queryset and manager every confidential model uses: ``Model.objects.visible_to(user)``."""

from __future__ import annotations

from typing import Self, TypeVar

from django.db import models
from django.db.models import Q

from inquest.web.access.levels import Level
from inquest.web.access.policy import AnyUser, clearance

_M = TypeVar("_M", bound=models.Model)


class AccessQuerySet(models.QuerySet[_M]):
    """A queryset that can narrow itself to what a user is cleared to see."""

    def visible_to(self, user: AnyUser) -> Self:
        """Only the objects whose level, and whose parents' levels, the user may see."""
        level = clearance(user)
        if level is None:
            return self.none()
        return self.filter(visibility_filter(self.model, level))


class AccessManager(models.Manager[_M]):
    """The default manager of confidential models: ``objects.visible_to(user)``."""

    def get_queryset(self) -> AccessQuerySet[_M]:
        """All rows, as an access-aware queryset."""
        return AccessQuerySet(self.model, using=self._db)

    def visible_to(self, user: AnyUser) -> AccessQuerySet[_M]:
        """Only the rows the user may see (see ``AccessQuerySet.visible_to``)."""
        return self.get_queryset().visible_to(user)


def visibility_filter(
    model: type[models.Model],
    level: Level,
    prefix: str = "",
    _seen: frozenset[type[models.Model]] = frozenset(),
) -> Q:
    """A ``Q`` that keeps rows of ``model`` at or below ``level``, parents included.

    A nullable parent that is empty does not hide the row. A model met again on the way
    (a place's parent place) is checked one step only, not followed further: services keep
    every child at least as confidential as its parent, so one step suffices.
    """
    condition = Q(**{f"{prefix}confidentiality__lte": level})
    seen = _seen | {model}
    for name in getattr(model, "ACCESS_PARENTS", ()):
        field = model._meta.get_field(name)
        related = field.related_model
        if not isinstance(field, models.ForeignKey) or related is None or isinstance(related, str):
            raise TypeError(f"{model.__name__}.{name} is not a foreign key")
        if related in seen:
            parent = Q(**{f"{prefix}{name}__confidentiality__lte": level})
        else:
            parent = visibility_filter(related, level, f"{prefix}{name}__", seen)
        if field.null:
            parent = Q(**{f"{prefix}{name}__isnull": True}) | parent
        condition &= parent
    return condition
