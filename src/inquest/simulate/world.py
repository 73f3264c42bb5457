"""A simulated world: the true population, the lists that record it, and the truth.

``simulate(scenario, seed)`` is deterministic: one seed spawns independent random streams
(covariates, names, captures, one per source), so the same seed gives identical output and
adding a source does not change the people or the earlier lists' captures.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from inquest import __version__
from inquest.private import private_files, private_folder
from inquest.simulate.capture import CaptureSample, draw_captures
from inquest.simulate.names import NameTable, load_name_tables, persian_form
from inquest.simulate.population import draw_covariates, draw_names, streams
from inquest.simulate.render import render_list
from inquest.simulate.romanise import load_romaniser
from inquest.simulate.scenario import Scenario

__all__ = ["ListSummary", "World", "simulate", "write_world"]

FORMATS: tuple[str, ...] = ("csv", "parquet", "xlsx")
_XLSX_MAX_ROWS = 1_048_575  # a sheet holds 1,048,576 rows with the header


@dataclass(frozen=True)
class ListSummary:
    """Counts for one list: records, distinct people, duplicates, realised capture rate."""

    name: str
    records: int
    people: int
    duplicates: int
    capture_rate: float
    target_rate: float


@dataclass(frozen=True)
class World:
    """True population, one table per list (standard columns), and the record -> person truth."""

    scenario: Scenario
    seed: int
    population: pa.Table
    lists: dict[str, pa.Table]
    truth: pa.Table
    captures: CaptureSample
    duplicates: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def observed(self) -> int:
        """Number of people recorded by at least one list."""
        return int(self.captures.captures.any(axis=1).sum())

    def summary(self) -> list[ListSummary]:
        """Per-list counts and realised capture rates."""
        out = []
        for j, src in enumerate(self.scenario.sources):
            people = int(self.captures.captures[:, j].sum())
            records = self.lists[src.name].num_rows
            out.append(
                ListSummary(
                    name=src.name,
                    records=records,
                    people=people,
                    duplicates=records - people,
                    capture_rate=people / self.captures.n,
                    target_rate=src.capture.rate,
                )
            )
        return out


def _take(values: list[str], idx: np.ndarray) -> pa.Array[Any]:
    return pc.take(
        pa.array(values, type=pa.string()), pa.array(idx.astype(np.int64), type=pa.int64())
    )


def _persian_names(table: NameTable) -> list[str]:
    return [persian_form(x) for x in table.persian]


def _latin_names(table: NameTable) -> list[str]:
    rom = load_romaniser()
    return [rom.render(x, "english") for x in table.latin]


def _population_table(
    scenario: Scenario, cov: Any, names: Any, given: NameTable, surnames: NameTable
) -> pa.Table:
    n = scenario.population
    days = pa.array(cov.birth_day, type=pa.int32()).cast(pa.date32())
    deaths = pa.array(cov.death_day, type=pa.int32()).cast(pa.date32())

    def ids(places: Any, idx: np.ndarray) -> pa.Array[Any]:
        return _take([p.id for p in places], idx)

    g_fa, s_fa = _persian_names(given), _persian_names(surnames)
    g_lat, s_lat = _latin_names(given), _latin_names(surnames)
    age = np.floor((cov.death_day.astype(np.int64) - cov.birth_day) / 365.2425).astype(np.int64)
    return pa.table(
        {
            "person_id": pa.array(np.arange(1, n + 1, dtype=np.int64)),
            "sex": _take(["female", "male"], cov.male),
            "title": _take(["", "سید"], names.sayyid),
            "given_name": _take(g_fa, names.given),
            "family_name": _take(s_fa, names.family),
            "father_name": _take(g_fa, names.father),
            "given_name_latin": _take(g_lat, names.given),
            "family_name_latin": _take(s_lat, names.family),
            "father_name_latin": _take(g_lat, names.father),
            "birth_date": days,
            "death_date": deaths,
            "age_at_death": pa.array(age),
            "birth_place": ids(scenario.cities, cov.birth_place),
            "residence": ids(scenario.cities, cov.residence),
            "prison": ids(scenario.prisons, cov.prison),
            "burial_place": ids(scenario.burial_places, cov.burial),
            "visibility": pa.array(cov.visibility),
        }
    )


def simulate(
    scenario: Scenario, seed: int, *, on_step: Callable[[str], None] | None = None
) -> World:
    """Simulate a world from ``scenario`` with ``seed``; ``on_step`` is told as each part ends."""
    step = on_step or (lambda _name: None)
    rngs = streams(seed, len(scenario.sources))
    tables = load_name_tables(
        scenario.constructed_surnames, scenario.name_tables, scenario.name_concentration
    )
    cov = draw_covariates(scenario, rngs[0])
    names = draw_names(tables, cov.male, rngs[1], scenario.people.sayyid_share)
    population = _population_table(scenario, cov, names, tables.given, tables.surnames)
    step("people")
    caps, probs, intercepts = draw_captures(scenario, cov, rngs[2])
    sample = CaptureSample(
        n=scenario.population,
        lists=tuple(s.name for s in scenario.sources),
        captures=caps,
        probabilities=probs,
        intercepts=intercepts,
        covariates=cov,
    )
    step("captures")
    romaniser = load_romaniser()
    lists: dict[str, pa.Table] = {}
    dups: dict[str, np.ndarray] = {}
    truth_parts = []
    for j, src in enumerate(scenario.sources):
        rendered = render_list(
            scenario,
            j,
            np.flatnonzero(caps[:, j]),
            cov,
            names,
            tables.given,
            tables.surnames,
            romaniser,
            rngs[3 + j],
        )
        lists[src.name] = rendered.table
        dups[src.name] = rendered.duplicate
        n = rendered.table.num_rows
        truth_parts.append(
            pa.table(
                {
                    "list": _take([src.name], np.zeros(n, np.int64)),
                    "record_id": rendered.table.column("record_id").combine_chunks(),
                    "person_id": pa.array(rendered.person.astype(np.int64) + 1),
                }
            )
        )
        step(src.name)
    return World(
        scenario=scenario,
        seed=seed,
        population=population,
        lists=lists,
        truth=pa.concat_tables(truth_parts),
        captures=sample,
        duplicates=dups,
    )


def _write_xlsx(table: pa.Table, out: Path) -> None:
    from openpyxl import Workbook  # only needed for this format

    if table.num_rows > _XLSX_MAX_ROWS:
        raise ValueError(f"{out.name}: {table.num_rows:,} rows do not fit in one XLSX sheet")
    book = Workbook(write_only=True)
    sheet = book.create_sheet(out.stem[:31])
    sheet.append(table.column_names)
    for row in zip(*(c.to_pylist() for c in table.columns), strict=True):
        sheet.append(row)
    book.save(out)


def _write(table: pa.Table, path: Path, fmt: str) -> Path:
    if fmt == "xlsx":
        out = path.with_suffix(".xlsx")
        _write_xlsx(table, out)
    elif fmt == "parquet":
        out = path.with_suffix(".parquet")
        pq.write_table(table, out)
    else:
        out = path.with_suffix(".csv")
        pacsv.write_csv(table, out, pacsv.WriteOptions(quoting_style="needed"))
    return out


def scenario_record(world: World) -> dict[str, Any]:
    """What ``scenario.json`` holds: parameters, seed, true N, and realised counts."""
    return {
        "generator": f"inquest.simulate {__version__}",
        "synthetic": "every person in this world is synthetic; no real person is described",
        "seed": world.seed,
        "true_population_size": world.scenario.population,
        "observed_union": world.observed,
        "lists": {
            s.name: {
                "records": s.records,
                "people": s.people,
                "duplicates": s.duplicates,
                "capture_rate": round(s.capture_rate, 6),
                "target_rate": s.target_rate,
            }
            for s in world.summary()
        },
        "capture_intercepts": {
            name: round(float(a), 6)
            for name, a in zip(world.captures.lists, world.captures.intercepts, strict=True)
        },
        "scenario": world.scenario.raw,
    }


def write_world(world: World, out_dir: str | Path, *, fmt: str = "csv") -> list[Path]:
    """Write ``lists/<name>.<fmt>``, ``truth``, ``population`` and ``scenario.json``.

    Lists are in the standard list format; ``truth`` has ``list, record_id, person_id``.
    Folders are made 0700 and files 0600 like every run's: the world is synthetic, but one
    rule for everything inquest writes is simpler to trust than exceptions to it.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    out = private_folder(Path(out_dir))
    private_folder(out / "lists")
    written = [_write(t, out / "lists" / name, fmt) for name, t in world.lists.items()]
    written.append(_write(world.truth, out / "truth", fmt))
    written.append(_write(world.population, out / "population", fmt))
    meta = out / "scenario.json"
    meta.write_text(
        json.dumps(scenario_record(world), ensure_ascii=False, indent=2, default=str) + "\n",
        encoding="utf-8",
    )
    written.append(meta)
    private_files(written)
    return written
