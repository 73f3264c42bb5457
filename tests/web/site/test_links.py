"""``link_maker`` gives the URLs ``reverse()`` gives."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from inquest.web.site.links import link_maker


def test_integer_and_uuid_links_match_reverse() -> None:
    record = link_maker("site:record-detail")
    for pk in (1, 42, 10**12):
        assert record(pk) == reverse("site:record-detail", args=[pk])
    person = link_maker("site:person-detail", uuid_argument=True)
    uid = uuid.uuid4()
    assert person(uid) == person(str(uid)) == reverse("site:person-detail", args=[uid])


def test_arguments_are_checked_not_pasted() -> None:
    with pytest.raises(ValueError):
        link_maker("site:record-detail")("1/../../admin")
    with pytest.raises(ValueError):
        link_maker("site:person-detail", uuid_argument=True)("not-a-uuid")
