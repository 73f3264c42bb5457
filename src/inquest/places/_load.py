"""Load and validate the gazetteer tables of ``inquest/data/places/``.

Every problem in every table is collected and raised together as ``InputErrors``, each
naming its file, row and field; nothing half-loaded is returned.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from importlib import resources

from inquest.errors import InputErrors, InputProblem
from inquest.places._model import GAZETTEER_KINDS, Place, PlaceKind

#: Iran's extent, with a margin: coordinates outside it are an error in the data.
LAT_RANGE = (24.0, 40.5)
LON_RANGE = (43.5, 64.0)


def _read(name: str) -> tuple[str, list[dict[str, str]]]:
    path = resources.files("inquest").joinpath("data", "places", name)
    lines = path.read_text(encoding="utf-8").splitlines()
    return f"inquest/data/places/{name}", list(csv.DictReader(lines))


class _Checker:
    def __init__(self) -> None:
        self.problems: list[InputProblem] = []
        self.ids: set[str] = set()

    def add(self, reason: str, path: str, row: int, field: str) -> None:
        self.problems.append(InputProblem(reason, path=path, row=row, field=field))

    def unique(self, place_id: str, path: str, row: int) -> None:
        if place_id in self.ids:
            self.add(f"duplicate id {place_id!r}", path, row, "id")
        self.ids.add(place_id)

    def coords(self, rec: dict[str, str], path: str, row: int) -> tuple[float | None, float | None]:
        lat_text, lon_text = (rec.get("lat") or "").strip(), (rec.get("lon") or "").strip()
        if not lat_text and not lon_text:
            return None, None
        try:
            lat, lon = float(lat_text), float(lon_text)
        except ValueError:
            self.add("lat and lon must both be numbers or both empty", path, row, "lat")
            return None, None
        if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
            self.add(f"({lat}, {lon}) is outside Iran", path, row, "lat")
        if "coord_source" in rec and not (rec.get("coord_source") or "").strip():
            self.add("coordinates need their public source", path, row, "coord_source")
        return lat, lon


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (text or "").split("|") if v.strip())


def _provinces(check: _Checker) -> tuple[list[Place], set[str]]:
    path, rows = _read("provinces.csv")
    ids = {(r.get("id") or "").strip() for r in rows}
    out = []
    for row_no, rec in enumerate(rows, start=1):
        pid = (rec.get("id") or "").strip()
        if not pid or not (rec.get("latin") or "").strip():
            check.add("id and latin are required", path, row_no, "id")
            continue
        check.unique(f"province:{pid}", path, row_no)
        parent = (rec.get("province_1988") or "").strip()
        if parent not in ids:
            check.add(f"unknown province {parent!r}", path, row_no, "province_1988")
        for flag in ("in_1988", "in_today"):
            if rec.get(flag) not in {"yes", "no"}:
                check.add("must be yes or no", path, row_no, flag)
        out.append(
            Place(
                id=f"province:{pid}",
                kind=PlaceKind.PROVINCE,
                persian=(rec.get("persian") or "").strip(),
                latin=(rec.get("latin") or "").strip(),
                variants=_split(rec.get("variants")) + _split(rec.get("name_1988")),
                province_1988=parent or None,
                province_today=pid if rec.get("in_today") == "yes" else None,
                city=(rec.get("capital") or "").strip(),
                notes=(rec.get("notes") or "").strip(),
            )
        )
    return out, ids


def _places(
    name: str,
    check: _Checker,
    provinces: set[str],
    kind_of: Callable[[dict[str, str]], str],
) -> list[Place]:
    path, rows = _read(name)
    out = []
    for row_no, rec in enumerate(rows, start=1):
        raw_id, latin = (rec.get("id") or "").strip(), (rec.get("latin") or "").strip()
        kind = _gazetteer_kind(kind_of(rec))
        if kind is None:
            check.add(f"unknown kind {kind_of(rec)!r}", path, row_no, "kind")
            continue
        if not raw_id or not latin:
            check.add("id and latin are required", path, row_no, "id" if not raw_id else "latin")
            continue
        place_id = raw_id if ":" in raw_id else f"{kind.value}:{raw_id}"
        check.unique(place_id, path, row_no)
        for field in ("province_1988", "province_today"):
            if (rec.get(field) or "").strip() not in provinces:
                check.add(f"unknown province {rec.get(field)!r}", path, row_no, field)
        lat, lon = check.coords(rec, path, row_no)
        population = (rec.get("population") or "").strip()
        if population and not population.isdigit():
            check.add("population must be a whole number", path, row_no, "population")
            population = ""
        out.append(
            Place(
                id=place_id,
                kind=kind,
                persian=(rec.get("persian") or "").strip(),
                latin=latin,
                variants=_split(rec.get("variants")),
                province_1988=(rec.get("province_1988") or "").strip() or None,
                province_today=(rec.get("province_today") or "").strip() or None,
                lat=lat,
                lon=lon,
                coord_source=(rec.get("coord_source") or rec.get("source") or "").strip()
                if lat is not None
                else "",
                population=int(population) if population else None,
                city=(rec.get("city") or "").strip(),
                notes=(rec.get("notes") or "").strip(),
            )
        )
    return out


def load_places() -> list[Place]:
    """Every place of the packaged gazetteer; raises ``InputErrors`` on bad data."""
    check = _Checker()
    provinces, province_ids = _provinces(check)
    cities = _places("cities.csv", check, province_ids, lambda rec: "city")
    sites = _places("sites.csv", check, province_ids, lambda rec: (rec.get("kind") or "").strip())
    if check.problems:
        raise InputErrors(check.problems)
    return [*provinces, *cities, *sites]


def _gazetteer_kind(text: str) -> PlaceKind | None:
    """The kind ``text`` names if the gazetteer holds places of it (else None)."""
    try:
        kind = PlaceKind(text)
    except ValueError:
        return None
    return kind if kind in GAZETTEER_KINDS else None


def load_kind_words() -> dict[str, PlaceKind]:
    """Generic words ("prison", "زندان", "استان") and the kind of place each names."""
    path, rows = _read("generic_words.csv")
    problems, out = [], {}
    for row_no, rec in enumerate(rows, start=1):
        kind = _gazetteer_kind((rec.get("kind") or "").strip())
        if kind is None:
            problems.append(InputProblem("unknown kind", path=path, row=row_no, field="kind"))
            continue
        spelling = (rec.get("spelling") or "").strip()
        if not spelling:
            problems.append(InputProblem("empty", path=path, row=row_no, field="spelling"))
            continue
        out[spelling] = kind
    if problems:
        raise InputErrors(problems)
    return out
