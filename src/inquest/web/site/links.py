"""Links to many objects of one kind on one page, without one ``reverse()`` per object."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.urls import reverse

_SENTINEL = "00000000-0000-0000-0000-000000000001"


def link_maker(view_name: str) -> Callable[[object], str]:
    """A function from one public id (a UUID, or its text) to the view's URL: reversed once,
    then filled in. For views whose only URL argument is a UUID."""
    url = reverse(view_name, args=[_SENTINEL])
    if url.count(_SENTINEL) != 1:
        raise ValueError(f"{view_name}: its URL does not hold its argument once")
    head, tail = url.split(_SENTINEL)

    def link(argument: object) -> str:
        value = argument if isinstance(argument, uuid.UUID) else uuid.UUID(str(argument))
        return f"{head}{value}{tail}"

    return link
