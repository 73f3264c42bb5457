"""Who may call the API: an API key's owner, or a signed-in user who passed two-factor
verification."""

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


class SignedIn(BasePermission):
    """A live API key (``ApiKeyAuthentication``), or a session verified as ``VerifiedUser``.

    Anyone else is answered 401 (with the key challenge), not an empty page.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        """True for a key's owner or a verified session's user."""
        if request.auth is not None and request.user.is_authenticated:
            return True
        return VerifiedUser().has_permission(request, view)
