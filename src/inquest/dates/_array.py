"""Parse a column of dates once per distinct value (linkage parses millions, mostly repeats)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any, Literal, cast

import pyarrow as pa
import pyarrow.compute as pc

from inquest.dates._date import parse_date
from inquest.dates._model import DEFAULT_SETTINGS, Calendar, DateSettings
from inquest.errors import InputError, InputErrors, InputProblem
from inquest.text.profiles import on_change

#: Fields of the struct ``parse_dates_array`` returns, in order.
FIELDS = pa.struct(
    [
        pa.field("earliest", pa.date32()),
        pa.field("latest", pa.date32()),
        pa.field("hull_earliest", pa.date32()),
        pa.field("hull_latest", pa.date32()),
        pa.field("calendar", pa.string()),
        pa.field("precision", pa.string()),
        pa.field("approximate", pa.bool_()),
        pa.field("ambiguous", pa.bool_()),
        pa.field("edtf", pa.string()),
        pa.field("error", pa.string()),
    ]
)

_Row = tuple[
    dt.date | None,
    dt.date | None,
    dt.date | None,
    dt.date | None,
    str | None,
    str | None,
    bool | None,
    bool | None,
    str | None,
    str | None,
]


@functools.lru_cache(maxsize=1 << 20)
def _row(text: str, hint: Calendar | str | None, settings: DateSettings) -> _Row:
    try:
        d = parse_date(text, hint, settings=settings)
    except InputError as exc:
        return (None, None, None, None, None, None, None, None, None, exc.reason)
    lo, hi = d.hull()
    cal = d.calendar.value if d.calendar is not None else None
    return (
        d.earliest,
        d.latest,
        lo,
        hi,
        cal,
        d.precision.value,
        d.approximate,
        d.ambiguous,
        d.edtf,
        None,
    )


def parse_dates_array(
    values: pa.Array[Any] | pa.ChunkedArray[Any] | Sequence[str | None],
    calendar_hint: Calendar | str | None = None,
    *,
    settings: DateSettings = DEFAULT_SETTINGS,
    errors: Literal["null", "raise"] = "null",
    field: str | None = None,
) -> pa.StructArray:
    """Parse every value; one struct per row with the fields of ``FIELDS``.

    Each distinct text is parsed once (dictionary encoding, plus a cache shared between
    calls). A text that is not a date gives null dates and its reason in ``error``; with
    ``errors="raise"`` every such row is reported together in ``InputErrors`` (rows are
    1-based, ``field`` names the column). Null input gives a null row.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    array = values if isinstance(values, pa.Array) else pa.array(values, type=pa.string())
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        array = array.cast(pa.string())
    encoded = cast("pa.DictionaryArray[Any, Any]", pc.dictionary_encode(array))
    texts = encoded.dictionary.to_pylist()
    rows = [_row(t, calendar_hint, settings) for t in texts]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in FIELDS]
    children = [pa.array(list(col), type=f.type) for col, f in zip(columns, FIELDS, strict=True)]
    indices = encoded.indices
    taken = [pc.take(child, indices) for child in children]
    result = pa.StructArray.from_arrays(taken, fields=list(FIELDS), mask=array.is_null())
    if errors == "raise":
        bad = pc.indices_nonzero(pc.is_valid(taken[-1])).to_pylist()
        if bad:
            problems = [
                InputProblem(str(taken[-1][i].as_py()), row=i + 1, field=field) for i in bad
            ]
            raise InputErrors(problems)
    return result


on_change(_row.cache_clear)
