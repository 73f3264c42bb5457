"""TOTP devices: made with a sealed secret, opened with the field key, re-sealed on rotation.

The field key is the witnesses' (``INQUEST_FIELD_KEY`` or ``INQUEST_FIELD_KEY_FILE``,
``inquest.web.witnesses.crypto``): one key to keep and rotate for every sealed value.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction

from inquest.web.access.levels import Level
from inquest.web.accounts.models import SealedTOTPDevice
from inquest.web.audit import services as audit
from inquest.web.witnesses import crypto

#: The secret's length: 20 bytes, as django-otp makes and authenticator apps expect.
SECRET_BYTES = 20
COLUMN = "key"


def _where(device: SealedTOTPDevice) -> dict[str, str]:
    return {"table": SealedTOTPDevice._meta.db_table, "column": COLUMN, "row": str(device.uid)}


def seal_secret(device: SealedTOTPDevice, hex_secret: str, key: crypto.FieldKey) -> None:
    """Set ``device``'s secret (hex text) sealed with ``key`` (not saved)."""
    device.key_sealed = crypto.seal(key, hex_secret, **_where(device))


def open_secret(device: SealedTOTPDevice, key: crypto.FieldKey | None = None) -> str:
    """``device``'s secret as hex text; ``key`` defaults to the field key of the environment."""
    return crypto.open_sealed(key or crypto.key_from_env(), device.key_sealed, **_where(device))


def new_device(
    user: Any, *, name: str, confirmed: bool, key: crypto.FieldKey | None = None
) -> SealedTOTPDevice:
    """A device for ``user`` with a new random secret, sealed and saved.

    ``key`` defaults to the field key of the environment: without one, a ConfigError saying
    what to set, and no device is made.
    """
    key = key or crypto.key_from_env()
    device = SealedTOTPDevice(user=user, name=name, confirmed=confirmed)
    seal_secret(device, secrets.token_bytes(SECRET_BYTES).hex(), key)
    device.save()
    return device


@transaction.atomic
def rotate_key(old: crypto.FieldKey, new: crypto.FieldKey) -> int:
    """Re-seal every device's secret under ``new``, all or nothing; audited as the operator.

    Secrets already sealed with ``new`` are left as they are (a repeated rotation does
    nothing). Returns how many were re-sealed.
    """
    count = 0
    for device in SealedTOTPDevice.objects.select_for_update().order_by("pk"):
        if crypto.key_id_of(device.key_sealed) in (None, new.key_id):
            continue
        seal_secret(device, open_secret(device, old), new)
        device.save(update_fields=["key_sealed"])
        count += 1
    audit.record(
        None,
        "account.totp.key.rotate",
        SealedTOTPDevice,
        level=Level.INTERNAL,
        detail={"old_key_id": old.key_id, "new_key_id": new.key_id, "devices": count},
    )
    return count
