"""Date features for linkage: birth and death as intervals of days since 1970-01-01.

Dates in any calendar are parsed by :mod:`inquest.dates`; an ambiguous date keeps the hull of
its readings. A birth interval is narrowed (or, when the list has no birth date, made) from
the age at death: born between ``death - (age_max + 1) years + 1 day`` and
``death - age_min years``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from inquest.errors import InquestError
from inquest.linkage._arrow import map_distinct

DATE_COLUMNS = {
    "birth_lo": pa.int32(),
    "birth_hi": pa.int32(),
    "birth_year": pa.int32(),
    "death_lo": pa.int32(),
    "death_hi": pa.int32(),
}
_EPOCH = dt.date(1970, 1, 1)
_INTERVAL = pa.struct([("lo", pa.int32()), ("hi", pa.int32())])
_AGE = pa.struct([("lo", pa.int32()), ("hi", pa.int32())])


def _interval(text: str) -> dict[str, int] | None:
    from inquest.dates import parse_date

    try:
        d = parse_date(text)
    except (InquestError, ValueError):
        return None
    lo, hi = d.hull()
    return {"lo": (lo - _EPOCH).days, "hi": (hi - _EPOCH).days}


def _age(text: str) -> dict[str, int] | None:
    from inquest.dates import parse_age

    try:
        a = parse_age(text)
    except (InquestError, ValueError):
        return None
    return {"lo": a.minimum, "hi": a.maximum}


def _fields(arr: Any) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    # pc.struct_field keeps the struct's own nulls (StructArray.field would not).
    lo = pc.struct_field(arr, "lo").to_numpy(zero_copy_only=False)
    hi = pc.struct_field(arr, "hi").to_numpy(zero_copy_only=False)
    return np.asarray(lo, dtype="float64"), np.asarray(hi, dtype="float64")


def _int_array(values: np.ndarray[Any, Any]) -> Any:
    mask = np.isnan(values)
    return pa.array(np.where(mask, 0, values).astype("int32"), pa.int32(), mask=mask)


def date_features(batch: pa.RecordBatch | pa.Table) -> dict[str, Any]:
    """The :data:`DATE_COLUMNS` for one batch of standard-format records."""
    birth = map_distinct(batch.column("birth_date"), _interval, _INTERVAL)
    death = map_distinct(batch.column("death_date"), _interval, _INTERVAL)
    age = map_distinct(batch.column("age"), _age, _AGE)
    b_lo, b_hi = _fields(birth)
    d_lo, d_hi = _fields(death)
    a_lo, a_hi = _fields(age)
    # Birth from age at death, in days (a solar year is 365.2425 days on average).
    year = 365.2425
    from_age_lo = np.floor(d_lo - (a_hi + 1) * year) + 1
    from_age_hi = np.ceil(d_hi - a_lo * year)
    has_age = ~np.isnan(from_age_lo) & ~np.isnan(from_age_hi)
    has_birth = ~np.isnan(b_lo)
    lo = np.where(has_birth, b_lo, from_age_lo)
    hi = np.where(has_birth, b_hi, from_age_hi)
    # Narrow a stated birth date by the age only when they agree; if not, keep the hull.
    both = has_birth & has_age
    agree = both & (b_lo <= from_age_hi) & (from_age_lo <= b_hi)
    lo = np.where(
        agree, np.maximum(b_lo, from_age_lo), np.where(both, np.minimum(b_lo, from_age_lo), lo)
    )
    hi = np.where(
        agree, np.minimum(b_hi, from_age_hi), np.where(both, np.maximum(b_hi, from_age_hi), hi)
    )
    lo_year = _year(lo)
    hi_year = _year(hi)
    birth_year = np.where(lo_year == hi_year, lo_year, np.nan)
    return {
        "birth_lo": _int_array(lo),
        "birth_hi": _int_array(hi),
        "birth_year": _int_array(birth_year),
        "death_lo": _int_array(d_lo),
        "death_hi": _int_array(d_hi),
    }


def _year(days: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    mask = np.isnan(days)
    stamps = np.where(mask, 0, days).astype("int64").astype("datetime64[D]")
    years = stamps.astype("datetime64[Y]").astype("int64") + 1970
    return np.where(mask, np.nan, years.astype("float64"))
