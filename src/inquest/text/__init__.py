"""Names across scripts: normalisation, parsing, a cross-script skeleton key, similarity.

The public API other packages call::

    normalize(s, form="display" | "key") -> str
    parse_name(s) -> ParsedName
    skeleton(s) -> str
    name_similarity(a, b) -> float
    preferred_name(names, prefer) -> str   (the one name to show for several records)

``compare_names`` explains a similarity; :mod:`inquest.text.batch` has Arrow-array versions
for bulk work.

Similarity (numba kernels) is imported when first used, so that a module needing only the
light parts (``inquest.text.scripts``'s bidi controls, which ``inquest.dates`` and
``inquest.io`` use) does not load the compiler.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from inquest.text.normalize import normalize
from inquest.text.parse import ParsedName, parse_name
from inquest.text.preferred import preferred_name
from inquest.text.scripts import Script, detect_script, strip_bidi
from inquest.text.skeleton import skeleton

if TYPE_CHECKING:
    from inquest.text.similarity import (
        NameComparison,
        compare_names,
        name_similarity,
        word_similarity,
    )

_LAZY = frozenset({"NameComparison", "compare_names", "name_similarity", "word_similarity"})


def __getattr__(name: str) -> Any:
    """Load :mod:`inquest.text.similarity` only when one of its names is used."""
    if name in _LAZY:
        value = getattr(importlib.import_module("inquest.text.similarity"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'inquest.text' has no attribute {name!r}")


__all__ = [
    "NameComparison",
    "ParsedName",
    "Script",
    "compare_names",
    "detect_script",
    "name_similarity",
    "normalize",
    "parse_name",
    "preferred_name",
    "skeleton",
    "strip_bidi",
    "word_similarity",
]
