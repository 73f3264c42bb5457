"""Failed sign-ins and lockouts, counted and audited in summary (successes: the views).

The password never reaches here: Django strips it from the credentials it signals. The
typed user name is kept only when it names a user (``inquest.web.accounts.signin_failures``).
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from inquest.web.accounts import signin_failures


@receiver(user_login_failed, dispatch_uid="inquest-accounts-login-failed")
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    """A wrong password (or a refused attempt while locked out)."""
    signin_failures.record_failure(request, str(credentials.get("username") or ""))


@receiver(user_locked_out, dispatch_uid="inquest-accounts-locked-out")
def audit_locked_out(
    sender: Any, request: HttpRequest | None = None, username: Any = None, **_: Any
) -> None:
    """Too many failures for one user name from one address: the pair is locked out."""
    signin_failures.record_lockout(request, str(username or ""))
