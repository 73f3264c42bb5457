"""Reads of witnesses, always narrowed to what the user may see."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from inquest.web.access.actions import Action
from inquest.web.access.policy import AnyUser, can, clearance
from inquest.web.access.queryset import visibility_filter
from inquest.web.witnesses.models import Testimony, Witness


def witnesses_for(user: AnyUser) -> QuerySet[Witness]:
    """The witnesses the user may see, each with ``n_testimonies`` they may see."""
    level = clearance(user)
    if level is None:
        return Witness.objects.none()
    return Witness.objects.visible_to(user).annotate(
        n_testimonies=Count(
            "testimonies", filter=visibility_filter(Testimony, level, "testimonies__")
        )
    )


def testimonies_of(user: AnyUser, witness: Witness) -> QuerySet[Testimony]:
    """The testimonies of ``witness`` the user may see, oldest first."""
    return Testimony.objects.visible_to(user).filter(witness=witness).order_by("given_on", "id")


def may_reveal(user: AnyUser, witness: Witness) -> bool:
    """Whether the user may decrypt this witness's identity (the service checks again)."""
    return can(user, Action.VIEW_IDENTITY, witness.confidentiality)
