"""Who may see and do what: a user's roles, clearance and actions, from grants and the matrix."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeAlias

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied

from inquest.web.access.actions import Action
from inquest.web.access.grants import RoleGrant
from inquest.web.access.levels import Level
from inquest.web.access.matrix import Role, access_matrix

AnyUser: TypeAlias = AbstractBaseUser | AnonymousUser

#: The attribute an API key sets on its user for the request: the key's roles, when it is
#: limited to some of its owner's roles (``inquest.web.api.authentication``).
API_KEY_ROLES = "_inquest_api_key_roles"

#: Within one request (``RoleCacheMiddleware``), each user's active grants are read once.
_GRANTS: ContextVar[dict[int, frozenset[str]] | None] = ContextVar("inquest_grants", default=None)


@contextmanager
def grants_read_once() -> Iterator[None]:
    """Read each user's grants at most once inside this block (one request).

    A grant or revocation made inside the block is seen at once (``forget_grants``); one
    made by another request is seen from this user's next request on.
    """
    token = _GRANTS.set({})
    try:
        yield
    finally:
        _GRANTS.reset(token)


def forget_grants(user_pk: int) -> None:
    """Drop the cached grants of ``user_pk`` (their grants changed)."""
    cache = _GRANTS.get()
    if cache is not None:
        cache.pop(user_pk, None)


def _active_grants(user_pk: int) -> frozenset[str]:
    cache = _GRANTS.get()
    if cache is not None and user_pk in cache:
        return cache[user_pk]
    names = frozenset(
        RoleGrant.objects.filter(user_id=user_pk, revoked_at__isnull=True).values_list(
            "role", flat=True
        )
    )
    if cache is not None:
        cache[user_pk] = names
    return names


def roles_of(user: AnyUser) -> list[Role]:
    """The user's roles: active grants plus the matrix's default for anonymous/signed-in users.

    An inactive account has no roles at all.
    """
    matrix = access_matrix()
    if not user.is_authenticated:
        return [matrix.role(matrix.anonymous)] if matrix.anonymous else []
    if not user.is_active:
        return []
    names = set(_active_grants(int(user.pk)))
    narrowed = getattr(user, API_KEY_ROLES, None)
    if narrowed:  # an API key limited to some of its owner's roles
        names &= narrowed
    if matrix.authenticated:
        names.add(matrix.authenticated)
    return [matrix.roles[name] for name in sorted(names) if name in matrix.roles]


def granted_roles(user: AnyUser) -> frozenset[str]:
    """The names of the roles granted to a signed-in, active user (none otherwise)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    return _active_grants(int(user.pk))


def clearance(user: AnyUser) -> Level | None:
    """The highest level the user may see, or None if they may see nothing."""
    levels = [role.clearance for role in roles_of(user) if Action.VIEW in role.actions]
    return max(levels) if levels else None


def can(user: AnyUser, action: Action, level: Level | int = Level.PUBLIC) -> bool:
    """Whether one of the user's roles allows ``action`` on an object of ``level``."""
    return any(
        action in role.actions and role.clearance >= level and Action.VIEW in role.actions
        for role in roles_of(user)
    )


def require(user: AnyUser, action: Action, level: Level | int = Level.PUBLIC) -> None:
    """Raise ``PermissionDenied`` unless ``can(user, action, level)``."""
    if not can(user, action, level):
        raise PermissionDenied(f"{action.value} on a {Level(level).label} object is not allowed")


def user_id(user: AnyUser) -> int | None:
    """The id to store as author: the signed-in user's, or None for anonymous."""
    return int(user.pk) if user.is_authenticated and user.pk is not None else None
