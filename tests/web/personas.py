"""Synthetic users for the web tests, one per role. No real person is named."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User

from inquest.web.access.services import grant_role


@dataclass(frozen=True)
class Personas:
    """One synthetic user per role: anonymous, signed in without a grant, and each role."""

    anonymous: AnonymousUser
    reader: User
    researcher: User
    analyst: User
    investigator: User
    administrator: User


def _user(name: str, role: str | None) -> User:
    user = User.objects.create_user(username=f"synthetic-{name}", password=None)
    if role is not None:
        grant_role(None, user, role)
    return user


def make_personas() -> Personas:
    """Create the synthetic users and grant their roles (from the command line's authority)."""
    return Personas(
        anonymous=AnonymousUser(),
        reader=_user("reader", None),
        researcher=_user("researcher", "researcher"),
        analyst=_user("analyst", "analyst"),
        investigator=_user("investigator", "investigator"),
        administrator=_user("administrator", "administrator"),
    )
