"""Django choices derived from the engine's enums: the values are the engine's, the web adds
only translated labels, and a label missing for any member (or one for no member) is refused
when the models load, so the two vocabularies cannot drift."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

E = TypeVar("E", bound=StrEnum)


def engine_choices(
    enum: type[E], labels: Mapping[E, str | Promise]
) -> list[tuple[str, str | Promise]]:
    """``(value, label)`` for every member of ``enum``, in its order."""
    unlabelled = [m.value for m in enum if m not in labels]
    stray = [str(k) for k in labels if k not in set(enum)]
    if unlabelled or stray:
        raise ImproperlyConfigured(
            f"{enum.__module__}.{enum.__qualname__}: members without a label {unlabelled}, "
            f"labels for no member {stray}"
        )
    return [(member.value, labels[member]) for member in enum]
