"""Work beside the main thread: a function run in a thread of its own, its result a future.

DuckDB releases the GIL while a query runs, so a second connection or database can use the
core the main thread leaves idle (Splink's training keeps about one core busy).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

__all__ = ["beside"]

T = TypeVar("T")


def beside(fn: Callable[[], T], name: str) -> Future[T]:
    """Start ``fn()`` in a daemon thread called ``name``; its result or error in the future."""
    future: Future[T] = Future()

    def run() -> None:
        try:
            future.set_result(fn())
        except BaseException as exc:
            future.set_exception(exc)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future
