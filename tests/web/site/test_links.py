"""``link_maker`` gives the URLs ``reverse()`` gives."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from inquest.web.site.links import link_maker


def test_links_match_reverse() -> None:
    for view in ("registry:record-detail", "registry:person-detail"):
        link = link_maker(view)
        uid = uuid.uuid4()
        assert link(uid) == link(str(uid)) == reverse(view, args=[uid])


def test_arguments_are_checked_not_pasted() -> None:
    with pytest.raises(ValueError):
        link_maker("registry:record-detail")("1/../../admin")
    with pytest.raises(ValueError):
        link_maker("registry:person-detail")("not-a-uuid")
