"""Accounts' tables: TOTP devices with sealed secrets, failed sign-ins per address and window."""

from __future__ import annotations

import uuid
from binascii import unhexlify

from django.conf import settings
from django.db import models
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice


class SealedTOTPDevice(TimestampMixin, ThrottlingMixin, Device):  # type: ignore[misc]
    """django-otp's TOTP device with its secret sealed at rest, like a witness's identity.

    ``key_sealed`` is the hex secret sealed with the field key
    (``inquest.web.witnesses.crypto``), bound to this table, the ``key`` column and
    ``uid``. Reading ``bin_key`` opens it with the field key from the environment; writing
    goes through ``inquest.web.accounts.devices``. Verification, throttling and the
    enrolment URL are django-otp's own (``TOTPDevice``'s methods, over ``bin_key``).
    """

    uid: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False
    )
    key_sealed: models.TextField[str, str] = models.TextField(editable=False)
    step: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(default=30)
    t0: models.BigIntegerField[int, int] = models.BigIntegerField(default=0)
    digits: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(
        choices=[(6, 6), (8, 8)], default=6
    )
    tolerance: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(
        default=1
    )
    drift: models.SmallIntegerField[int, int] = models.SmallIntegerField(default=0)
    last_t: models.BigIntegerField[int, int] = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):  # type: ignore[misc]
        verbose_name = "TOTP device (sealed)"

    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings

    @property
    def bin_key(self) -> bytes:
        """The secret, opened with the field key (ConfigError without one)."""
        from inquest.web.accounts import devices

        return unhexlify(devices.open_secret(self))

    def __str__(self) -> str:
        return f"{self.name} of user {self.user_id}"


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


class ApiToken(models.Model):
    """A revocable key for the read-only API, for notebooks and scripts.

    Only a SHA-256 hash of the secret is stored: the key is shown once, when it is made.
    ``prefix`` finds the row; ``roles`` narrows what the key may see to some of its owner's
    roles (empty: all of them). A key stops working when revoked, when it expires, when its
    owner's account is deactivated, and for a role its owner no longer holds.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    roles = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"API key {self.prefix} of user {self.user_id}"
