"""Move django-otp's TOTP devices, whose secrets are hex in clear, into sealed devices.

Needs the field key (``INQUEST_FIELD_KEY`` or ``INQUEST_FIELD_KEY_FILE``) when there are
devices to move; without one it stops with a ConfigError saying what to set, nothing moved.
Undoing it writes the secrets back in clear, so it is refused unless ``INQUEST_UNSEAL_TOTP=yes``.
On PostgreSQL the cleartext rows it deletes stay in the table's pages until ``VACUUM`` (or
re-enrol the devices).
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from django.db import migrations

from inquest.errors import ConfigError

TABLE = "inquest_accounts_sealedtotpdevice"
#: Undoing the migration puts secrets back in clear: only when this says "yes".
UNSEAL_VARIABLE = "INQUEST_UNSEAL_TOTP"
COPIED = (
    "user_id",
    "name",
    "confirmed",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "created_at",
    "last_used_at",
    "step",
    "t0",
    "digits",
    "tolerance",
    "drift",
    "last_t",
)


def seal(apps: Any, schema_editor: Any) -> None:
    from inquest.web.witnesses import crypto

    old = apps.get_model("otp_totp", "TOTPDevice")
    new = apps.get_model("inquest_accounts", "SealedTOTPDevice")
    devices = list(old.objects.order_by("pk"))
    if not devices:
        return
    key = crypto.key_from_env()
    for device in devices:
        uid = uuid.uuid4()
        sealed = crypto.seal(key, device.key, table=TABLE, column="key", row=str(uid))
        new.objects.create(
            uid=uid, key_sealed=sealed, **{name: getattr(device, name) for name in COPIED}
        )
        device.delete()


def unseal(apps: Any, schema_editor: Any) -> None:
    from inquest.web.witnesses import crypto

    old = apps.get_model("otp_totp", "TOTPDevice")
    new = apps.get_model("inquest_accounts", "SealedTOTPDevice")
    devices = list(new.objects.order_by("pk"))
    if not devices:
        return
    if os.environ.get(UNSEAL_VARIABLE, "").strip().lower() != "yes":
        raise ConfigError(
            f"undoing this migration writes {len(devices)} authenticator secret(s) back into "
            f"the database in clear; set {UNSEAL_VARIABLE}=yes to do it anyway, or delete the "
            "devices and have their users enrol again"
        )
    key = crypto.key_from_env()
    for device in devices:
        plain = crypto.open_sealed(
            key, device.key_sealed, table=TABLE, column="key", row=str(device.uid)
        )
        old.objects.create(key=plain, **{name: getattr(device, name) for name in COPIED})
        device.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("inquest_accounts", "0002_sealed_totp_device"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(seal, unseal)]
