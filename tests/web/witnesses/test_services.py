"""Witness services: sealed at rest, revealed only to cleared roles, every reveal audited,
key rotation all or nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from inquest.errors import ConfigError, InputError
from inquest.web.access.levels import Level
from inquest.web.audit.models import AuditEntry
from inquest.web.audit.verify import verify_all
from inquest.web.witnesses import crypto, services
from inquest.web.witnesses.crypto import FieldKey, SealError
from inquest.web.witnesses.models import IDENTITY_FIELDS, Witness
from inquest.web.witnesses.services import Identity

from ..personas import Personas
from .test_crypto import seal_v1

CANARY = Identity(
    real_name="CANARY-real-name-5b1e",
    contact="canary-5b1e@example.invalid",
    address="CANARY-address-5b1e",
    birth_date="1340-01-01",
    notes="CANARY-notes-5b1e",
)


def _raw_row(witness: Witness) -> str:
    columns = ", ".join(f"{name}_sealed" for name in IDENTITY_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM witnesses_witness WHERE id = %s", [witness.pk])
        return " ".join(cursor.fetchone())


def test_identity_is_sealed_at_rest(personas: Personas, field_key: FieldKey) -> None:
    witness = services.create_witness(personas.investigator, pseudonym="W-1", identity=CANARY)
    stored = _raw_row(witness)
    for value in CANARY.values().values():
        assert value not in stored
    assert stored.count(f"v2.{field_key.key_id}.") == len(IDENTITY_FIELDS)
    entry = AuditEntry.objects.get(action="witness.create")
    assert "CANARY" not in str(entry.detail) and entry.detail["pseudonym"] == "W-1"


def test_only_cleared_roles_reveal_and_each_reveal_is_audited(
    personas: Personas, field_key: FieldKey
) -> None:
    witness = services.create_witness(personas.investigator, pseudonym="W-1", identity=CANARY)
    for user in (personas.anonymous, personas.reader, personas.researcher, personas.analyst):
        with pytest.raises(PermissionDenied):
            services.reveal(user, witness)
    assert not AuditEntry.objects.filter(action="witness.identity.view").exists()
    assert services.reveal(personas.investigator, witness) == CANARY
    services.reveal(personas.investigator, witness)
    views = AuditEntry.objects.filter(action="witness.identity.view")
    assert views.count() == 2
    assert {e.actor_label for e in views} == {"synthetic-investigator"}
    assert all(e.confidentiality == Level.PROTECTED for e in views)
    assert verify_all(anchor=None).intact


def test_only_witness_managers_register(personas: Personas, field_key: FieldKey) -> None:
    with pytest.raises(PermissionDenied):
        services.create_witness(personas.analyst, pseudonym="W-2", identity=CANARY)
    with pytest.raises(InputError, match="pseudonym"):
        services.create_witness(personas.investigator, pseudonym=" ", identity=CANARY)
    services.create_witness(personas.investigator, pseudonym="W-2", identity=CANARY)
    with pytest.raises(InputError, match="taken"):
        services.create_witness(personas.investigator, pseudonym="W-2", identity=CANARY)


def test_testimony_is_never_below_its_witness(personas: Personas, field_key: FieldKey) -> None:
    witness = services.create_witness(personas.investigator, pseudonym="W-1", identity=CANARY)
    testimony = services.add_testimony(
        personas.investigator, witness, summary="synthetic summary", level=Level.PUBLIC
    )
    assert testimony.confidentiality == Level.PROTECTED
    with pytest.raises(InputError, match="summary"):
        services.add_testimony(personas.investigator, witness, summary="  ")


def test_replace_identity(personas: Personas, field_key: FieldKey) -> None:
    witness = services.create_witness(personas.investigator, pseudonym="W-1", identity=CANARY)
    new = Identity(real_name="CANARY-other-name")
    services.replace_identity(personas.investigator, witness, new)
    witness.refresh_from_db()
    assert services.reveal(personas.investigator, witness) == new
    with pytest.raises(PermissionDenied):
        services.replace_identity(personas.analyst, witness, CANARY)


def test_missing_key_is_a_clear_error(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(crypto.ENV_KEY, raising=False)
    monkeypatch.delenv(crypto.ENV_KEY_FILE, raising=False)
    with pytest.raises(ConfigError, match="INQUEST_FIELD_KEY"):
        services.create_witness(personas.investigator, pseudonym="W-1", identity=CANARY)
    assert not Witness.objects.exists()


def test_rotation_reseals_everything_in_one_transaction(
    personas: Personas, field_key: FieldKey
) -> None:
    one = services.create_witness(personas.investigator, pseudonym="W-1", identity=CANARY)
    services.create_witness(
        personas.investigator, pseudonym="W-2", identity=Identity(real_name="CANARY-only-name")
    )
    new = FieldKey.generate()
    result = services.rotate_key(field_key, new)
    assert (result.witnesses, result.values) == (2, len(IDENTITY_FIELDS) + 1)
    one.refresh_from_db()
    assert services.reveal(personas.investigator, one, key=new) == CANARY
    with pytest.raises(SealError, match="sealed with key"):
        services.reveal(personas.investigator, one, key=field_key)
    # Again: nothing left to do.
    assert services.rotate_key(field_key, new).values == 0
    entry = AuditEntry.objects.filter(action="witness.key.rotate").last()
    assert entry is not None and entry.detail["new_key_id"] == new.key_id


def test_rotation_with_a_wrong_old_key_changes_nothing(
    personas: Personas, field_key: FieldKey
) -> None:
    witness = services.create_witness(personas.investigator, pseudonym="W-1", identity=CANARY)
    before = _raw_row(witness)
    with pytest.raises(SealError):
        services.rotate_key(FieldKey.generate(), FieldKey.generate())
    witness.refresh_from_db()
    assert _raw_row(witness) == before


def test_rotation_reseals_first_format_values_padded(
    personas: Personas, field_key: FieldKey
) -> None:
    witness = services.create_witness(personas.investigator, pseudonym="W-1", identity=CANARY)
    where = {"table": "witnesses_witness", "column": "real_name", "row": str(witness.uid)}
    plain = services.reveal(personas.investigator, witness).real_name
    Witness.objects.filter(pk=witness.pk).update(real_name_sealed=seal_v1(field_key, plain, where))
    new = FieldKey.generate()
    services.rotate_key(field_key, new)
    witness.refresh_from_db()
    assert witness.real_name_sealed.startswith(f"v2.{new.key_id}.")
    assert services.reveal(personas.investigator, witness, key=new).real_name == plain
