"""Accounts middleware: a second factor before any page, and the sessions' idle timeout."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from inquest.web.accounts.models import SealedTOTPDevice
from inquest.web.accounts.policy import requires_two_factor

#: Views an unverified user may still reach: the two-factor pages, sign-out, preferences.
EXEMPT_VIEWS = frozenset(
    {
        "accounts:enrol",
        "accounts:verify",
        "site:logout",
        "site:set-display",
        "set_language",
    }
)


class TwoFactorRequiredMiddleware:
    """After ``OTPMiddleware``: pages redirect, the API answers 403, until the user verifies."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        """None to go on; a redirect or 403 for a user who still owes a second factor."""
        user = request.user
        if not user.is_authenticated or _is_verified(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in EXEMPT_VIEWS:
            return None
        if not requires_two_factor(user):
            return None
        if match is not None and match.namespaces[:1] == ["api"]:
            return JsonResponse({"detail": "two-factor verification required"}, status=403)
        enrolled = SealedTOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
        target = reverse("accounts:verify" if enrolled else "accounts:enrol")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


def _is_verified(user: Any) -> bool:
    """Whether ``OTPMiddleware`` found a device verified in this session."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


#: The session key that holds when the session's expiry was last pushed back.
RENEWED_KEY = "_inquest_renewed"


class SessionRenewalMiddleware:
    """The idle timeout: a session in use has its expiry pushed back, at most once a minute.

    ``SESSION_COOKIE_AGE`` after the last renewal the session ends, so an unused session ends
    between ``SESSION_COOKIE_AGE - SESSION_RENEW_SECONDS`` and ``SESSION_COOKIE_AGE`` after
    its last request. Saving on every request (Django's ``SESSION_SAVE_EVERY_REQUEST``) would
    cost a database write per page. After ``SessionMiddleware``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.every = int(getattr(settings, "SESSION_RENEW_SECONDS", 60))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if not session.is_empty():
            now = int(time.time())
            if now - int(session.get(RENEWED_KEY, 0)) >= self.every:
                session[RENEWED_KEY] = now
        return self.get_response(request)
