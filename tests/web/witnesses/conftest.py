"""A field key for the witness tests, set in the environment as a deployment would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from inquest.web.witnesses import redaction
from inquest.web.witnesses.crypto import ENV_KEY, ENV_KEY_FILE, FieldKey


@pytest.fixture
def field_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[FieldKey]:
    """A fresh key in ``INQUEST_FIELD_KEY``; forgets revealed values afterwards."""
    key = FieldKey.generate()
    monkeypatch.delenv(ENV_KEY_FILE, raising=False)
    monkeypatch.setenv(ENV_KEY, key.encoded())
    yield key
    redaction.forget_all()
