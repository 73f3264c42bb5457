"""Failed sign-ins: a budget per address and for all addresses, and audit entries in summary.

Failures are counted per client address in fixed windows of ``SIGNIN_WINDOW`` (a row of
``FailedSignInWindow``, in the database so every worker process sees the same counts and a
restart does not reset them). Past ``SIGNIN_FAILURES_PER_ADDRESS`` failures from one address,
or ``SIGNIN_FAILURES_ALL_ADDRESSES`` from all, in the current window, sign-in is refused
with 429 before any password is checked.

The audit log gets at most, per address and window: the first failure, the first lockout,
the first refusal, and a summary (counts, the users targeted, the hashed names) once the
window has ended. A typed name that is no user is never stored: only ``name_tag``, a keyed
hash that lets attempts on one name be matched without keeping the name (it may be a
password typed in the wrong box).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from inquest.web.access.levels import Level
from inquest.web.accounts.models import FailedSignInWindow
from inquest.web.audit import services as audit

#: The row that counts refusals of the budget of all addresses together.
ALL_ADDRESSES = "*"
#: How many users and hashed names a window keeps (the counts go on past it).
NAMES_KEPT = 100
USERNAME_LIMIT = 150  # the longest user name Django accepts; longer input is cut
_TAG_SALT = "inquest.accounts.unknown-sign-in-name"


def now() -> dt.datetime:
    """The current time (a function, so tests can move the clock)."""
    return timezone.now()


def window_seconds() -> int:
    """The length of a counting window."""
    return int(settings.SIGNIN_WINDOW.total_seconds())


def window_start(at: dt.datetime) -> dt.datetime:
    """The start of the window ``at`` falls in (windows are aligned to the epoch)."""
    seconds = int(at.timestamp())
    return dt.datetime.fromtimestamp(seconds - seconds % window_seconds(), tz=dt.UTC)


def name_tag(name: str) -> str:
    """A keyed hash (HMAC-SHA256 under a key derived from ``SECRET_KEY``) of a typed name."""
    digest = salted_hmac(_TAG_SALT, name[:USERNAME_LIMIT], algorithm="sha256").hexdigest()
    return f"name:{digest[:16]}"


def existing_user(name: str) -> Any | None:
    """The user whose user name is ``name``, or None."""
    model = get_user_model()
    return model._default_manager.filter(**{model.USERNAME_FIELD: name}).first()


def target(name: str) -> dict[str, str]:
    """Who a failed sign-in aimed at: the user name of a user, else only the name's tag."""
    user = existing_user(name) if name else None
    return {"user": user.get_username()} if user is not None else {"name_tag": name_tag(name)}


def axes_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """``AXES_USERNAME_CALLABLE``: what django-axes stores and locks on instead of the name.

    A user's name for a user (so an administrator can unlock them by name), the name's tag
    for anything else, so axes' tables never hold a typed name that is no user.
    """
    field = get_user_model().USERNAME_FIELD
    if credentials is not None:
        typed = credentials.get(field)
    else:
        typed = request.POST.get(field) if request is not None else None
    name = str(typed or "")[:USERNAME_LIMIT]
    return name if name and existing_user(name) is not None else name_tag(name)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the connection's, or behind ``INQUEST_TRUSTED_PROXIES`` proxies
    the one the outermost of them saw (counted from the right of ``X-Forwarded-For``: the
    addresses to its left are whatever the client wrote). django-axes uses it too
    (``AXES_CLIENT_IP_CALLABLE``), so the lockout and the budget count the same clients."""
    proxies = int(getattr(settings, "INQUEST_TRUSTED_PROXIES", 0))
    remote = request.META.get("REMOTE_ADDR") or None
    if proxies <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    # fewer addresses than proxies: a request that did not come through all of them
    return forwarded[-proxies] if len(forwarded) >= proxies else remote


def client_address(request: HttpRequest | None) -> str:
    """The client address as django-axes sees it (so both count the same clients)."""
    from axes.helpers import get_client_ip_address

    if request is None:
        return "unknown"
    return (get_client_ip_address(request) or "unknown")[:64]


def _row(address: str, start: dt.datetime, at: dt.datetime) -> FailedSignInWindow:
    row, _ = FailedSignInWindow.objects.select_for_update().get_or_create(
        address=address, window_start=start, defaults={"first_at": at, "last_at": at}
    )
    return row


def _where(row: FailedSignInWindow) -> dict[str, Any]:
    return {"ip_address": row.address, "window_start": row.window_start}


def refused(request: HttpRequest) -> dt.datetime | None:
    """None to go on with a sign-in; else the end of the window to wait for (and audited).

    Also writes the summaries of windows that have ended.
    """
    at = now()
    start = window_start(at)
    close_finished_windows(start)
    address = client_address(request)
    from_address = FailedSignInWindow.objects.filter(address=address, window_start=start)
    over_address = from_address.filter(failures__gte=settings.SIGNIN_FAILURES_PER_ADDRESS).exists()
    total = FailedSignInWindow.objects.filter(window_start=start).aggregate(n=Sum("failures"))
    over_all = (total["n"] or 0) >= settings.SIGNIN_FAILURES_ALL_ADDRESSES
    if not (over_address or over_all):
        return None
    with transaction.atomic():
        row = _row(address if over_address else ALL_ADDRESSES, start, at)
        FailedSignInWindow.objects.filter(pk=row.pk).update(refused=F("refused") + 1, last_at=at)
        if row.refused == 0:
            audit.record(
                None,
                "account.login_throttled",
                get_user_model(),
                level=Level.INTERNAL,
                detail={**_where(row), "failures": row.failures if over_address else total["n"]},
            )
    return start + settings.SIGNIN_WINDOW


def record_failure(request: HttpRequest | None, name: str) -> None:
    """Count a failed sign-in; the first of its address's window gets an audit entry."""
    at = now()
    aimed = target(name)
    with transaction.atomic():
        row = _row(client_address(request), window_start(at), at)
        first = row.failures == 0
        row.failures += 1
        row.last_at = at
        _note(row, aimed)
        row.save()
        if first:
            audit.record(
                None,
                "account.login_failed",
                _object(aimed),
                level=Level.INTERNAL,
                detail={**_where(row), **aimed},
            )


def record_lockout(request: HttpRequest | None, locked_name: str) -> None:
    """Count a lockout; the first of its address's window gets an audit entry.

    ``locked_name`` is what django-axes locked (``axes_username``): a user name or a tag.
    """
    at = now()
    user = existing_user(locked_name) if locked_name else None
    aimed = {"user": user.get_username()} if user is not None else {"name_tag": locked_name}
    with transaction.atomic():
        row = _row(client_address(request), window_start(at), at)
        first = row.lockouts == 0
        row.lockouts += 1
        row.last_at = at
        row.save()
        if first:
            audit.record(
                None,
                "account.locked_out",
                _object(aimed),
                level=Level.INTERNAL,
                detail={**_where(row), **aimed},
            )


def close_finished_windows(current: dt.datetime) -> int:
    """Write the summary of every window before ``current``, then drop its row.

    A window with one failure and nothing else has said all in its first entry and gets
    no summary. Returns how many summaries were written.
    """
    written = 0
    with transaction.atomic():
        for row in FailedSignInWindow.objects.select_for_update().filter(window_start__lt=current):
            if row.failures > 1 or row.refused or row.lockouts:
                audit.record(
                    None,
                    "account.login_failures",
                    get_user_model(),
                    level=Level.INTERNAL,
                    detail={
                        **_where(row),
                        "window_end": row.window_start + settings.SIGNIN_WINDOW,
                        "first_at": row.first_at,
                        "last_at": row.last_at,
                        "failures": row.failures,
                        "refused": row.refused,
                        "lockouts": row.lockouts,
                        "users": row.users,
                        "name_tags": row.name_tags,
                        "more_names": row.more_names,
                    },
                )
                written += 1
            row.delete()
    return written


def _note(row: FailedSignInWindow, aimed: dict[str, str]) -> None:
    """Add the target to the window's users or tags, up to ``NAMES_KEPT`` of each."""
    kept = row.users if "user" in aimed else row.name_tags
    value = aimed.get("user") or aimed["name_tag"]
    if value in kept:
        return
    if len(kept) < NAMES_KEPT:
        kept.append(value)
    else:
        row.more_names = True


def _object(aimed: dict[str, str]) -> Any:
    """The audit entry's object: the user aimed at, else the user table."""
    user = existing_user(aimed["user"]) if "user" in aimed else None
    return user if user is not None else get_user_model()
