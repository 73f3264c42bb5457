"""Small builders of synthetic registry objects for the web tests (no real persons)."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import User

from inquest.web.access.levels import Level
from inquest.web.registry import services
from inquest.web.registry.models import Record, Source

SYNTHETIC_ROWS: tuple[Mapping[str, str], ...] = (
    {"given_name": "علی", "family_name": "نمونه", "father_name": "حسن", "death_date": "۱۳۶۷/۰۵/۱۰"},
    {"given_name": "Ali", "family_name": "Nemuneh", "father_name": "Hasan", "death_date": "1988"},
    {"given_name": "مریم", "family_name": "آزمایشی", "father_name": "رضا", "death_date": ""},
)


def make_source(user: User, code: str = "A", level: Level = Level.INTERNAL, **extra: str) -> Source:
    """A synthetic source at ``level``."""
    return services.create_source(
        user,
        code=code,
        name=f"Synthetic list {code}",
        origin="synthetic test fixture",
        level=level,
        **extra,
    )


def make_records(user: User, source: Source, n: int = 3) -> list[Record]:
    """``n`` synthetic rows (cycling through ``SYNTHETIC_ROWS``) added to ``source``."""
    rows = [
        services.RowIn(row_number=i + 1, raw=SYNTHETIC_ROWS[i % len(SYNTHETIC_ROWS)])
        for i in range(n)
    ]
    return services.add_records(user, source, rows)
