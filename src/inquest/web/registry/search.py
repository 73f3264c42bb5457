"""Registry search across scripts: "Mohamad Hoseini" finds «محمد حسینی» and "Mohammad Hosseini".

Each record has one ``NameKey`` row (its name as the source gives it) and a few ``NameToken``
rows: every word's consonant skeleton (``inquest.text.skeleton``: محمد, Mohammad and Mohamad
all give ``MHMD``) and every pair of them in sorted order. A query becomes the same tokens; a
name is a candidate when it has all of them (a two-word query is one index lookup). The
candidates the user may see are then grouped by distinct name and ranked by
``inquest.text.name_similarity``, so each name is scored once however many records carry it.

Filters narrow the candidates: source, prison (the record's prison column, compared in key
form with the place's names), place and date range (an event of the record's person there or
then, at that place or a place within it).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from rapidfuzz import fuzz, process

from inquest.text import name_similarity, normalize
from inquest.text.skeleton import skeleton_of_key
from inquest.web.access.policy import AnyUser, clearance
from inquest.web.access.queryset import visibility_filter
from inquest.web.audit.reads import note_shown
from inquest.web.registry import bulk
from inquest.web.registry.models import (
    EventParticipant,
    NameKey,
    NameToken,
    Person,
    PersonRecord,
    Place,
    Record,
    RecordVersion,
    Source,
)

#: Words of a name that get tokens; more are ignored (titles and long compound names).
MAX_WORDS = 6
#: Names scoring below this against the query are not shown.
MIN_SCORE = 0.5
#: With more than twice this many distinct candidate names, only a shortlist is scored.
MAX_NAMES = 150
#: Results on one page.
PAGE_SIZE = 50


def record_name(raw: Mapping[str, str]) -> str:
    """The name a record gives: its ``full_name``, else given and family name joined."""
    full = (raw.get("full_name") or "").strip()
    if full:
        return full
    parts = (raw.get("given_name") or "", raw.get("family_name") or "")
    return " ".join(p.strip() for p in parts if p.strip())


def name_tokens(name: str) -> list[str]:
    """The search tokens of a name: each word's skeleton and each sorted pair of them."""
    words = _skeleton_words(normalize(name, "key"))
    pairs = {" ".join(sorted(p)) for p in itertools.combinations(words, 2)}
    return sorted(set(words) | pairs)


def query_tokens(query: str) -> list[str]:
    """The tokens a name must have to match ``query``: the pairs of its words, or its one word."""
    words = _skeleton_words(normalize(query, "key"))
    if len(words) == 1:
        return words
    return sorted({" ".join(sorted(p)) for p in itertools.combinations(words, 2)})


def _skeleton_words(key: str) -> list[str]:
    words: list[str] = []
    for word in key.split():
        skel = skeleton_of_key(word).replace(" ", "")
        if skel and skel not in words:
            words.append(skel)
    return words[:MAX_WORDS]


def place_keys(place: Place) -> set[str]:
    """A place's names (English, original, others) in key form, to compare with raw text."""
    names = [place.name, place.name_original, *(place.other_names or [])]
    keys = {normalize(str(n), "key") for n in names if str(n).strip()}
    # "Evin prison" / «زندان اوین»: the bare name matches too.
    return keys | {k for k in (_bare(k) for k in keys) if k}


_PRISON_WORDS = frozenset({"prison", "zendan", "زندان"})


def _bare(key: str) -> str:
    return " ".join(w for w in key.split() if w not in _PRISON_WORDS)


def index_rows(
    rows: Iterable[tuple[Record, int, Mapping[str, str]]],
    *,
    person_id: int | None = None,
    persons: Mapping[int, int] | None = None,
    replace: bool = True,
) -> int:
    """Write the search rows of records (record, version number, raw values); returns the
    count written. Each row names ``person_id``, or the person ``persons`` maps its record
    to. With ``replace``, rows the records had already are deleted first (new records have
    none: an import passes ``replace=False``)."""
    items = list(rows)
    if not items:
        return 0
    if replace:
        NameKey.objects.filter(record_id__in=[r.pk for r, _, _ in items]).delete()
    keys: list[tuple[object, ...]] = []
    tokens: list[tuple[object, ...]] = []
    for record, number, raw in items:
        name = record_name(raw)[:300]
        prison = normalize(raw.get("prison") or "", "key")
        keys.append(
            (
                record.pk,
                number,
                record.source_id,
                persons.get(record.pk) if persons is not None else person_id,
                name,
                normalize(name, "key")[:300],
                (_bare(prison) or prison)[:200],
                int(record.confidentiality),
            )
        )
        level = int(record.confidentiality)
        tokens.extend(
            (record.pk, token, name, record.source_id, level) for token in _tokens_cached(name)
        )
    columns = ["record", "version", "source", "person", "name", "key", "prison_key"]
    written = bulk.insert(NameKey, [*columns, "confidentiality"], keys)
    bulk.insert(NameToken, ["entry", "token", "name", "source", "confidentiality"], tokens)
    return written


@lru_cache(maxsize=100_000)
def _tokens_cached(name: str) -> tuple[str, ...]:
    return tuple(name_tokens(name))


def set_person(records: Sequence[Record], person: Person | None) -> int:
    """Point the search rows of ``records`` at ``person`` (its membership changed)."""
    return NameKey.objects.filter(record_id__in=[r.pk for r in records]).update(
        person=person.pk if person is not None else None
    )


def sync_persons(records: Sequence[Record]) -> int:
    """Point the search rows of ``records`` at the person each belongs to now (none if
    none): for writers that change memberships in bulk, as a linkage run does."""
    member = PersonRecord.objects.filter(record_id=OuterRef("record_id")).values("person_id")
    return NameKey.objects.filter(record_id__in=[r.pk for r in records]).update(
        person=Subquery(member[:1])
    )


def backfill(*, batch: int = 5000) -> int:
    """Write search rows for every record without them or with rows of an older version.

    For records written before the index existed (``inquest db manage search_keys``).
    Returns the number of records (re)indexed.
    """
    done = 0
    last = 0
    while True:
        ids = list(
            Record.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return done
        last = ids[-1]
        records = Record.objects.in_bulk(ids)
        persons = dict(
            PersonRecord.objects.filter(record_id__in=ids).values_list("record_id", "person_id")
        )
        indexed = dict(
            NameKey.objects.filter(record_id__in=ids).values_list("record_id", "version")
        )
        current: dict[int, tuple[int, dict[str, str]]] = {}
        for record_id, number, raw in (
            RecordVersion.objects.filter(record_id__in=ids)
            .order_by("record_id", "number")
            .values_list("record_id", "number", "raw")
        ):
            current[record_id] = (number, raw)
        stale = [
            (records[rid], number, raw)
            for rid, (number, raw) in current.items()
            if indexed.get(rid) != number
        ]
        done += index_rows(stale, persons=persons)


@dataclass(frozen=True)
class Filters:
    """What a search may be narrowed to; ``None`` means no filter."""

    source: Source | None = None
    prison: Place | None = None
    place: Place | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def events(self) -> Q | None:
        """The condition on a person's events, if place or dates are given."""
        condition = Q()
        if self.place is not None:
            condition &= Q(event__place=self.place) | Q(event__place__parent=self.place)
        if self.date_from is not None:
            condition &= Q(event__date_latest__gte=self.date_from) | Q(
                event__date_latest__isnull=True, event__date_earliest__gte=self.date_from
            )
        if self.date_to is not None:
            condition &= Q(event__date_earliest__lte=self.date_to) | Q(
                event__date_earliest__isnull=True, event__date_latest__lte=self.date_to
            )
        return condition if condition else None


@dataclass(frozen=True)
class Hit:
    """One record found: its search row (name, record, source, person) and its score."""

    key: NameKey
    score: float
    person_visible: bool


@dataclass(frozen=True)
class Found:
    """One result row: a person the user may see with their records found (best first), or
    a record found that belongs to no person the user may see."""

    person: Person | None
    hits: tuple[Hit, ...]

    @property
    def score(self) -> float:
        """The best score among the records."""
        return max(hit.score for hit in self.hits)


@dataclass
class SearchPage:
    """One page of results, best first: ``found`` holds its rows (persons with their records
    folded under them), ``hits`` the same records in order; ``total`` counts the records
    found in all, ``rows`` the rows."""

    query: str
    hits: list[Hit]
    total: int
    number: int
    page_size: int = PAGE_SIZE
    truncated: bool = False
    names: int = field(default=0)
    unranked: int = field(default=0)
    found: list[Found] = field(default_factory=list)
    rows: int = field(default=0)

    @property
    def num_pages(self) -> int:
        """Pages in all (at least one)."""
        return max(1, -(-self.rows // self.page_size))

    @property
    def has_previous(self) -> bool:
        """True if there is a page before this one."""
        return self.number > 1

    @property
    def has_next(self) -> bool:
        """True if there is a page after this one."""
        return self.number < self.num_pages


@lru_cache(maxsize=200_000)
def _score(query: str, name: str) -> float:
    return name_similarity(query, name)


@lru_cache(maxsize=200_000)
def _key(name: str) -> str:
    """A candidate name's key form: the same names come back query after query."""
    return normalize(name, "key")


def candidates(user: AnyUser, query: str, filters: Filters = Filters()) -> QuerySet[NameToken]:
    """The token rows the user may see, one per record whose name has every token of
    ``query`` (and passes the filters); ``name`` and ``entry`` (the record) on each."""
    tokens = query_tokens(query)
    if not tokens:
        return NameToken.objects.none()
    rows = NameToken.objects.visible_to(user).filter(token=tokens[0])
    for token in tokens[1:]:
        rows = rows.filter(Exists(NameToken.objects.filter(entry=OuterRef("entry"), token=token)))
    if filters.source is not None:
        rows = rows.filter(source=filters.source)
    if filters.prison is not None:
        rows = rows.filter(entry__prison_key__in=sorted(place_keys(filters.prison)))
    events = filters.events()
    if events is not None:
        rows = rows.filter(
            Exists(
                EventParticipant.objects.visible_to(user)
                .filter(person=OuterRef("entry__person"))
                .filter(events)
            )
        )
    return rows


def _shortlist(query: str, counted: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The names worth scoring: the ``MAX_NAMES`` most frequent, the ``MAX_NAMES`` closest
    in spelling (``rapidfuzz`` on key forms) and any with exactly the query's key."""
    if len(counted) <= 2 * MAX_NAMES:
        return counted
    key = normalize(query, "key")
    keys = [_key(name) for name, _ in counted]
    close = process.extract(key, keys, scorer=fuzz.WRatio, limit=MAX_NAMES)
    keep = set(range(MAX_NAMES)) | {i for _, _, i in close}
    keep |= {i for i, k in enumerate(keys) if k == key}
    return [counted[i] for i in sorted(keep)]


def _row_of(user: AnyUser) -> Case:
    """A candidate's result row: its person's id if the user may see that person, else
    minus its record's id (a row of its own: a hidden person must not even group)."""
    level = clearance(user)
    seen = visibility_filter(Person, level, "entry__person__") if level is not None else Q(pk=None)
    return Case(
        When(Q(entry__person__isnull=False) & seen, then=F("entry__person_id")),
        default=F("entry_id") * -1,
        output_field=IntegerField(),
    )


def search(user: AnyUser, query: str, filters: Filters = Filters(), *, page: int = 1) -> SearchPage:
    """The records matching ``query`` that the user may see, folded by person, best first.

    Candidates share the query's skeletons; each distinct name among them is scored once
    with ``name_similarity`` (the exact spelling first among equal scores). Scoring is the
    costly step, so a query with more than ``2 * MAX_NAMES`` distinct candidate names has
    only a shortlist scored (see ``_shortlist``): ``truncated`` says so, and ``unranked``
    counts the records left out. The records of one person the user may see make one row,
    ranked by its best name; one query gives every row's names, one the page's records.
    The page's records, names, sources and persons are noted as shown
    (``inquest.web.audit.reads``).
    """
    query = query.strip()
    rows = candidates(user, query, filters)
    counted = list(rows.values_list("name").annotate(n=Count("name")).order_by("-n", "name"))
    shortlist = _shortlist(query, counted)
    key = normalize(query, "key")
    scored = sorted(
        ((score, name, n) for name, n in shortlist if (score := _score(query, name)) >= MIN_SCORE),
        key=lambda t: (-t[0], _key(t[1]) != key, t[1]),
    )
    unranked = sum(n for _, n in counted) - sum(n for _, n in shortlist)
    total = sum(n for _, _, n in scored)
    scores = {name: score for score, name, _ in scored}
    n_rows = 0
    number = 1
    found: list[Found] = []
    if scored:
        ranks = {name: i for i, (_, name, _) in enumerate(scored)}
        matched = rows.filter(name__in=list(ranks)).annotate(row=_row_of(user))
        # Each row's best rank, from its (row, name) pairs: grouped here rather than by the
        # database, whose query would carry one CASE branch per name (slow to build).
        best: dict[int, int] = {}
        for row, name in matched.order_by().values_list("row", "name").distinct():
            best[row] = min(best.get(row, len(ranks)), ranks[name])
        ordered = sorted(best, key=lambda row: (best[row], row))
        n_rows = len(ordered)
        number = min(max(1, page), max(1, -(-n_rows // PAGE_SIZE)))
        start = (number - 1) * PAGE_SIZE
        chosen = ordered[start : start + PAGE_SIZE]
        members: dict[int, list[NameKey]] = {row: [] for row in chosen}
        for entry in NameKey.objects.select_related("source", "record", "person").filter(
            record_id__in=matched.filter(row__in=chosen).values("entry_id")
        ):
            row = entry.person_id if entry.person_id in members else -entry.record_id
            if row < 0:
                entry.person = None
            members[row].append(entry)
        for row in chosen:
            entries = sorted(members[row], key=lambda e: (ranks[e.name], e.source_id, e.record_id))
            if not entries:
                continue  # its records changed since the rows were counted
            folded = tuple(Hit(e, scores[e.name], row > 0) for e in entries)
            found.append(Found(folded[0].key.person if row > 0 else None, folded))
    hits = [hit for item in found for hit in item.hits]
    note_shown(
        user,
        (obj for h in hits for obj in (h.key, h.key.record, h.key.source, h.key.person)),
    )
    return SearchPage(
        query,
        hits,
        total,
        number,
        truncated=len(shortlist) < len(counted),
        names=len(scored),
        unranked=unranked,
        found=found,
        rows=n_rows,
    )
