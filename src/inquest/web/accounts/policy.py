"""Who must use a second factor: derived from the access matrix, not from a list of roles."""

from __future__ import annotations

from inquest.web.access.actions import Action
from inquest.web.access.levels import Level
from inquest.web.access.policy import AnyUser, roles_of


def requires_two_factor(user: AnyUser) -> bool:
    """Whether ``user`` must verify a TOTP token before using the workbench.

    True for a signed-in user holding any role that may see above public, or that may do
    anything beyond viewing (import, grant, ...), and for staff and superusers. A user whose
    roles are all public view-only sees no more than an anonymous visitor, so needs none.
    """
    if not user.is_authenticated:
        return False
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return True
    return any(
        role.clearance > Level.PUBLIC or role.actions - {Action.VIEW} for role in roles_of(user)
    )
