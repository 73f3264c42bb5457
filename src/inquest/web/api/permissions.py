"""Who may read the API's description: signed-in users who passed two-factor verification."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class VerifiedUser(BasePermission):
    """A signed-in user whose session passed TOTP verification (``django_otp``).

    The schema names every endpoint and field of the registry; an anonymous visitor, or a
    password thief who has not passed the second factor, learns nothing from it.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        """True for an authenticated, verified user."""
        user = request.user
        verified = getattr(user, "is_verified", None)
        return bool(user and user.is_authenticated and callable(verified) and verified())
