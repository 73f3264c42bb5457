"""Scenario files: a synthetic world and the sources that record it, validated on load.

A scenario is YAML (or JSON), checked against ``data/simulate/scenario.schema.json`` and then
for cross-references; every problem raises :class:`~inquest.errors.ConfigError` naming the
key path (``sources[2].capture.rate``) and the problem. ``base: <preset>`` starts from a
preset and overrides its keys (mappings merge, lists are replaced).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jdatetime
import jsonschema  # type: ignore[import-untyped]
import yaml

from inquest.errors import ConfigError

__all__ = [
    "PRESETS",
    "Capture",
    "Errors",
    "FatherInName",
    "People",
    "Place",
    "PresetInfo",
    "Prison",
    "Recording",
    "Scenario",
    "Source",
    "load_scenario",
    "presets",
    "scenario_from_dict",
]


def _preset_names() -> tuple[str, ...]:
    folder = resources.files("inquest").joinpath("data", "simulate", "presets")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")))


#: Every packaged preset (one YAML file each in ``data/simulate/presets``), sorted by name.
PRESETS: tuple[str, ...] = _preset_names()
FIELDS: tuple[str, ...] = (
    "father_name",
    "sex",
    "birth_date",
    "age",
    "death_date",
    "birth_place",
    "residence",
    "prison",
    "burial_place",
)


@dataclass(frozen=True)
class Place:
    """A city or burial place: id, Persian and Latin spellings (first is usual), weight."""

    id: str
    fa: tuple[str, ...]
    latin: tuple[str, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class Prison:
    """A prison: its city id, weight, and burial place ids with weights."""

    id: str
    fa: tuple[str, ...]
    latin: tuple[str, ...]
    city: str
    weight: float
    burial: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class People:
    """Who the victims are: share of men, age at death, where they lived and were born.

    ``sayyid_share`` is the share known by the hereditary title سید (Seyed), which a list
    writes before the given name unless it drops it.
    """

    male_share: float = 0.93
    age_mean: float = 28.0
    age_sd: float = 6.5
    age_min: int = 16
    age_max: int = 70
    lives_near_prison: float = 0.75
    born_where_lives: float = 0.6
    sayyid_share: float = 0.06


@dataclass(frozen=True)
class Capture:
    """Capture model of one source: logit p = a + b·visibility + effects (+ dependence).

    ``rate`` is the share of the true population the source records; the intercept ``a`` is
    solved so that the mean capture probability equals it.
    """

    rate: float
    visibility: float = 0.0
    prison: Mapping[str, float] = field(default_factory=dict)
    residence: Mapping[str, float] = field(default_factory=dict)
    sex: Mapping[str, float] = field(default_factory=dict)
    depends_on: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class FatherInName:
    """The father's name written inside the full name after a marker («ولد», "son of").

    ``markers`` holds (male form, female form) pairs; a record that gets one (at ``rate``)
    uses one pair, chosen uniformly, in the form for the person's sex.
    """

    rate: float = 0.0
    markers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Recording:
    """How a source writes what it records."""

    script: str
    scheme: str = "english"
    variation: float = 0.1
    calendar: str = "jalali"
    digits: str = "latin"
    date_format: str = "ymd"
    name_layout: str = "split"
    name_order: str = "given_first"
    fields: tuple[str, ...] = FIELDS
    titles: tuple[str, ...] = ()
    arabic_letters: float = 0.0
    record_id_prefix: str = ""
    father_in_name: FatherInName = FatherInName()


@dataclass(frozen=True)
class Errors:
    """Error rates of a source (each a probability per record, or per name field for typos)."""

    typo: float = 0.0
    title: float = 0.0
    title_dropped: float = 0.0
    missing: Mapping[str, float] = field(default_factory=dict)
    partial_date: float = 0.0
    age_instead_of_birth: float = 0.0
    year_off_by_one: float = 0.0
    duplicate: float = 0.0
    swapped_names: float = 0.0
    family_first: float = 0.0


@dataclass(frozen=True)
class Source:
    """One list: its name, capture model, recording style and error rates."""

    name: str
    capture: Capture
    recording: Recording
    errors: Errors


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. ``raw`` is the merged mapping it was built from."""

    name: str
    description: str
    population: int
    period_start: dt.date
    period_end: dt.date
    people: People
    constructed_surnames: float
    name_concentration: float
    name_tables: tuple[tuple[str, str], ...]
    cities: tuple[Place, ...]
    burial_places: tuple[Place, ...]
    prisons: tuple[Prison, ...]
    sources: tuple[Source, ...]
    raw: Mapping[str, Any]
    family: str = ""

    def with_population(self, n: int) -> Scenario:
        """The same scenario with another population size."""
        if n < 1:
            raise ConfigError(f"must be at least 1, got {n}", key="population")
        raw = dict(self.raw)
        raw["population"] = n
        return dataclasses.replace(self, population=n, raw=raw)


def _data_text(*parts: str) -> str:
    return resources.files("inquest").joinpath("data", "simulate", *parts).read_text("utf-8")


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(_data_text("scenario.schema.json"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)  # type: ignore[no-any-return]


def _key_path(parts: Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _explain(err: jsonschema.ValidationError) -> tuple[str, str]:
    """A (key path, reason) for a schema error, in words a scenario author understands."""
    key = _key_path(err.absolute_path)
    v, arg = err.validator, err.validator_value
    if v == "required":
        missing = [k for k in arg if isinstance(err.instance, dict) and k not in err.instance]
        name = missing[0] if missing else "?"
        return (f"{key}.{name}" if key else name), "is required"
    if v == "additionalProperties" and isinstance(err.instance, dict):
        allowed = set(err.schema.get("properties", {}))
        extra = sorted(k for k in err.instance if k not in allowed)
        name = extra[0] if extra else "?"
        where = f"{key}.{name}" if key else name
        return where, f"unknown key (allowed: {', '.join(sorted(allowed))})"
    if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        lo = err.schema.get("minimum", err.schema.get("exclusiveMinimum"))
        hi = err.schema.get("maximum", err.schema.get("exclusiveMaximum"))
        if lo is not None and hi is not None:
            return key, f"must be between {lo} and {hi}, got {err.instance!r}"
        if lo is not None:
            strict = "greater than" if "exclusiveMinimum" in err.schema else "at least"
            return key, f"must be {strict} {lo}, got {err.instance!r}"
        return key, f"must be at most {hi}, got {err.instance!r}"
    if v == "enum":
        return key, f"must be one of {', '.join(map(str, arg))}, got {err.instance!r}"
    if v == "type":
        return key, f"must be of type {arg}, got {type(err.instance).__name__}"
    if v == "pattern":
        return key, f"{err.instance!r} does not match the pattern {arg}"
    if v == "oneOf":
        kinds = " or ".join(_kind(sub) for sub in arg)
        return key, f"must be {kinds}, got {type(err.instance).__name__}"
    if v == "propertyNames":
        return key, f"has an invalid key: {err.message}"
    return key, err.message


def _kind(schema: Mapping[str, Any]) -> str:
    t = schema.get("type", "value")
    if t == "array":
        return f"a list of {_kind(schema.get('items', {}))}s"
    return {"string": "a string", "number": "a number", "integer": "an integer"}.get(t, str(t))


def _load_raw(source: str | Path) -> tuple[dict[str, Any], str]:
    text_path = str(source)
    if isinstance(source, str) and source in PRESETS:
        text, label = _data_text("presets", f"{source}.yaml"), f"preset {source}"
    else:
        p = Path(source)
        if not p.is_file():
            raise ConfigError(
                f"no such scenario file or preset (presets: {', '.join(PRESETS)})", path=text_path
            )
        text, label = p.read_text(encoding="utf-8"), text_path
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"not valid YAML: {e}", path=label) from e
    if not isinstance(data, dict):
        raise ConfigError("a scenario must be a mapping of keys", path=label)
    return data, label


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _resolve_base(data: dict[str, Any], label: str, depth: int = 0) -> dict[str, Any]:
    base = data.get("base")
    if base is None:
        return data
    if base not in PRESETS or depth > 3:
        raise ConfigError(
            f"must be one of the presets {', '.join(PRESETS)}", path=label, key="base"
        )
    parent, parent_label = _load_raw(base)
    merged = _merge(_resolve_base(parent, parent_label, depth + 1), data)
    merged.pop("base", None)
    if "family" not in data:  # a world derived from a family member is not one itself
        merged.pop("family", None)
    return merged


def load_scenario(source: str | Path) -> Scenario:
    """Load a scenario from a preset name (see :data:`PRESETS`) or a file."""
    data, label = _load_raw(source)
    return scenario_from_dict(_resolve_base(data, label), path=label)


@dataclass(frozen=True)
class PresetInfo:
    """A packaged preset: name, family tag, people, number of lists, one-line description."""

    name: str
    family: str
    population: int
    lists: int
    description: str


def presets(family: str | None = None) -> list[PresetInfo]:
    """The packaged presets, sorted by name; with ``family``, only the members of that family.

    The family ``linkage`` is the set of worlds a linkage benchmark runs over: it spans name
    concentration, list styles and list counts (docs/guide/scenarios.md lists it).
    """
    out = []
    for name in PRESETS:
        s = load_scenario(name)
        if family is not None and s.family != family:
            continue
        line = " ".join(s.description.split())
        out.append(PresetInfo(name, s.family, s.population, len(s.sources), line))
    return out


def _date(value: str, calendar: str, key: str, path: str | None) -> dt.date:
    try:
        y, m, d = (int(x) for x in value.split("-"))
        if calendar == "jalali":
            return jdatetime.date(y, m, d).togregorian()  # type: ignore[no-any-return]
        return dt.date(y, m, d)
    except ValueError as e:
        raise ConfigError(
            f"not a valid {calendar} date: {value!r} ({e})", path=path, key=key
        ) from e


def _latin(v: Any) -> tuple[str, ...]:
    return (v,) if isinstance(v, str) else tuple(v)


def _place(d: Mapping[str, Any]) -> Place:
    return Place(
        id=d["id"], fa=_latin(d["fa"]), latin=_latin(d["latin"]), weight=float(d.get("weight", 1))
    )


def _unique_ids(items: list[Mapping[str, Any]], key: str, path: str | None) -> set[str]:
    seen: set[str] = set()
    for i, it in enumerate(items):
        if it["id"] in seen:
            raise ConfigError(f"duplicate id {it['id']!r}", path=path, key=f"{key}[{i}].id")
        seen.add(it["id"])
    return seen


def _check_refs(
    effects: Mapping[str, Any], known: set[str], key: str, what: str, path: str | None
) -> None:
    for k in effects:
        if k not in known:
            raise ConfigError(
                f"unknown {what} {k!r} (known: {', '.join(sorted(known))})",
                path=path,
                key=f"{key}.{k}",
            )


def _source(
    i: int, d: Mapping[str, Any], ids: Mapping[str, set[str]], earlier: list[str], path: str | None
) -> Source:
    key = f"sources[{i}]"
    cap = d["capture"]
    _check_refs(cap.get("prison", {}), ids["prisons"], f"{key}.capture.prison", "prison", path)
    _check_refs(cap.get("residence", {}), ids["cities"], f"{key}.capture.residence", "city", path)
    for other in cap.get("depends_on", {}):
        if other not in earlier:
            raise ConfigError(
                "can depend only on a source listed before it "
                f"(earlier: {', '.join(earlier) or 'none'})",
                path=path,
                key=f"{key}.capture.depends_on.{other}",
            )
    rec = dict(d["recording"])
    if "father_in_name" in rec:
        fin = rec["father_in_name"]
        if rec.get("name_layout", "split") != "full" and fin["rate"] > 0:
            raise ConfigError(
                "the father's name goes inside the name only with name_layout: full",
                path=path,
                key=f"{key}.recording.father_in_name",
            )
        rec["father_in_name"] = FatherInName(
            rate=float(fin["rate"]),
            markers=tuple(
                (m, m) if isinstance(m, str) else (m["male"], m["female"]) for m in fin["markers"]
            ),
        )
    if "fields" in rec:
        rec["fields"] = tuple(rec["fields"])
    if "titles" in rec:
        rec["titles"] = tuple(rec["titles"])
    errs = dict(d.get("errors", {}))
    for f in errs.get("missing", {}):
        if f not in rec.get("fields", FIELDS):
            raise ConfigError(
                "a missing rate for a field the source does not record",
                path=path,
                key=f"{key}.errors.missing.{f}",
            )
    if errs.get("title", 0) > 0 and not rec.get("titles"):
        raise ConfigError(
            "a title rate needs recording.titles", path=path, key=f"{key}.errors.title"
        )
    ordered = rec.get("name_layout") == "full" and rec.get("name_order") != "family_first"
    if errs.get("family_first", 0) > 0 and not ordered:
        raise ConfigError(
            "a family_first rate needs name_layout: full and name_order: given_first",
            path=path,
            key=f"{key}.errors.family_first",
        )
    return Source(
        name=d["name"],
        capture=Capture(
            rate=float(cap["rate"]),
            visibility=float(cap.get("visibility", 0.0)),
            prison=dict(cap.get("prison", {})),
            residence=dict(cap.get("residence", {})),
            sex=dict(cap.get("sex", {})),
            depends_on=dict(cap.get("depends_on", {})),
        ),
        recording=Recording(**rec),
        errors=Errors(**errs),
    )


def _name_tables(tables: Mapping[str, str], path: str | None) -> tuple[tuple[str, str], ...]:
    """Table files, relative to the scenario file's folder; each must exist."""
    base = Path(path).parent if path and Path(path).is_file() else Path.cwd()
    out = []
    for name, file in sorted(tables.items()):
        full = Path(file) if Path(file).is_absolute() else base / file
        if not full.is_file():
            raise ConfigError(f"no such file: {full}", path=path, key=f"names.tables.{name}")
        out.append((name, str(full)))
    return tuple(out)


def scenario_from_dict(data: Mapping[str, Any], *, path: str | None = None) -> Scenario:
    """Validate a scenario mapping (schema, then cross-references) and build a :class:`Scenario`."""
    errors = sorted(
        _validator().iter_errors(data), key=lambda e: (len(e.absolute_path), str(e.absolute_path))
    )
    if errors:
        key, reason = _explain(errors[-1] if errors[-1].validator != "oneOf" else errors[0])
        raise ConfigError(reason, path=path, key=key or None)
    places = data["places"]
    ids = {
        k: _unique_ids(places[k], f"places.{k}", path)
        for k in ("cities", "burial_places", "prisons")
    }
    prisons = []
    for i, p in enumerate(places["prisons"]):
        key = f"places.prisons[{i}]"
        if p["city"] not in ids["cities"]:
            raise ConfigError(f"unknown city {p['city']!r}", path=path, key=f"{key}.city")
        _check_refs(p["burial"], ids["burial_places"], f"{key}.burial", "burial place", path)
        prisons.append(
            Prison(
                id=p["id"],
                fa=_latin(p["fa"]),
                latin=_latin(p["latin"]),
                city=p["city"],
                weight=float(p["weight"]),
                burial=tuple((k, float(v)) for k, v in p["burial"].items()),
            )
        )
    period = data.get("period", {"start": "1367-05-01", "end": "1367-06-31", "calendar": "jalali"})
    cal = period.get("calendar", "jalali")
    start = _date(period["start"], cal, "period.start", path)
    end = _date(period["end"], cal, "period.end", path)
    if end < start:
        raise ConfigError("the period ends before it starts", path=path, key="period.end")
    pe = data.get("people", {})
    age = pe.get("age", {})
    people = People(
        male_share=float(pe.get("male_share", People.male_share)),
        age_mean=float(age.get("mean", People.age_mean)),
        age_sd=float(age.get("sd", People.age_sd)),
        age_min=int(age.get("min", People.age_min)),
        age_max=int(age.get("max", People.age_max)),
        lives_near_prison=float(pe.get("lives_near_prison", People.lives_near_prison)),
        born_where_lives=float(pe.get("born_where_lives", People.born_where_lives)),
        sayyid_share=float(pe.get("sayyid_share", People.sayyid_share)),
    )
    if people.age_max < people.age_min:
        raise ConfigError("age.max is below age.min", path=path, key="people.age.max")
    sources: list[Source] = []
    for i, s in enumerate(data["sources"]):
        if s["name"] in [x.name for x in sources]:
            raise ConfigError(
                f"duplicate source name {s['name']!r}", path=path, key=f"sources[{i}].name"
            )
        sources.append(_source(i, s, ids, [x.name for x in sources], path))
    return Scenario(
        name=str(data.get("name", Path(path).stem if path else "scenario")),
        description=str(data.get("description", "")),
        population=int(data["population"]),
        period_start=start,
        period_end=end,
        people=people,
        constructed_surnames=float(data.get("names", {}).get("constructed_surnames", 0.4)),
        name_concentration=float(data.get("names", {}).get("concentration", 1.0)),
        name_tables=_name_tables(data.get("names", {}).get("tables", {}), path),
        cities=tuple(_place(c) for c in places["cities"]),
        burial_places=tuple(_place(b) for b in places["burial_places"]),
        prisons=tuple(prisons),
        sources=tuple(sources),
        raw=copy.deepcopy(dict(data)),
        family=str(data.get("family", "")),
    )
