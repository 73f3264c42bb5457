"""Import a list in the standard format as a source with its records: all or nothing, and
idempotent by file hash (importing the same file again finds the source made the first time,
or the source it was an edition of).
A newer edition of a source's list (it grew, or was corrected) is imported into that source
(``edition_of``): records matched by their record id, new ones added, changed ones versioned
(``services.add_edition``).

The rows are read by ``inquest.io.read_list``; each becomes a record whose version 1 holds
the row's non-empty values as that reader returns them (trimmed, invisible direction marks
removed). The file's SHA-256 is kept on the source, so the exact bytes can always be checked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_unicode_slug
from django.db import transaction
from django.utils.translation import gettext as _

from inquest.errors import InputError
from inquest.hashing import file_sha256
from inquest.io import ColumnMapping, provenance_columns, read_list
from inquest.web.access.actions import Action
from inquest.web.access.levels import Level
from inquest.web.access.policy import AnyUser, require
from inquest.web.registry import services
from inquest.web.registry.models import Source, SourceEdition
from inquest.web.registry.staging import max_list_text_chars, require_rows

_CODE_MAX = Source._meta.get_field("code").max_length or 32


@dataclass(frozen=True)
class ImportResult:
    """The source a file was imported as, whether this call made it, and its record count;
    for a new edition, what it changed."""

    source: Source
    created: bool
    n_records: int
    edition: SourceEdition | None = None


def import_list(
    user: AnyUser,
    path: Path,
    *,
    origin: str,
    level: Level,
    code: str | None = None,
    name: str | None = None,
    mapping: ColumnMapping | None = None,
    obtained_how: str = "",
    obtained_on: dt.date | None = None,
    description: str = "",
    edition_of: Source | None = None,
) -> ImportResult:
    """Import the list at ``path`` as a new source, or find the source it was imported as.

    Raises ``InputErrors`` naming every problem in the file (nothing is written then),
    ``InputError`` for a bad code or origin, or a code or file a source the user may not
    see has (told without saying so: ``services.check_new_source``), ``PermissionDenied``
    without the import right. With ``edition_of``, the file is a newer edition of that
    source's list and goes into it (``services.add_edition``); ``code`` and the source's
    description are then not used.
    """
    require(user, Action.IMPORT, level)  # fail before reading a large file
    digest, size = file_sha256(path)
    existing = services.source_of_file(digest)
    if existing is not None:
        if not Source.objects.visible_to(user).filter(pk=existing.pk).exists():
            raise services.hidden_clash(user, existing, "file_sha256")
        return ImportResult(existing, False, existing.records.count())
    if edition_of is not None:
        code = edition_of.code
    table = read_list(path, list_name=code, mapping=mapping, max_text_chars=max_list_text_chars())
    require_rows(table.num_rows, path.name)
    skip = set(provenance_columns()) - {"record_id"}
    rows = [
        services.RowIn(
            row_number=int(row["row"]),
            raw={k: v for k, v in row.items() if k not in skip and v is not None},
            external_id=str(row["record_id"] or ""),
        )
        for row in table.to_pylist()
    ]
    if edition_of is not None:
        if not Source.objects.visible_to(user).filter(pk=edition_of.pk).exists():
            raise services.hidden_clash(user, edition_of, "code")
        edition = services.add_edition(
            user, edition_of, rows, file_name=path.name, file_sha256=digest, file_bytes=size
        )
        return ImportResult(edition_of, False, edition_of.records.count(), edition)
    list_name = table.column("list")[0].as_py() if table.num_rows else (code or path.stem)
    source_code = code or list_name
    check_code(source_code)
    if not origin.strip():
        raise InputError("say where the list comes from", field="origin")
    # Before the writing transaction: a refusal's audit entry must outlive its rollback.
    services.check_new_source(user, code=source_code, file_sha256=digest)
    with transaction.atomic():
        source = services.create_source(
            user,
            code=source_code,
            name=name or list_name,
            origin=origin.strip(),
            level=level,
            obtained_how=obtained_how,
            obtained_on=obtained_on,
            description=description,
            file_name=path.name,
            file_sha256=digest,
            file_bytes=size,
        )
        records = services.add_records(user, source, rows)
    return ImportResult(source, True, len(records))


def check_code(code: str) -> None:
    """Refuse a source code that is too long or not a slug (``InputError`` on ``code``)."""
    if len(code) > _CODE_MAX:
        raise InputError(
            _("a source code has at most %(n)d characters") % {"n": _CODE_MAX}, field="code"
        )
    try:
        validate_unicode_slug(code)
    except ValidationError:
        raise InputError(
            _(
                "%(code)s is not a usable source code (letters, digits, - and _); choose "
                "another (on the command line: --code)"
            )
            % {"code": repr(code)},
            field="code",
        ) from None
