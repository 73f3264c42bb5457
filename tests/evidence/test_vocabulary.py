"""The evidence vocabulary file describes exactly the enums' members."""

from __future__ import annotations

from typing import Any

import pytest

from inquest.errors import ConfigError
from inquest.evidence.vocabulary import (
    AcquisitionMethod,
    ConsentStatus,
    ExpungeReason,
    parse_vocabulary,
    vocabulary,
)


def test_the_packaged_vocabulary_describes_every_member() -> None:
    vocab = vocabulary()
    assert set(vocab.acquisition_methods) == set(AcquisitionMethod)
    assert set(vocab.consent_statuses) == set(ConsentStatus)
    assert set(vocab.expunge_reasons) == set(ExpungeReason)
    assert vocab.expunge_reasons[ExpungeReason.COURT_ORDER].needs_reference
    assert not vocab.expunge_reasons[ExpungeReason.INGESTED_IN_ERROR].needs_reference


def _doc() -> dict[str, Any]:
    def section(members: Any) -> dict[str, Any]:
        return {m.value: {"description": "x"} for m in members}

    return {
        "acquisition_methods": section(AcquisitionMethod),
        "consent_statuses": section(ConsentStatus),
        "expunge_reasons": section(ExpungeReason),
    }


def test_a_missing_or_stray_member_is_named() -> None:
    doc = _doc()
    del doc["expunge_reasons"]["court_order"]
    with pytest.raises(ConfigError, match="expunge_reasons"):
        parse_vocabulary(doc)
    doc = _doc()
    doc["consent_statuses"]["maybe"] = {"description": "x"}
    with pytest.raises(ConfigError, match="consent_statuses"):
        parse_vocabulary(doc)


def test_a_bad_entry_is_named() -> None:
    doc = _doc()
    doc["expunge_reasons"]["court_order"] = {"description": "x", "needs_reference": "yes"}
    with pytest.raises(ConfigError, match=r"expunge_reasons\.court_order"):
        parse_vocabulary(doc)
