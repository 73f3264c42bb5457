"""API keys for notebooks and scripts: ``Authorization: Bearer inq_…`` (``accounts.services``)."""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from inquest.web.access.policy import API_KEY_ROLES
from inquest.web.accounts import services


class ApiKeyAuthentication(BaseAuthentication):
    """A live key signs its owner in for this request only, with the key's roles.

    A request without the header is left to the next way of signing in (the session); one
    with a wrong, revoked or expired key is refused with 401, never served anonymously.
    """

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        """The key's owner and the key, or None when no key is offered."""
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise AuthenticationFailed("give one key after 'Bearer'")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed("that is not an API key") from exc
        token = services.authenticate(key)
        if token is None:
            raise AuthenticationFailed("unknown, revoked or expired API key")
        user = token.user
        if token.roles:
            setattr(user, API_KEY_ROLES, frozenset(token.roles))
        return user, token

    def authenticate_header(self, request: Request) -> str:
        """The challenge of a 401: a key is asked for."""
        return f'{self.keyword} realm="api"'
