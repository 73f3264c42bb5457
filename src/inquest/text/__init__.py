"""Names across scripts: normalisation, parsing, a cross-script skeleton key, similarity.

The public API other packages call::

    normalize(s, form="display" | "key") -> str
    parse_name(s) -> ParsedName
    skeleton(s) -> str
    name_similarity(a, b) -> float

``compare_names`` explains a similarity; :mod:`inquest.text.batch` has Arrow-array versions
for bulk work.
"""

from inquest.text.normalize import normalize
from inquest.text.parse import ParsedName, parse_name
from inquest.text.scripts import Script, detect_script, strip_bidi
from inquest.text.similarity import NameComparison, compare_names, name_similarity, word_similarity
from inquest.text.skeleton import skeleton

__all__ = [
    "NameComparison",
    "ParsedName",
    "Script",
    "compare_names",
    "detect_script",
    "name_similarity",
    "normalize",
    "parse_name",
    "skeleton",
    "strip_bidi",
    "word_similarity",
]
