"""Audit entries for failed sign-ins and lockouts (successes are audited by the views).

The password never reaches here: Django strips it from the credentials it signals.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.dispatch import receiver

from inquest.web.access.levels import Level
from inquest.web.audit import services as audit

USERNAME_LIMIT = 150  # the longest user name Django accepts; longer input is cut


def _username(value: Any) -> str:
    return str(value or "")[:USERNAME_LIMIT]


@receiver(user_login_failed, dispatch_uid="inquest-accounts-login-failed")
def audit_login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    """A wrong password (or a refused attempt while locked out)."""
    with transaction.atomic():
        audit.record(
            None,
            "account.login_failed",
            get_user_model(),
            level=Level.INTERNAL,
            detail={"username": _username(credentials.get("username"))},
        )


@receiver(user_locked_out, dispatch_uid="inquest-accounts-locked-out")
def audit_locked_out(sender: Any, username: Any = None, ip_address: Any = None, **_: Any) -> None:
    """Too many failures for one user name from one address: the pair is locked out."""
    with transaction.atomic():
        audit.record(
            None,
            "account.locked_out",
            get_user_model(),
            level=Level.INTERNAL,
            detail={"username": _username(username), "ip_address": str(ip_address or "")},
        )
