"""Links to many objects of one kind on one page, without one ``reverse()`` per object."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.urls import reverse

_SENTINEL = "0" * 9 + "1"


def link_maker(view_name: str, *, uuid_argument: bool = False) -> Callable[[object], str]:
    """A function from one argument to the view's URL: reversed once, then filled in.

    For views whose only URL argument is an integer (or, with ``uuid_argument``, a UUID).
    """
    sentinel = f"00000000-0000-0000-0000-00{_SENTINEL}" if uuid_argument else _SENTINEL
    url = reverse(view_name, args=[sentinel])
    if url.count(sentinel) != 1:
        raise ValueError(f"{view_name}: its URL does not hold its argument once")
    head, tail = url.split(sentinel)

    def link_int(argument: object) -> str:
        return f"{head}{int(str(argument))}{tail}"

    def link_uuid(argument: object) -> str:
        value = argument if isinstance(argument, uuid.UUID) else uuid.UUID(str(argument))
        return f"{head}{value}{tail}"

    return link_uuid if uuid_argument else link_int
