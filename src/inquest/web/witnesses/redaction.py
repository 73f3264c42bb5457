"""Keep decrypted witness identities out of logs and error pages.

``reveal`` registers every value it decrypts in a per-context set (bounded);
``RedactRevealed``, a logging filter installed on the workbench's log handlers, replaces
those values in a record's message, arguments and exception text before it is written.
The 500 page (``inquest.web.site.errors.server_error``) renders no request data at all.
"""

from __future__ import annotations

import logging
import traceback
from contextvars import ContextVar

MASK = "[redacted]"
_LIMIT = 512
_MIN_LENGTH = 3  # shorter values would mask ordinary words; they identify no one alone

_revealed: ContextVar[tuple[str, ...]] = ContextVar("inquest_revealed", default=())


def remember(*values: str) -> None:
    """Mark decrypted values as never to be logged in this context (thread or task)."""
    known = list(_revealed.get())
    for value in values:
        if len(value) >= _MIN_LENGTH and value not in known:
            known.append(value)
    _revealed.set(tuple(known[-_LIMIT:]))


def forget_all() -> None:
    """Clear the values remembered in this context (tests; the end of a request)."""
    _revealed.set(())


def redact(text: str) -> str:
    """``text`` with every remembered value (longest first) replaced by the mask."""
    for value in sorted(_revealed.get(), key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    return text


class RedactRevealed(logging.Filter):
    """A handler filter: rewrites the record so no revealed identity reaches the output."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact message, arguments and exception; always keeps the record."""
        if not _revealed.get():
            return True
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            text = "".join(traceback.format_exception(*record.exc_info))
            record.exc_text = redact(text.rstrip("\n"))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
