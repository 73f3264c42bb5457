"""Accounts' reads, narrowed to what the caller may see."""

from __future__ import annotations

from django.db.models import QuerySet

from inquest.web.access.policy import AnyUser
from inquest.web.accounts.models import ApiToken

__all__ = ["keys_of"]


def keys_of(user: AnyUser) -> QuerySet[ApiToken]:
    """The user's own API keys, newest first (nobody lists another's keys)."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=user.pk)
