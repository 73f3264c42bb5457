"""URL converters of the run pages."""

from __future__ import annotations


class RunKindConverter:
    """``linkage`` or ``estimate`` in a run's URL; anything else does not match (404)."""

    regex = "linkage|estimate"

    def to_python(self, value: str) -> str:
        """The kind as written."""
        return value

    def to_url(self, value: str) -> str:
        """The kind as written."""
        return value
