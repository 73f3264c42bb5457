"""The true population: synthetic people drawn from a scenario, as arrays of codes.

Covariates (sex, places, dates, latent visibility) and names come from separate random
streams, so that the name-free capture path (:func:`inquest.simulate.simulate_captures`)
draws exactly the same people and captures as a full simulation with the same seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from inquest.simulate.names import NameTables
from inquest.simulate.scenario import Scenario

__all__ = ["Covariates", "Names", "draw_covariates", "draw_names", "streams"]

_EPOCH = np.datetime64("1970-01-01", "D")
_DAYS_PER_YEAR = 365.2425
N_FIXED_STREAMS = 3  # covariates, names, captures; then one per source


def streams(seed: int, n_sources: int) -> list[np.random.Generator]:
    """Independent generators: covariates, names, captures, then one per source."""
    children = np.random.SeedSequence(seed).spawn(N_FIXED_STREAMS + n_sources)
    return [np.random.default_rng(c) for c in children]


@dataclass(frozen=True)
class Covariates:
    """Per-person covariates; places are indices into the scenario's tuples, days since 1970."""

    male: np.ndarray
    visibility: np.ndarray
    prison: np.ndarray
    residence: np.ndarray
    birth_place: np.ndarray
    burial: np.ndarray
    death_day: np.ndarray
    birth_day: np.ndarray

    def __len__(self) -> int:
        return int(self.male.shape[0])


@dataclass(frozen=True)
class Names:
    """Per-person indices into the name tables (given and father into ``given``)."""

    given: np.ndarray
    family: np.ndarray
    father: np.ndarray
    sayyid: np.ndarray


def _weights(values: list[float]) -> np.ndarray:
    w = np.asarray(values, dtype=np.float64)
    return np.asarray(w / w.sum())


def _ages(rng: np.random.Generator, n: int, mean: float, sd: float, lo: int, hi: int) -> np.ndarray:
    """Continuous ages at death, normal truncated to [lo, hi + 1) by rejection."""
    out = rng.normal(mean, sd, n)
    bad = (out < lo) | (out >= hi + 1)
    tries = 0
    while bad.any():
        k = int(bad.sum())
        if tries > 50:  # a window far in the tail: fall back to uniform within it
            out[bad] = rng.uniform(lo, hi + 1, k)
            break
        out[bad] = rng.normal(mean, sd, k)
        bad = (out < lo) | (out >= hi + 1)
        tries += 1
    return out


def draw_covariates(scenario: Scenario, rng: np.random.Generator) -> Covariates:
    """Draw sex, visibility, prison, residence, birth place, burial and dates for everyone."""
    n = scenario.population
    pe = scenario.people
    male = rng.random(n) < pe.male_share
    visibility = rng.standard_normal(n)
    prison = rng.choice(
        len(scenario.prisons), size=n, p=_weights([p.weight for p in scenario.prisons])
    )
    city_p = _weights([c.weight for c in scenario.cities])
    city_index = {c.id: i for i, c in enumerate(scenario.cities)}
    prison_city = np.array([city_index[p.city] for p in scenario.prisons], dtype=np.int64)
    local = rng.random(n) < pe.lives_near_prison
    residence = np.where(local, prison_city[prison], rng.choice(len(city_p), size=n, p=city_p))
    same = rng.random(n) < pe.born_where_lives
    birth_place = np.where(same, residence, rng.choice(len(city_p), size=n, p=city_p))
    burial_index = {b.id: i for i, b in enumerate(scenario.burial_places)}
    burial = np.zeros(n, dtype=np.int64)
    for j, p in enumerate(scenario.prisons):
        members = np.flatnonzero(prison == j)
        ids = np.array([burial_index[b] for b, _ in p.burial])
        burial[members] = ids[
            rng.choice(len(ids), size=members.size, p=_weights([w for _, w in p.burial]))
        ]
    start = (np.datetime64(scenario.period_start, "D") - _EPOCH).astype(np.int64)
    end = (np.datetime64(scenario.period_end, "D") - _EPOCH).astype(np.int64)
    death_day = rng.integers(start, end + 1, size=n)
    ages = _ages(rng, n, pe.age_mean, pe.age_sd, pe.age_min, pe.age_max)
    birth_day = death_day - np.floor(ages * _DAYS_PER_YEAR).astype(np.int64)
    return Covariates(
        male=male,
        visibility=visibility,
        prison=prison.astype(np.int16),
        residence=residence.astype(np.int16),
        birth_place=birth_place.astype(np.int16),
        burial=burial.astype(np.int16),
        death_day=death_day.astype(np.int32),
        birth_day=birth_day.astype(np.int32),
    )


def draw_names(
    tables: NameTables, male: np.ndarray, rng: np.random.Generator, sayyid_share: float = 0.0
) -> Names:
    """Draw given names by sex, surnames, fathers' names and who carries the title سید."""
    n = male.shape[0]
    n_male = tables.n_male
    given = np.empty(n, dtype=np.int32)
    m = np.flatnonzero(male)
    f = np.flatnonzero(~male)
    given[m] = rng.choice(n_male, size=m.size, p=tables.male_probabilities)
    given[f] = n_male + rng.choice(
        len(tables.given) - n_male, size=f.size, p=tables.female_probabilities
    )
    family = np.asarray(rng.choice(len(tables.surnames), size=n, p=tables.surnames.probabilities()))
    father = np.asarray(rng.choice(n_male, size=n, p=tables.male_probabilities))
    sayyid = np.asarray(rng.random(size=n) < sayyid_share, dtype=bool)
    return Names(
        given=given,
        family=family.astype(np.int32),
        father=father.astype(np.int32),
        sayyid=sayyid,
    )
