"""Splink's warnings, kept with the run instead of printed.

Splink logs what it notices while training and scoring (a level no pair showed, so its m
stays untrained; u sampled from fewer pairs than it advises), each as a block on standard
error, and again from every linker and training thread. A user of ``inquest link`` can act on
none of it there; the run's ``warnings`` (``run.json``) keep each distinct message once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["splink_warnings"]

_LOGGER = "splink"


class _Collect(logging.Handler):
    """Keeps the distinct messages of WARNING and above, in the order first seen."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self._seen: set[str] = set()
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        text = " ".join(record.getMessage().replace("-- WARNING --", "").split())
        with self._guard:
            if text and text not in self._seen:
                self._seen.add(text)
                self.messages.append(f"Splink: {text}")


@contextmanager
def splink_warnings() -> Iterator[list[str]]:
    """Inside, Splink's messages go to the list yielded (not to standard error)."""
    logger = logging.getLogger(_LOGGER)
    collect = _Collect()
    saved = (list(logger.handlers), logger.propagate)
    for handler in saved[0]:
        logger.removeHandler(handler)
    logger.addHandler(collect)
    logger.propagate = False
    try:
        yield collect.messages
    finally:
        logger.removeHandler(collect)
        for handler in saved[0]:
            logger.addHandler(handler)
        logger.propagate = saved[1]
