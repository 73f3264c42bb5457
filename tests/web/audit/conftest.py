"""A log whose head is anchored, for the tests of the anchor and of re-anchoring."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from inquest.web.audit.models import AuditEntry

from ..factories import make_source
from ..personas import Personas

Capture = Callable[..., AbstractContextManager[Any]]


@pytest.fixture
def anchored(personas: Personas, django_capture_on_commit_callbacks: Capture) -> AuditEntry:
    """Two sources written and committed (their callbacks run): the last entry anchored."""
    with django_capture_on_commit_callbacks(execute=True):
        make_source(personas.researcher, "A")
        make_source(personas.researcher, "B")
    last = AuditEntry.objects.order_by("id").last()
    assert last is not None
    return last
