"""Lists uploaded in the browser, held privately until they are imported or dropped.

An upload is kept as ``<data folder>/uploads/<token>/<its own file name>`` (folders 0700,
files 0600, never under a served path), so the list's name, the source's file name and
every error message carry the name the user knows. The browser's import steps read the
file's headers and first values (``inquest.io.sample_list``), show the engine's mapping
suggestions (``inquest.io.sniff``), and preview the rows as
``inquest.web.registry.imports.import_list`` would store them. The file's format, and the
check of its bytes, come from the engine's registry of list formats (``inquest.io.formats``).

An upload left neither imported nor cancelled is deleted once it is older than
``INQUEST_UPLOAD_MAX_AGE_HOURS`` (default 24): whenever a new upload is staged, and by
``inquest db expire-uploads``.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from inquest.errors import InputError
from inquest.io import (
    ColumnMapping,
    ListSample,
    check_list_bytes,
    provenance_columns,
    read_list,
    sample_list,
    standard_schema,
)
from inquest.io import formats as list_formats
from inquest.private import private_folder

log = logging.getLogger(__name__)

UPLOADS = "uploads"
DEFAULT_MAX_BYTES = 50 * 2**20
DEFAULT_MAX_AGE_HOURS = 24
PREVIEW_ROWS = 20
#: A previewed cell is shown cut to this many characters (the import keeps it whole).
PREVIEW_CELL_CHARS = 200
_TOKEN_BYTES = 18


def staging_root() -> Path:
    """The private folder uploads wait in (made, or set, 0700)."""
    return private_folder(Path(settings.DATA_DIR) / UPLOADS)


def max_age_seconds() -> float:
    """How long an upload may wait: ``INQUEST_UPLOAD_MAX_AGE_HOURS``, in seconds."""
    hours = int(getattr(settings, "INQUEST_UPLOAD_MAX_AGE_HOURS", DEFAULT_MAX_AGE_HOURS))
    return hours * 3600.0


def _last_written(entry: Path) -> float:
    """When an upload's folder or anything in it was last written (not followed if a link)."""
    times = [entry.lstat().st_mtime]
    if entry.is_dir() and not entry.is_symlink():
        times += [child.lstat().st_mtime for child in entry.iterdir()]
    return max(times)


#: No upload younger than an hour expires: another session may be importing it.
MIN_AGE_SECONDS = 3600


def expire_uploads(*, max_age: float | None = None) -> list[str]:
    """Delete every upload older than ``max_age`` seconds (default: the setting); their
    tokens, sorted. A session still importing one finds it gone and is asked to start again."""
    limit = max_age_seconds() if max_age is None else max_age
    if limit < MIN_AGE_SECONDS:
        raise ValueError(f"uploads younger than {MIN_AGE_SECONDS} s may be in use; not expired")
    cutoff = time.time() - limit
    removed = []
    for entry in staging_root().iterdir():
        try:
            if _last_written(entry) >= cutoff:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except FileNotFoundError:
            continue  # imported or cancelled meanwhile
        except OSError as exc:
            log.warning("cannot delete the expired upload %s: %s", entry, exc)
            continue
        removed.append(entry.name)
    return sorted(removed)


def max_upload_bytes() -> int:
    """The largest list accepted: ``INQUEST_MAX_UPLOAD_BYTES``, at most the list format's."""
    limit = int(getattr(settings, "INQUEST_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))
    return min(limit, standard_schema().max_file_bytes)


def max_list_text_chars() -> int:
    """Characters of text a list may decode to: ``INQUEST_MAX_LIST_TEXT_CHARS``, at most the
    list format's (a small XLSX or Parquet upload can decode to gigabytes)."""
    limit = standard_schema().max_text_chars
    return min(int(getattr(settings, "INQUEST_MAX_LIST_TEXT_CHARS", limit)), limit)


@dataclass(frozen=True)
class StagedFile:
    """An uploaded list waiting to be imported: its token, file name, hash and size."""

    token: str
    name: str
    sha256: str
    size: int

    @property
    def path(self) -> Path:
        """Where the file is kept."""
        return staging_root() / self.token / self.name

    def as_session(self) -> dict[str, Any]:
        """The form kept in the session."""
        return {"token": self.token, "name": self.name, "sha256": self.sha256, "size": self.size}

    @classmethod
    def from_session(cls, data: Mapping[str, Any]) -> StagedFile:
        """Back from the session form; ``InputError`` if malformed or the file is gone."""
        try:
            staged = cls(
                str(data["token"]), str(data["name"]), str(data["sha256"]), int(data["size"])
            )
        except (KeyError, TypeError, ValueError):
            raise InputError("this upload is not known (start again)", field="file") from None
        if Path(staged.name).name != staged.name or not staged.token.isascii():
            raise InputError("this upload is not known (start again)", field="file")
        if not staged.path.is_file():
            raise InputError("the uploaded file is gone (start again)", field="file")
        return staged


def safe_name(name: str) -> str:
    """A file name safe to keep: its last component, with only letters, digits, - _ ."""
    base = get_valid_filename(Path(name.replace("\\", "/")).name) if name.strip() else ""
    return base.lstrip(".") or "list"


def stage_upload(upload: UploadedFile) -> StagedFile:
    """Keep an upload privately, checking its format and size; hash it while writing.

    Uploads abandoned longer than the allowed age are deleted first.
    """
    expire_uploads()
    name = safe_name(upload.name or "")
    list_formats.get(name, shown=upload.name)
    limit = max_upload_bytes()
    if upload.size is None or upload.size > limit:
        raise InputError(
            f"{upload.size} bytes is over the limit of {limit}", path=upload.name, field="file"
        )
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    folder = staging_root() / token
    folder.mkdir(mode=0o700)
    digest = hashlib.sha256()
    size = 0
    target = folder / name
    with target.open("xb") as handle:
        target.chmod(0o600)
        for chunk in upload.chunks():
            digest.update(chunk)
            size += len(chunk)
            if size > limit:
                handle.close()
                shutil.rmtree(folder, ignore_errors=True)
                raise InputError(f"over the limit of {limit} bytes", path=upload.name, field="file")
            handle.write(chunk)
    try:
        check_list_bytes(target, name=upload.name)
    except InputError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return StagedFile(token, name, digest.hexdigest(), size)


def discard(staged: StagedFile) -> None:
    """Remove an upload's file and folder."""
    shutil.rmtree(staging_root() / staged.token, ignore_errors=True)


def read_sample(staged: StagedFile) -> ListSample:
    """The headers of an uploaded list and its first rows' values under each; ``InputErrors``
    if the file cannot be read that far (read by its format, within the text limit)."""
    return sample_list(staged.path, max_text_chars=max_list_text_chars(), shown=staged.name)


def mapping_from_choices(choices: Mapping[str, str]) -> ColumnMapping:
    """A mapping from the user's choice per header ("" drops the column)."""
    names = set(standard_schema().names)
    problems = [h for h, t in choices.items() if t and t not in names]
    if problems:
        raise InputError(f"not a standard column: {choices[problems[0]]!r}", field=problems[0])
    return ColumnMapping(
        columns={h: t for h, t in choices.items() if t},
        ignore=frozenset(h for h, t in choices.items() if not t),
    )


def require_rows(n_rows: int, name: str) -> None:
    """Refuse a list with no data rows (a header alone): it would make an empty source."""
    if n_rows == 0:
        raise InputError(
            _(
                "the list has a header but no rows: nothing to import; check that you chose "
                "the right file, and that its rows are on the first sheet"
            ),
            path=name,
            row=1,
        )


@dataclass(frozen=True)
class Preview:
    """The first rows of a clean list as they would be stored, and how many rows it has."""

    n_rows: int
    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]


def preview(staged: StagedFile, mapping: ColumnMapping, *, code: str | None) -> Preview:
    """Read the whole list as the import would; ``InputErrors`` names its problems.

    At most :data:`PREVIEW_ROWS` rows are shown, each cell cut to :data:`PREVIEW_CELL_CHARS`.
    """
    table = read_list(
        staged.path, list_name=code, mapping=mapping, max_text_chars=max_list_text_chars()
    )
    require_rows(table.num_rows, staged.name)
    skip = set(provenance_columns()) - {"record_id"}
    present = [
        name
        for name in table.column_names
        if name not in skip and table.column(name).null_count < table.num_rows
    ]
    head = table.slice(0, PREVIEW_ROWS).select(["row", *present]).to_pylist()
    rows = tuple({k: _shown(v) for k, v in row.items()} for row in head)
    return Preview(table.num_rows, tuple(present), rows)


def _shown(value: object) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= PREVIEW_CELL_CHARS else text[: PREVIEW_CELL_CHARS - 1] + "…"
