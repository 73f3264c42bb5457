"""The review queue in the database: a run's uncertain pairs, filtered and paged by keyset.

The first time a run's queue is asked for, its pairs (see ``review._candidates``) are written
to ``QueuedPair`` with their places in the queue: ``value_rank``, the pairs whose decision is
expected to narrow the estimate of N most first (the engine's ``posterior_values`` over draws
of the run's linkage posterior; the default order), and ``rank``, closest to even odds first.
Pages then ask the database for one page at a time, after (or before) a rank, so a page costs
the same at the first pair and at the hundred-thousandth. Access is part of every query: only
pairs whose two records (and their sources) the user may see, at a level the user may review.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy

from inquest.errors import InquestError
from inquest.linkage import review as linkage_review
from inquest.web.access.actions import Action
from inquest.web.access.levels import Level
from inquest.web.access.policy import AnyUser, can, clearance
from inquest.web.linking import review
from inquest.web.linking.models import QueuedPair, ReviewDecision, ReviewQueue
from inquest.web.registry.models import Record, RecordVersion
from inquest.web.registry.search import record_name
from inquest.web.runs.models import LinkageRun

#: Pairs on one page of the queue.
PAGE_SIZE = 50
#: Columns shown beside a record's name in the queue, the first two a record has.
KEY_FIELDS = ("father_name", "death_date", "birth_date", "prison", "birth_place")
#: Pairs counted at most for a page's total (a count of all could read the whole queue).
COUNT_CAP = 1000
#: Partitions of the run's linkage posterior drawn to value the queued pairs.
VALUE_DRAWS = 100
#: The queue's orders, and how the filter names them.
ORDERS = (
    ("value", gettext_lazy("most useful to the estimate first")),
    ("even-odds", gettext_lazy("closest to even odds first")),
)
logger = logging.getLogger(__name__)
#: What the queue shows by decision, and how the filter names it.
STATES = (
    ("undecided", gettext_lazy("not yet decided")),
    ("decided", gettext_lazy("decided")),
    ("all", gettext_lazy("all")),
)


@dataclass(frozen=True)
class Filters:
    """What the reviewer narrowed the queue to: the two lists (source codes, either order),
    a band of match probability, decided or not, who decided."""

    first: str = ""
    second: str = ""
    low: float | None = None
    high: float | None = None
    state: str = "undecided"
    reviewer: str = ""
    order: str = "value"

    @property
    def rank_field(self) -> str:
        """The ``QueuedPair`` field the chosen order pages by."""
        return "value_rank" if self.order == "value" else "rank"

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> Filters:
        """Filters from a query string; values that do not parse are left out."""

        def number(name: str) -> float | None:
            try:
                value = float(params.get(name, "").strip())
            except ValueError:
                return None
            return min(max(value, 0.0), 1.0) if math.isfinite(value) else None

        state = params.get("state", "").strip()
        order = params.get("order", "").strip()
        return cls(
            order=order if order in {name for name, _label in ORDERS} else "value",
            first=params.get("first", "").strip()[:32],
            second=params.get("second", "").strip()[:32],
            low=number("low"),
            high=number("high"),
            state=state if state in {name for name, _label in STATES} else "undecided",
            reviewer=params.get("reviewer", "").strip()[:150],
        )

    def query(self, **extra: int) -> str:
        """The filters (and ``extra``, e.g. ``after``) as a query string, defaults left out."""
        params: dict[str, object] = {
            "first": self.first,
            "second": self.second,
            "low": "" if self.low is None else f"{self.low:g}",
            "high": "" if self.high is None else f"{self.high:g}",
            "state": "" if self.state == "undecided" else self.state,
            "reviewer": self.reviewer,
            "order": "" if self.order == "value" else self.order,
            **extra,
        }
        return urlencode({k: v for k, v in params.items() if v != ""})


@dataclass(frozen=True)
class Side:
    """One record of a queued pair as the queue shows it: name as written, key fields."""

    record: Record
    version: RecordVersion | None
    name: str
    keys: list[tuple[str, str]]


@dataclass(frozen=True)
class Row:
    """One queued pair with both records and its current decision."""

    pair: QueuedPair
    left: Side
    right: Side
    decision: ReviewDecision | None

    @property
    def sides(self) -> tuple[Side, Side]:
        """Both records, first then second."""
        return self.left, self.right


@dataclass(frozen=True)
class Page:
    """One page of the queue; ``after``/``before`` are the ranks to page on from (or None);
    ``total`` counts the pairs the filters keep, up to ``COUNT_CAP`` (``capped`` if more)."""

    rows: list[Row]
    total: int
    capped: bool
    after: int | None
    before: int | None


def ensure_built(run: LinkageRun) -> None:
    """Write the run's queue to the database unless it has been already."""
    if ReviewQueue.objects.filter(run=run).exists():
        return
    pairs = _queued_pairs(run)
    try:
        with transaction.atomic():
            ReviewQueue.objects.create(run=run, size=len(pairs))
            QueuedPair.objects.bulk_create(pairs, batch_size=2000)
        _analyze(QueuedPair)
    except IntegrityError:
        if not ReviewQueue.objects.filter(run=run).exists():
            raise  # not a concurrent build of the same queue


def _analyze(model: type[QueuedPair]) -> None:
    """Refresh the planner's statistics of a table just filled: without them, PostgreSQL
    plans the queue's page as if the table were empty and reads all of it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _queued_pairs(run: LinkageRun) -> list[QueuedPair]:
    """The run's candidate pairs in queue order, each with its strongest evidence either way
    and the value of deciding it."""
    candidates = review._candidates(run)
    rows = Record.objects.filter(source__in=run.sources.all()).values_list(
        "pk", "confidentiality", "source__code"
    )
    levels = {pk: level for pk, level, _code in rows}
    codes = {pk: code for pk, _level, code in rows}
    strongest = _strongest(run, candidates.keys())
    values = _values(run, candidates, codes)
    ordered = sorted(candidates.items(), key=lambda kv: (abs(kv[1][0] - 0.5), kv[0]))
    by_value = sorted(range(len(ordered)), key=lambda i: (-values.get(ordered[i][0], 0.0), i))
    value_rank = {ordered[i][0]: place for place, i in enumerate(by_value, start=1)}
    out = []
    for rank, ((a, b), (probability, weight, reason)) in enumerate(ordered, start=1):
        if a not in levels or b not in levels:
            continue  # a record no longer in the run's sources
        supports, opposes = strongest.get((a, b), ("", ""))
        out.append(
            QueuedPair(
                run=run,
                rank=rank,
                value=values.get((a, b), 0.0),
                value_rank=value_rank[(a, b)],
                record_a_id=a,
                record_b_id=b,
                probability=probability,
                match_weight=weight,
                reason=reason,
                evidence_for=supports,
                evidence_against=opposes,
                confidentiality=max(levels[a], levels[b]),
            )
        )
    return out


def _values(
    run: LinkageRun,
    candidates: Mapping[tuple[int, int], tuple[float, float, str]],
    codes: Mapping[int, str],
) -> dict[tuple[int, int], float]:
    """Pair -> expected narrowing of the estimate of N from deciding it, over draws of the
    run's linkage posterior; empty (the even-odds order) if the run's files cannot give it."""
    from inquest.linkage.posterior import PosteriorSettings, RunForPosterior
    from inquest.linkage.review_value import posterior_values
    from inquest.linkage.settings import load_model

    try:
        clusters = review._clusters(*review._artefact(run, "clusters"))
        predictions = review._predictions(*review._artefact(run, "predictions"))
        ids = np.asarray(clusters["record_id"].cast(pa.int64()).to_numpy(), np.int64)
        known = np.isin(ids, np.fromiter(codes, np.int64, len(codes)))
        ids = ids[known]
        order = np.argsort(ids)

        def index(column: str) -> np.ndarray:  # type: ignore[type-arg]
            wanted = np.asarray(predictions[column].cast(pa.int64()).to_numpy(), np.int64)
            at = np.clip(np.searchsorted(ids, wanted, sorter=order), 0, max(len(ids) - 1, 0))
            found = order[at]
            return np.where(ids[found] == wanted, found, -1)

        left, right = index("record_id_l"), index("record_id_r")
        keep = (left >= 0) & (right >= 0)
        lists, source = np.unique([codes[int(i)] for i in ids], return_inverse=True)
        persons = np.asarray(clusters["person_id"].to_pylist(), dtype=object)[known]
        _, labels = np.unique(persons.astype(str), return_inverse=True)
        info = RunForPosterior(
            run_dir=Path(review._artefact(run, "clusters")[0]).parent,
            records=pa.table(
                {"list": lists[source].tolist(), "record_id": ids.astype(str).tolist()}
            ),
            lists=tuple(str(x) for x in lists),
            source=source.astype(np.int64).ravel(),
            pairs=pa.table(
                {
                    "unique_id_l": pa.array(left[keep]),
                    "unique_id_r": pa.array(right[keep]),
                    "match_probability": pa.array(
                        predictions["match_probability"].to_numpy().astype(np.float64)[keep]
                    ),
                }
            ),
            fixed_labels=labels.astype(np.int64).ravel(),
            must_link=[],
            cannot_link=[],
            settings=PosteriorSettings.from_model(load_model()),
        )
        pos = {int(r): i for i, r in enumerate(ids)}
        wanted = [(a, b) for a, b in candidates if a in pos and b in pos]
        values = posterior_values(
            info,
            np.array([pos[a] for a, _ in wanted], np.int64),
            np.array([pos[b] for _, b in wanted], np.int64),
            np.array([candidates[k][0] for k in wanted], np.float64),
            n_draws=VALUE_DRAWS,
            seed=int(run.seed or 0),
        )
    except (InquestError, OSError, ValueError, KeyError, pa.ArrowException) as exc:
        logger.warning("review queue of run %s kept in even-odds order: %s", run.pk, exc)
        return {}
    return {k: float(v) for k, v in zip(wanted, values.value, strict=True)}


def _strongest(
    run: LinkageRun, pairs: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], tuple[str, str]]:
    """Pair -> (comparison weighing most for a match, most against), from the run's weights."""
    wanted = set(pairs)
    table = review._predictions(*review._artefact(run, "predictions"))
    # Only the queued pairs' rows become Python objects: the predictions hold every kept pair.
    ids = pa.array(sorted({record for pair in wanted for record in pair}), pa.int64())
    table = table.filter(
        pc.and_(
            pc.is_in(table["record_id_l"].cast(pa.int64()), value_set=ids),
            pc.is_in(table["record_id_r"].cast(pa.int64()), value_set=ids),
        )
    )
    names = table.column_names
    comps = [c[3:] for c in names if c.startswith("mw_") and not c.startswith("mw_tf_adj_")]
    columns = ["record_id_l", "record_id_r"] + [
        c for comp in comps for c in (f"mw_{comp}", f"mw_tf_adj_{comp}") if c in names
    ]
    out: dict[tuple[int, int], tuple[str, str]] = {}
    for row in table.select(columns).to_pylist():
        a, b = sorted((int(row["record_id_l"]), int(row["record_id_r"])))
        if (a, b) not in wanted:
            continue
        weights = {comp: linkage_review.comparison_weight(row, comp) for comp in comps}
        best = max(weights.items(), key=lambda kv: kv[1], default=("", 0.0))
        worst = min(weights.items(), key=lambda kv: kv[1], default=("", 0.0))
        out[(a, b)] = (best[0] if best[1] > 0 else "", worst[0] if worst[1] < 0 else "")
    return out


def review_level(user: AnyUser) -> Level | None:
    """The highest level at which the user may review pairs (None: none)."""
    allowed = [level for level in Level if can(user, Action.REVIEW, level)]
    return max(allowed) if allowed else None


def _current(user: AnyUser) -> QuerySet[ReviewDecision]:
    """Current decisions (no later one replaces them) at a level the user may see."""
    level = clearance(user)
    return ReviewDecision.objects.filter(
        superseded_by__isnull=True, confidentiality__lte=-1 if level is None else level
    )


def pairs(user: AnyUser, run: LinkageRun, filters: Filters = Filters()) -> QuerySet[QueuedPair]:
    """The queued pairs of ``run`` the user may see and review, narrowed by ``filters``."""
    level = review_level(user)
    if level is None:
        return QueuedPair.objects.none()
    qs = QueuedPair.objects.visible_to(user).filter(
        run=run, record_a__confidentiality__lte=level, record_b__confidentiality__lte=level
    )
    # One condition on the pair's row, never two querysets joined by OR: that makes SQLite
    # merge two index scans and sort the whole queue instead of walking it in rank order.
    if filters.first and filters.second:
        codes = {filters.first, filters.second}
        qs = qs.filter(record_a__source__code__in=codes, record_b__source__code__in=codes)
        if len(codes) == 2:
            qs = qs.exclude(record_a__source=F("record_b__source"))
    elif filters.first or filters.second:
        code = filters.first or filters.second
        qs = qs.filter(Q(record_a__source__code=code) | Q(record_b__source__code=code))
    if filters.low is not None:
        qs = qs.filter(probability__gte=filters.low)
    if filters.high is not None:
        qs = qs.filter(probability__lte=filters.high)
    decisions = _current(user).filter(record_a=OuterRef("record_a"), record_b=OuterRef("record_b"))
    if filters.reviewer:
        qs = qs.filter(Exists(decisions.filter(decided_by__username=filters.reviewer)))
    if filters.state == "undecided":
        qs = qs.filter(~Exists(decisions))
    elif filters.state == "decided":
        qs = qs.filter(Exists(decisions))
    return qs


def page(
    user: AnyUser,
    run: LinkageRun,
    filters: Filters = Filters(),
    *,
    after: int | None = None,
    before: int | None = None,
) -> Page:
    """One page of the queue: the first, the one after rank ``after``, or the one before
    rank ``before``."""
    qs = pairs(user, run, filters)
    field = filters.rank_field
    if before is not None:
        found = list(qs.filter(**{f"{field}__lt": before}).order_by(f"-{field}")[: PAGE_SIZE + 1])
        more_before = len(found) > PAGE_SIZE
        chosen = found[:PAGE_SIZE][::-1]
        more_after = True
    else:
        start = qs.filter(**{f"{field}__gt": after}) if after is not None else qs
        found = list(start.order_by(field)[: PAGE_SIZE + 1])
        more_after = len(found) > PAGE_SIZE
        chosen = found[:PAGE_SIZE]
        more_before = after is not None
    total = qs.order_by()[: COUNT_CAP + 1].count()
    return Page(
        rows=rows(user, chosen),
        total=min(total, COUNT_CAP),
        capped=total > COUNT_CAP,
        after=getattr(chosen[-1], field) if chosen and more_after else None,
        before=getattr(chosen[0], field) if chosen and more_before else None,
    )


def rows(user: AnyUser, queued: list[QueuedPair]) -> list[Row]:
    """The pairs with both records (names, key fields) and current decisions, in 3 queries."""
    ids = {pk for p in queued for pk in (p.record_a_id, p.record_b_id)}
    records = {r.pk: r for r in Record.objects.select_related("source").filter(pk__in=ids)}
    versions: dict[int, RecordVersion] = {}
    for version in RecordVersion.objects.filter(record_id__in=ids).order_by("record_id", "number"):
        versions[version.record_id] = version
    firsts = {p.record_a_id for p in queued}
    decisions = {
        (d.record_a_id, d.record_b_id): d
        for d in _current(user)
        .filter(record_a_id__in=firsts, record_b_id__in=ids)
        .select_related("decided_by")
    }

    def side(pk: int) -> Side:
        version = versions.get(pk)
        raw = version.raw if version is not None else {}
        keys = [(f, str(raw[f])) for f in KEY_FIELDS if str(raw.get(f) or "").strip()][:2]
        return Side(records[pk], version, record_name(raw), keys)

    return [
        Row(
            p,
            side(p.record_a_id),
            side(p.record_b_id),
            decisions.get((p.record_a_id, p.record_b_id)),
        )
        for p in queued
        for a, b in [(p.record_a_id, p.record_b_id)]
        if a in records and b in records
    ]


def find(user: AnyUser, run: LinkageRun, a: int, b: int) -> QueuedPair | None:
    """The pair ``(a, b)`` in the run's queue, if the user may review it there."""
    return pairs(user, run, Filters(state="all")).filter(record_a_id=a, record_b_id=b).first()


def neighbours(
    user: AnyUser, run: LinkageRun, filters: Filters, here: QueuedPair | None
) -> tuple[QueuedPair | None, QueuedPair | None]:
    """The pair before ``here`` in the queue (decided or not, so a reviewer can go back to a
    decision) and the next one the filters keep; after the last, the first one they keep
    (so a reviewer goes on to whatever is still to do)."""
    field = filters.rank_field
    ahead = pairs(user, run, filters).select_related("record_a", "record_b")
    if here is None:
        return None, ahead.order_by(field).first()
    at = getattr(here, field)
    behind = pairs(user, run, replace(filters, state="all")).select_related("record_a", "record_b")
    previous = behind.filter(**{f"{field}__lt": at}).order_by(f"-{field}").first()
    following = ahead.filter(**{f"{field}__gt": at}).order_by(field).first()
    if following is None:
        following = ahead.exclude(pk=here.pk).order_by(field).first()
    return previous, following


def all_pairs(user: AnyUser, run: LinkageRun) -> list[QueuedPair]:
    """Every pair of the run's queue the user may review, in order (for scripts and tests)."""
    ensure_built(run)
    return list(
        pairs(user, run, Filters(state="all"))
        .select_related("record_a", "record_b")
        .order_by("rank")
    )


def reviewers(user: AnyUser, run: LinkageRun) -> list[str]:
    """Who made the current decisions the user may see (for the reviewer filter)."""
    names = (
        _current(user)
        .exclude(decided_by=None)
        .values_list("decided_by__username", flat=True)
        .distinct()
    )
    return sorted(str(n) for n in names)


@dataclass(frozen=True)
class Pending:
    """The review work waiting for a user: the run whose queue it is, the pairs not yet
    decided (up to ``COUNT_CAP``; ``capped`` if more), or None before the queue is built."""

    run: LinkageRun
    undecided: int | None
    capped: bool = False


def pending(user: AnyUser) -> Pending | None:
    """The undecided pairs of the latest run the user may review (None: nothing to review).

    The count is read only from a queue already written to the database: the dashboard does
    not build one (the review page does, once)."""
    if review_level(user) is None:
        return None
    run = review.latest_run(user)
    if run is None:
        return None
    if not ReviewQueue.objects.filter(run=run).exists():
        return Pending(run, None)
    n = pairs(user, run, Filters(state="undecided")).order_by()[: COUNT_CAP + 1].count()
    return Pending(run, min(n, COUNT_CAP), n > COUNT_CAP)
