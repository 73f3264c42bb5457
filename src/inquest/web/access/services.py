"""Give and take back roles. Each write is audited in the same transaction."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from inquest.errors import InputError
from inquest.web.access.actions import Action
from inquest.web.access.grants import RoleGrant
from inquest.web.access.levels import Level
from inquest.web.access.matrix import access_matrix
from inquest.web.access.policy import AnyUser, forget_grants, require, user_id
from inquest.web.audit import services as audit


def _check_role(role: str) -> None:
    if role not in access_matrix().roles:
        known = ", ".join(sorted(access_matrix().roles))
        raise InputError(f"unknown role {role!r}; the matrix has: {known}", field="role")


@transaction.atomic
def grant_role(granter: AnyUser | None, user: AbstractBaseUser, role: str) -> RoleGrant:
    """Give ``user`` the matrix role ``role``.

    ``granter`` None is the operator at the command line (``inquest db grant``), who needs
    no role; anyone else needs the ``grant`` action.
    """
    _check_role(role)
    if granter is not None:
        require(granter, Action.GRANT, Level.PUBLIC)
    existing = RoleGrant.objects.filter(user_id=user.pk, role=role, revoked_at__isnull=True).first()
    if existing is not None:
        return existing
    forget_grants(int(user.pk))
    grant = RoleGrant.objects.create(
        user_id=user.pk,
        role=role,
        granted_by_id=user_id(granter) if granter is not None else None,
    )
    audit.record(
        granter, "role.grant", grant, level=Level.INTERNAL, detail={"user": user.pk, "role": role}
    )
    return grant


@transaction.atomic
def revoke_role(granter: AnyUser | None, user: AbstractBaseUser, role: str) -> int:
    """Take ``role`` back from ``user``; returns how many active grants ended (0 or 1)."""
    _check_role(role)
    if granter is not None:
        require(granter, Action.GRANT, Level.PUBLIC)
    grants = list(
        RoleGrant.objects.select_for_update().filter(
            user_id=user.pk, role=role, revoked_at__isnull=True
        )
    )
    forget_grants(int(user.pk))
    now = timezone.now()
    for grant in grants:
        grant.revoked_at = now
        grant.save(update_fields=["revoked_at"])
        audit.record(
            granter,
            "role.revoke",
            grant,
            level=Level.INTERNAL,
            detail={"user": user.pk, "role": role},
        )
    return len(grants)
