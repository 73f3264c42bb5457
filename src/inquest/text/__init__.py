"""Names across scripts: normalisation, parsing, a cross-script skeleton key, similarity.

The public API other packages call::

    normalize(s, form="display" | "key") -> str
    parse_name(s) -> ParsedName
    skeleton(s) -> str
    name_similarity(a, b) -> float

and Arrow-array versions for bulk work in :mod:`inquest.text.batch`.
"""

from inquest.text.normalize import normalize
from inquest.text.scripts import Script, detect_script, strip_bidi
from inquest.text.skeleton import skeleton

__all__ = ["Script", "detect_script", "normalize", "skeleton", "strip_bidi"]
