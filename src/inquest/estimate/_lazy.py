"""Packages that load their numerical modules on first use (the command line starts fast)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def forward(package: str, target: str) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that reads missing names from ``target``."""

    def __getattr__(name: str) -> Any:  # noqa: N807 - the module hook's own name
        if name.startswith("__"):
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        try:
            return getattr(importlib.import_module(target), name)
        except AttributeError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None

    return __getattr__
