"""Places in the gazetteer and the matches ``resolve`` returns."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PlaceKind(StrEnum):
    """What kind of place a place is: the one vocabulary of the engine and the workbench.

    The packaged gazetteer holds provinces, cities, prisons and cemeteries; the other kinds
    are places a commission records that no public gazetteer lists (a village, a court, a
    burial site outside any cemetery such as a mass grave), and ``resolve`` never returns them.
    """

    COUNTRY = "country"
    PROVINCE = "province"
    COUNTY = "county"
    CITY = "city"
    VILLAGE = "village"
    PRISON = "prison"
    COURT = "court"
    CEMETERY = "cemetery"
    BURIAL_SITE = "burial_site"
    """A place of burial that is not a cemetery (a mass or unmarked grave)."""
    OTHER = "other"


#: The kinds the packaged gazetteer holds.
GAZETTEER_KINDS = frozenset(
    {PlaceKind.PROVINCE, PlaceKind.CITY, PlaceKind.PRISON, PlaceKind.CEMETERY}
)


@dataclass(frozen=True)
class Place:
    """One gazetteer entry.

    ``province_1988`` and ``province_today`` are province ids (Karaj: ``tehran`` in 1988,
    ``alborz`` today). ``lat``/``lon`` are given only where a public source gives them, and
    ``coord_source`` names that source.
    """

    id: str
    kind: PlaceKind
    persian: str
    latin: str
    variants: tuple[str, ...] = ()
    province_1988: str | None = None
    province_today: str | None = None
    lat: float | None = None
    lon: float | None = None
    coord_source: str = ""
    population: int | None = None
    city: str = ""
    notes: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """Every name of the place: Persian, Latin, then variants."""
        return tuple(n for n in (self.persian, self.latin, *self.variants) if n)

    @property
    def label(self) -> str:
        """A display name: "Latin (Persian)"."""
        return f"{self.latin} ({self.persian})" if self.persian else self.latin


@dataclass(frozen=True)
class PlaceMatch:
    """A place a query may mean, with how well it matched and why.

    ``score`` is in [0, 1]: the ``inquest.text.name_similarity`` of the query's name part to
    the closest name of the place (``matched_name``), adjusted by the query's kind word
    ("prison", "زندان") and its qualifier ("Gohardasht (Karaj)").
    """

    place: Place
    score: float
    matched_name: str
    query: str
    warnings: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.place.id

    @property
    def kind(self) -> PlaceKind:
        return self.place.kind

    @property
    def names(self) -> tuple[str, ...]:
        return self.place.names

    @property
    def province_1988(self) -> str | None:
        return self.place.province_1988

    @property
    def province_today(self) -> str | None:
        return self.place.province_today

    @property
    def lat(self) -> float | None:
        return self.place.lat

    @property
    def lon(self) -> float | None:
        return self.place.lon
