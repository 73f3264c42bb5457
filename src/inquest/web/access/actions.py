"""What a role may do beyond seeing; the data file's ``actions`` must name exactly these."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """An action a service checks before it writes."""

    VIEW = "view"
    IMPORT = "import"
    CORRECT = "correct"
    STATE = "state"
    LINK = "link"
    REVIEW = "review"
    ESTIMATE = "estimate"
    MANAGE_PLACES = "manage_places"
    GRANT = "grant"
    MANAGE_WITNESSES = "manage_witnesses"
    VIEW_IDENTITY = "view_identity"
    ADD_EVIDENCE = "add_evidence"
    EXPORT_EVIDENCE = "export_evidence"
    EXPUNGE_EVIDENCE = "expunge_evidence"
