"""TOTP secrets are sealed with the field key: never hex in the database, rotated with it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from typer.testing import CliRunner

from inquest.cli import app
from inquest.errors import ConfigError
from inquest.web.accounts import devices
from inquest.web.accounts.models import SealedTOTPDevice
from inquest.web.audit.models import AuditEntry
from inquest.web.witnesses import crypto
from inquest.web.witnesses.crypto import FieldKey

from ..personas import Personas, totp_device, totp_token


def _raw_key_column(device: SealedTOTPDevice) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT key_sealed FROM {SealedTOTPDevice._meta.db_table} WHERE id = %s",
            [device.pk],
        )
        value: str = cursor.fetchone()[0]
    return value


def _all_device_columns() -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {SealedTOTPDevice._meta.db_table}")
        return repr(cursor.fetchall())


def test_the_database_never_holds_the_secret(personas: Personas) -> None:
    device = totp_device(personas.analyst)
    secret = devices.open_secret(device)
    assert len(secret) == 2 * devices.SECRET_BYTES
    stored = _raw_key_column(device)
    assert stored.startswith(f"v2.{crypto.key_from_env().key_id}.")
    assert secret not in _all_device_columns() and secret.upper() not in _all_device_columns()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM otp_totp_totpdevice")
        assert cursor.fetchone()[0] == 0


def test_a_real_token_verifies_and_is_not_reused(personas: Personas) -> None:
    device = totp_device(personas.analyst)
    token = totp_token(device)
    assert device.verify_token(token)
    assert not SealedTOTPDevice.objects.get(pk=device.pk).verify_token(token)


def test_a_secret_moved_to_another_device_does_not_open(personas: Personas) -> None:
    one, two = totp_device(personas.analyst), totp_device(personas.investigator)
    SealedTOTPDevice.objects.filter(pk=two.pk).update(key_sealed=one.key_sealed)
    with pytest.raises(crypto.SealError, match="does not open"):
        _ = SealedTOTPDevice.objects.get(pk=two.pk).bin_key


def test_rotation_reseals_secrets_with_the_witnesses(
    personas: Personas, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = crypto.key_from_env()
    device = totp_device(personas.analyst)
    secret = devices.open_secret(device)
    new = FieldKey.generate()
    path = tmp_path / "new.key"  # type: ignore[operator]
    path.write_text(new.encoded(), encoding="ascii")
    result = CliRunner().invoke(app, ["security", "rotate-key", "--new-key-file", str(path)])
    assert result.exit_code == 0, result.output
    assert "re-sealed 1 TOTP secret(s)" in result.output
    device.refresh_from_db()
    assert _raw_key_column(device).startswith(f"v2.{new.key_id}.")
    assert devices.open_secret(device, new) == secret
    with pytest.raises(crypto.SealError, match="sealed with key"):
        devices.open_secret(device, old)
    monkeypatch.setenv(crypto.ENV_KEY, new.encoded())
    assert device.verify_token(totp_token(device))
    assert devices.rotate_key(old, new) == 0
    entry = AuditEntry.objects.filter(action="account.totp.key.rotate").first()
    assert entry is not None and entry.detail["devices"] == 1


def test_without_a_field_key_enrolment_says_so(
    client: Client, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(crypto.ENV_KEY, raising=False)
    monkeypatch.delenv(crypto.ENV_KEY_FILE, raising=False)
    with pytest.raises(ConfigError, match="INQUEST_FIELD_KEY"):
        devices.new_device(personas.analyst, name="x", confirmed=False)
    assert not SealedTOTPDevice.objects.exists()
    user = personas.analyst
    user.set_password("synthetic-pass-1988-long")
    user.save()
    client.post("/login/", {"username": user.username, "password": "synthetic-pass-1988-long"})
    response = client.get("/accounts/two-factor/enrol/")
    assert response.status_code == 503
    assert "INQUEST_FIELD_KEY" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_existing_devices() -> None:
    """Devices of django-otp made before sealing are moved into sealed ones, secret intact."""
    before = [("inquest_accounts", "0002_sealed_totp_device"), ("otp_totp", "0003_add_timestamps")]
    executor = MigrationExecutor(connection)
    executor.migrate(before[:1])
    apps = executor.loader.project_state(before).apps
    user = apps.get_model("auth", "User").objects.create(username="synthetic-enrolled")
    hex_key = "3132333435363738393031323334353637383930"
    apps.get_model("otp_totp", "TOTPDevice").objects.create(
        user=user, name="old", confirmed=True, key=hex_key
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    device = SealedTOTPDevice.objects.get(user_id=user.pk)
    assert device.confirmed and device.name == "old"
    assert devices.open_secret(device) == hex_key
    assert hex_key not in _all_device_columns()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM otp_totp_totpdevice")
        assert cursor.fetchone()[0] == 0
    SealedTOTPDevice.objects.all().delete()
    user.delete()


@pytest.mark.django_db
def test_accounts_migrations_are_complete() -> None:
    out = io.StringIO()
    try:
        call_command("makemigrations", "inquest_accounts", check=True, dry_run=True, stdout=out)
    except SystemExit:
        pytest.fail(f"models changed without a migration:\n{out.getvalue()}")


@pytest.mark.django_db(transaction=True)
def test_migrating_devices_without_a_key_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = [("inquest_accounts", "0002_sealed_totp_device"), ("otp_totp", "0003_add_timestamps")]
    executor = MigrationExecutor(connection)
    executor.migrate(before[:1])
    apps = executor.loader.project_state(before).apps
    user = apps.get_model("auth", "User").objects.create(username="synthetic-enrolled")
    old = apps.get_model("otp_totp", "TOTPDevice")
    old.objects.create(user=user, name="old", confirmed=True)
    monkeypatch.delenv(crypto.ENV_KEY, raising=False)
    monkeypatch.delenv(crypto.ENV_KEY_FILE, raising=False)
    result = CliRunner().invoke(app, ["db", "migrate"])
    assert result.exit_code == 2, result.output
    assert "migration stopped" in result.output and "INQUEST_FIELD_KEY" in result.output
    assert old.objects.count() == 1 and not SealedTOTPDevice.objects.exists()
    monkeypatch.undo()
    call_command("migrate", verbosity=0, interactive=False)
    assert SealedTOTPDevice.objects.count() == 1
    SealedTOTPDevice.objects.all().delete()
    user.delete()


@pytest.mark.django_db(transaction=True)
def test_undoing_the_sealing_is_refused_unless_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Going back would write every secret into the database in clear."""
    from django.contrib.auth.models import User

    user = User.objects.create(username="synthetic-sealed")
    devices.new_device(user, name="phone", confirmed=True)
    before = [("inquest_accounts", "0002_sealed_totp_device")]
    monkeypatch.delenv("INQUEST_UNSEAL_TOTP", raising=False)
    with pytest.raises(ConfigError, match="INQUEST_UNSEAL_TOTP=yes"):
        MigrationExecutor(connection).migrate(before)
    assert SealedTOTPDevice.objects.filter(user=user).count() == 1
    # later migrations, undone on the way back before the refusal, are applied again
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("inquest_accounts"))
    SealedTOTPDevice.objects.all().delete()
    user.delete()
