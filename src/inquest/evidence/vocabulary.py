"""The words of evidence intake and expunge: how an item was acquired, the source's consent,
and the listed reasons for which an original may be expunged.

The members are enums (typed values for the engine and the workbench); their descriptions
live in ``inquest/data/evidence/vocabulary.yaml``, which must describe exactly these members.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import yaml

from inquest.errors import ConfigError

__all__ = [
    "VOCABULARY_FILE",
    "AcquisitionMethod",
    "ConsentStatus",
    "ExpungeReason",
    "Term",
    "vocabulary",
]

VOCABULARY_FILE = "inquest/data/evidence/vocabulary.yaml"


class AcquisitionMethod(enum.StrEnum):
    """How the commission came to hold an item."""

    FROM_WITNESS = "from_witness"
    FROM_FAMILY = "from_family"
    FROM_ORGANISATION = "from_organisation"
    OPEN_SOURCE = "open_source"
    LEAK = "leak"
    OFFICIAL_REQUEST = "official_request"
    FIELD_COLLECTION = "field_collection"
    OTHER = "other"


class ConsentStatus(enum.StrEnum):
    """What the source of an item agreed to."""

    GIVEN = "given"
    GIVEN_WITH_RESTRICTIONS = "given_with_restrictions"
    NOT_REQUIRED = "not_required"
    NOT_OBTAINABLE = "not_obtainable"
    PENDING = "pending"


class ExpungeReason(enum.StrEnum):
    """The only reasons for which a stored original may be destroyed."""

    COURT_ORDER = "court_order"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    UNLAWFUL_CONTENT = "unlawful_content"
    ENDANGERS_PERSON = "endangers_person"
    DUPLICATE_OF = "duplicate_of"
    INGESTED_IN_ERROR = "ingested_in_error"


@dataclass(frozen=True)
class Term:
    """One member's description, and whether using it needs a reference (an order's number,
    the kept original's address)."""

    description: str
    needs_reference: bool = False


E = TypeVar("E", bound=enum.StrEnum)


@dataclass(frozen=True)
class Vocabulary:
    """The description of every member of the three enums."""

    acquisition_methods: Mapping[AcquisitionMethod, Term]
    consent_statuses: Mapping[ConsentStatus, Term]
    expunge_reasons: Mapping[ExpungeReason, Term]


def _section(data: Mapping[str, Any], key: str, members: type[E]) -> dict[E, Term]:
    section = data.get(key)
    expected = {m.value for m in members}
    if not isinstance(section, dict) or set(section) != expected:
        raise ConfigError(
            f"must describe exactly {sorted(expected)}", path=VOCABULARY_FILE, key=key
        )
    out: dict[E, Term] = {}
    for member in members:
        entry = section[member.value]
        where = f"{key}.{member.value}"
        if not isinstance(entry, dict) or not isinstance(entry.get("description"), str):
            raise ConfigError("needs a description (text)", path=VOCABULARY_FILE, key=where)
        needs = entry.get("needs_reference", False)
        if not isinstance(needs, bool) or set(entry) - {"description", "needs_reference"}:
            raise ConfigError(
                "only description and needs_reference (true/false) are allowed",
                path=VOCABULARY_FILE,
                key=where,
            )
        out[member] = Term(entry["description"].strip(), needs)
    return out


def parse_vocabulary(data: Any) -> Vocabulary:
    """Validate a parsed vocabulary document against the enums."""
    if not isinstance(data, dict):
        raise ConfigError("must be a mapping", path=VOCABULARY_FILE)
    return Vocabulary(
        acquisition_methods=_section(data, "acquisition_methods", AcquisitionMethod),
        consent_statuses=_section(data, "consent_statuses", ConsentStatus),
        expunge_reasons=_section(data, "expunge_reasons", ExpungeReason),
    )


@cache
def vocabulary() -> Vocabulary:
    """The packaged vocabulary, read and validated once."""
    text = resources.files("inquest").joinpath("data", "evidence", "vocabulary.yaml")
    return parse_vocabulary(yaml.safe_load(text.read_text(encoding="utf-8")))
