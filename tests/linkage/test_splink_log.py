"""Splink's warnings are kept with the run, once each, and not printed."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from inquest.io import read_list
from inquest.linkage.pipeline import link_records
from inquest.linkage.splink_log import splink_warnings

DATA = Path(__file__).parent / "data"


def test_messages_are_kept_once_and_the_logger_is_restored(
    capfd: pytest.CaptureFixture[str],
) -> None:
    logger = logging.getLogger("splink")
    before = (list(logger.handlers), logger.propagate)
    with splink_warnings() as heard:
        for _ in range(3):
            logger.warning(" -- WARNING --\nLevel x on comparison y\n  not observed")
        logger.info("an information, not kept")
    assert heard == ["Splink: Level x on comparison y not observed"]
    assert (list(logger.handlers), logger.propagate) == before
    assert "not observed" not in capfd.readouterr().err


@pytest.mark.slow
def test_a_run_prints_none_of_splinks_warnings_and_keeps_them(
    capfd: pytest.CaptureFixture[str],
) -> None:
    result = link_records(read_list(DATA / "fake_1000_part.csv"))
    printed = capfd.readouterr()
    assert "WARNING" not in printed.err + printed.out
    assert "max_pairs" not in printed.err + printed.out
    assert any(w.startswith("Splink: ") for w in result.warnings)
