"""Writes and decryption of witnesses. Each checks the matrix, runs in one transaction and
appends to the audit log. Audit entries name the witness by id and pseudonym, never by
anything sealed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from inquest.errors import InputError
from inquest.web.access.actions import Action
from inquest.web.access.levels import Level
from inquest.web.access.policy import AnyUser, require, user_id
from inquest.web.audit import services as audit
from inquest.web.witnesses import crypto, queries, redaction
from inquest.web.witnesses.models import IDENTITY_FIELDS, Testimony, Witness

DEFAULT_LEVEL = Level.PROTECTED
_TABLE = Witness._meta.db_table


@dataclass(frozen=True)
class Identity:
    """Who a witness is. Its repr shows no value, so it cannot leak through a traceback."""

    real_name: str = field(default="", repr=False)
    contact: str = field(default="", repr=False)
    address: str = field(default="", repr=False)
    birth_date: str = field(default="", repr=False)
    notes: str = field(default="", repr=False)

    def values(self) -> dict[str, str]:
        """Field name to value."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


if tuple(f.name for f in fields(Identity)) != IDENTITY_FIELDS:  # pragma: no cover
    raise ImportError("Identity and IDENTITY_FIELDS must list the same fields")


def _seal_into(witness: Witness, identity: Identity, key: crypto.FieldKey) -> None:
    for name, value in identity.values().items():
        setattr(
            witness,
            f"{name}_sealed",
            crypto.seal(key, value, table=_TABLE, column=name, row=str(witness.uid)),
        )


def _open(witness: Witness, key: crypto.FieldKey) -> Identity:
    return Identity(
        **{
            name: crypto.open_sealed(
                key,
                getattr(witness, f"{name}_sealed"),
                table=_TABLE,
                column=name,
                row=str(witness.uid),
            )
            for name in IDENTITY_FIELDS
        }
    )


@sensitive_variables("identity")
@transaction.atomic
def create_witness(
    user: AnyUser,
    *,
    pseudonym: str,
    identity: Identity,
    level: Level = DEFAULT_LEVEL,
    key: crypto.FieldKey | None = None,
) -> Witness:
    """Register a witness under ``pseudonym`` with a sealed identity (key from the env)."""
    require(user, Action.MANAGE_WITNESSES, level)
    pseudonym = pseudonym.strip()
    if not pseudonym:
        raise InputError("a witness needs a pseudonym", field="pseudonym")
    if Witness.objects.filter(pseudonym=pseudonym).exists():
        raise InputError(f"pseudonym {pseudonym!r} is taken", field="pseudonym")
    key = key or crypto.key_from_env()
    witness = Witness(pseudonym=pseudonym, confidentiality=level, created_by_id=user_id(user))
    _seal_into(witness, identity, key)
    witness.save()
    audit.record(
        user,
        "witness.create",
        witness,
        level=level,
        detail={"pseudonym": pseudonym, "key_id": key.key_id},
    )
    return witness


@sensitive_variables("identity")
@transaction.atomic
def replace_identity(
    user: AnyUser, witness: Witness, identity: Identity, *, key: crypto.FieldKey | None = None
) -> Witness:
    """Seal a new identity for ``witness`` (the old ciphertext is overwritten); audited."""
    require(user, Action.MANAGE_WITNESSES, witness.confidentiality)
    if not Witness.objects.visible_to(user).filter(pk=witness.pk).exists():
        raise PermissionDenied("witness not visible")
    _seal_into(witness, identity, key or crypto.key_from_env())
    witness.save(update_fields=[f"{name}_sealed" for name in IDENTITY_FIELDS])
    audit.record(
        user,
        "witness.identity.update",
        witness,
        level=witness.confidentiality,
        detail={"pseudonym": witness.pseudonym},
    )
    return witness


@sensitive_variables("identity")
def reveal(user: AnyUser, witness: Witness, *, key: crypto.FieldKey | None = None) -> Identity:
    """Decrypt ``witness``'s identity for a cleared user, and audit that they saw it.

    Raises ``PermissionDenied`` unless the user may see the witness and holds
    ``view_identity`` at its level; the refusal is audited too (``witness.identity.refused``,
    committed before the error is raised). The values are remembered so logs redact them.
    """
    refusal = _refusal(user, witness)
    if refusal is not None:
        with transaction.atomic():
            audit.record(
                user,
                "witness.identity.refused",
                witness,
                level=witness.confidentiality,
                detail={"pseudonym": witness.pseudonym, "reason": refusal},
            )
        raise PermissionDenied(refusal)
    with transaction.atomic():
        identity = _open(witness, key or crypto.key_from_env())
        redaction.remember(*identity.values().values())
        audit.record(
            user,
            "witness.identity.view",
            witness,
            level=witness.confidentiality,
            detail={"pseudonym": witness.pseudonym},
        )
    return identity


def _refusal(user: AnyUser, witness: Witness) -> str | None:
    """Why ``user`` may not see ``witness``'s identity, or None if they may."""
    if not queries.may_reveal(user, witness):
        return "no view_identity at the witness's level"
    if not Witness.objects.visible_to(user).filter(pk=witness.pk).exists():
        return "witness not visible"
    return None


@transaction.atomic
def add_testimony(
    user: AnyUser,
    witness: Witness,
    *,
    summary: str,
    given_on: dt.date | None = None,
    level: Level | None = None,
) -> Testimony:
    """Record a testimony of ``witness``, at least as confidential as the witness; audited."""
    chosen = Level(max(int(level if level is not None else 0), int(witness.confidentiality)))
    require(user, Action.MANAGE_WITNESSES, chosen)
    if not Witness.objects.visible_to(user).filter(pk=witness.pk).exists():
        raise PermissionDenied("witness not visible")
    if not summary.strip():
        raise InputError("a testimony needs a summary", field="summary")
    testimony = Testimony.objects.create(
        witness=witness,
        summary=summary,
        given_on=given_on,
        confidentiality=chosen,
        created_by_id=user_id(user),
    )
    audit.record(
        user,
        "testimony.create",
        testimony,
        level=chosen,
        detail={"witness": witness.pk, "given_on": given_on},
    )
    return testimony


@dataclass(frozen=True)
class Rotation:
    """What a key rotation did."""

    old_key_id: str
    new_key_id: str
    witnesses: int
    values: int


@transaction.atomic
def rotate_key(old: crypto.FieldKey, new: crypto.FieldKey) -> Rotation:
    """Re-seal every identity field under ``new``, all or nothing; audited as the operator.

    Values already sealed with ``new`` are left as they are, so a rotation interrupted
    before its commit (nothing changed) or repeated after it (nothing to do) is harmless.
    Any value that opens with neither key stops the rotation with nothing changed.
    """
    witnesses = 0
    values = 0
    for witness in Witness.objects.select_for_update().order_by("pk"):
        changed = []
        for name in IDENTITY_FIELDS:
            token = getattr(witness, f"{name}_sealed")
            kid = crypto.key_id_of(token)
            if kid is None or kid == new.key_id:
                continue
            where = {"table": _TABLE, "column": name, "row": str(witness.uid)}
            plain = crypto.open_sealed(old, token, **where)
            setattr(witness, f"{name}_sealed", crypto.seal(new, plain, **where))
            changed.append(f"{name}_sealed")
        if changed:
            witness.save(update_fields=changed)
            witnesses += 1
            values += len(changed)
    result = Rotation(old.key_id, new.key_id, witnesses, values)
    audit.record(
        None,
        "witness.key.rotate",
        Witness,
        level=Level.INTERNAL,
        detail={
            "old_key_id": old.key_id,
            "new_key_id": new.key_id,
            "witnesses": witnesses,
            "values": values,
        },
    )
    return result
