"""Accounts' tables: failed sign-ins counted per address and time window."""

from __future__ import annotations

from django.db import models


class FailedSignInWindow(models.Model):
    """Failed sign-ins from one address in one time window, until summarised in the audit log.

    ``address`` is the client address, or ``*`` for the refusals of the budget of all
    addresses together. Typed names that are no user are kept only as keyed hashes
    (``inquest.web.accounts.signin_failures.name_tag``). The row is deleted once its
    summary entry is written.
    """

    address = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    failures = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    lockouts = models.PositiveIntegerField(default=0)
    users = models.JSONField(default=list)
    name_tags = models.JSONField(default=list)
    more_names = models.BooleanField(default=False)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("address", "window_start"), name="one_window_row"),
        )
        indexes = (models.Index(fields=("window_start",), name="failed_signin_window_start"),)

    def __str__(self) -> str:
        return f"{self.failures} failed sign-in(s) from {self.address} at {self.window_start}"
