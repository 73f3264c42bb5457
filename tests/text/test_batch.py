import numpy as np
import pyarrow as pa
import pytest

from inquest.text import name_similarity, normalize, parse_name, skeleton
from inquest.text.batch import (
    PARSED_NAME_TYPE,
    name_similarity_arrays,
    normalize_array,
    parse_names_array,
    skeleton_array,
)

NAMES = [
    "سید محمدرضا حسین‌زاده فرزند علی",
    None,
    "Seyyed Ali Rezaei",
    "علي رضايي",
    "",
    "سید محمدرضا حسین‌زاده فرزند علی",
    "\u202bفاطمه\u202c محمدی",
]


def test_normalize_and_skeleton_match_scalar() -> None:
    arr = pa.array(NAMES)
    for form in ("display", "key"):
        got = normalize_array(arr, form).to_pylist()
        assert got == [None if s is None else normalize(s, form) for s in NAMES]
    assert skeleton_array(arr).to_pylist() == [None if s is None else skeleton(s) for s in NAMES]


def test_chunked_and_dictionary_input() -> None:
    chunked = pa.chunked_array([NAMES[:3], NAMES[3:]])
    assert normalize_array(chunked).to_pylist() == normalize_array(pa.array(NAMES)).to_pylist()
    dictionary = pa.array(NAMES).dictionary_encode()
    assert skeleton_array(dictionary).to_pylist() == skeleton_array(pa.array(NAMES)).to_pylist()


def test_parse_names_array() -> None:
    out = parse_names_array(pa.array(NAMES))
    assert out.type == PARSED_NAME_TYPE
    rows = out.to_pylist()
    assert rows[1] is None
    first = rows[0]
    p = parse_name(NAMES[0])  # type: ignore[arg-type]
    assert first["given"] == p.given == "محمدرضا"
    assert first["father"] == "علی"
    assert first["particles"] == ["سید"]
    assert first["key"] == "محمدرضا حسینزاده"
    assert first["skeleton"] == skeleton("محمدرضا حسین‌زاده")
    assert rows[4]["warnings"] == ["empty name"]
    assert any("bidi" in w for w in rows[6]["warnings"])


def test_similarity_arrays() -> None:
    a = pa.array(["محمد رضایی", None, "Ali", "محمد رضایی"])
    b = pa.array(["Mohammad Rezaei", "x", None, "Mahmoud Rezaei"])
    got = name_similarity_arrays(a, b)
    assert got[0] == pytest.approx(name_similarity("محمد رضایی", "Mohammad Rezaei"))
    assert np.isnan(got[1]) and np.isnan(got[2])
    assert got[3] < got[0]


def test_bad_input() -> None:
    with pytest.raises(TypeError, match="string"):
        normalize_array(pa.array([1, 2]))
    with pytest.raises(ValueError, match="length"):
        name_similarity_arrays(pa.array(["a"]), pa.array(["a", "b"]))
