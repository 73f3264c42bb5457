"""The packaged gazetteer loads and says what 1988 looked like; bad rows are named."""

from __future__ import annotations

import pytest

from inquest.errors import InputErrors
from inquest.places import GAZETTEER_KINDS, PlaceKind, _load, gazetteer, get


def test_provinces_of_1988_and_today() -> None:
    provinces = [p for p in gazetteer().places if p.kind is PlaceKind.PROVINCE]
    assert sum(p.province_today is not None for p in provinces) == 31
    assert len({p.province_1988 for p in provinces}) == 24


@pytest.mark.parametrize(
    ("place_id", "in_1988", "today"),
    [
        ("city:128747", "tehran", "alborz"),  # Karaj
        ("city:124665", "khorasan", "razavi_khorasan"),  # Mashhad
        ("city:119208", "tehran", "qom"),  # Qom
        ("city:119505", "zanjan", "qazvin"),  # Qazvin
        ("prison:gohardasht", "tehran", "alborz"),
        ("prison:vakilabad", "khorasan", "razavi_khorasan"),
        ("province:khorasan", "khorasan", None),
    ],
)
def test_province_then_and_now(place_id: str, in_1988: str, today: str | None) -> None:
    place = get(place_id)
    assert (place.province_1988, place.province_today) == (in_1988, today)


def test_coordinates_only_with_a_named_source() -> None:
    for place in gazetteer().places:
        assert (place.lat is None) == (place.lon is None)
        if place.lat is not None:
            assert place.coord_source
    assert get("cemetery:khavaran").lat == pytest.approx(35.55694)
    assert get("prison:evin").lat is None  # no public source recorded yet


def test_cities_have_persian_and_latin_names() -> None:
    cities = [p for p in gazetteer().places if p.kind is PlaceKind.CITY]
    assert len(cities) > 800
    assert sum(bool(c.persian) for c in cities) / len(cities) > 0.95
    assert get("city:418863").persian == "اصفهان"


def test_unknown_id() -> None:
    with pytest.raises(KeyError):
        get("city:0")


def test_bad_rows_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    real = _load._read

    def fake(name: str) -> tuple[str, list[dict[str, str]]]:
        path, rows = real(name)
        if name == "sites.csv":
            rows = [
                {**rows[0], "lat": "10", "lon": "10", "coord_source": "x"},
                {**rows[1], "province_1988": "atlantis"},
                {**rows[2], "kind": "castle"},
                {**rows[3], "lat": "35.7", "lon": "51.4", "coord_source": ""},
                {**rows[4], "id": rows[5]["id"]},
                rows[5],
            ]
        return path, rows

    monkeypatch.setattr(_load, "_read", fake)
    with pytest.raises(InputErrors) as info:
        _load.load_places()
    found = {(p.path, p.row, p.field) for p in info.value}
    site = "inquest/data/places/sites.csv"
    assert found == {
        (site, 1, "lat"),
        (site, 2, "province_1988"),
        (site, 3, "kind"),
        (site, 4, "coord_source"),
        (site, 6, "id"),
    }


def test_the_gazetteer_holds_only_its_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    """A court is a kind of place the workbench records, not one the gazetteer lists."""
    real = _load._read

    def fake(name: str) -> tuple[str, list[dict[str, str]]]:
        path, rows = real(name)
        return path, ([{**rows[0], "kind": "court"}, *rows[1:]] if name == "sites.csv" else rows)

    monkeypatch.setattr(_load, "_read", fake)
    with pytest.raises(InputErrors) as info:
        _load.load_places()
    assert {(p.row, p.field) for p in info.value} == {(1, "kind")}
    assert {p.kind for p in gazetteer().by_id.values()} == GAZETTEER_KINDS
