"""Link sources from the database with the engine and write the persons back.

The engine's input is built from each record's current version in the standard list format
(``list`` = source code, ``record_id`` = the record's primary key, ``row`` = its row). The run
is opened first (so a failure is recorded), the engine runs outside any transaction, and
everything it produced is written back in one transaction: persons, memberships with their
probability, statements with provenance, the run's artefacts with hashes, all audited.

Person uids stay stable: the engine's ``previous`` table is the current memberships, so a
cluster takes the uid of the person whose records it mostly carries over
(``inquest.linkage.ids``); the engine's run record says which persons it carried over, and
every other is created. The run's input hash is the engine's provenance. A person whose
records all went elsewhere is marked as merged into the person that took most of them.
Reviewers' decisions (``ReviewDecision``) become must-link / cannot-link constraints and
training labels; a decision whose records are not in this run is kept and reported as
orphaned.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.conf import settings
from django.db import transaction

from inquest.errors import InputError
from inquest.io import provenance_columns, standard_schema
from inquest.linkage.review import Decision, Judgement, apply_decisions
from inquest.linkage.run_record import LinkageRunRecord
from inquest.web.access.actions import Action
from inquest.web.access.levels import Level
from inquest.web.access.policy import AnyUser, require
from inquest.web.audit import services as audit
from inquest.web.linking import queue
from inquest.web.linking.models import ReviewDecision
from inquest.web.registry import persons as person_summaries
from inquest.web.registry import search
from inquest.web.registry import services as registry
from inquest.web.registry.models import Person, PersonRecord, Record, Source, Statement
from inquest.web.runs import services as runs
from inquest.web.runs.models import LinkageRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinkOutcome:
    """A finished run and what it changed in the registry."""

    run: LinkageRun
    results: dict[str, Any]


def current_decisions() -> list[ReviewDecision]:
    """The latest decision on every pair (the one no other decision replaces)."""
    return list(
        ReviewDecision.objects.filter(superseded_by__isnull=True).select_related(
            "record_a__source", "record_b__source"
        )
    )


def _engine_decision(decision: ReviewDecision) -> Decision:
    return Decision(
        (decision.record_a.source.code, str(decision.record_a_id)),
        (decision.record_b.source.code, str(decision.record_b_id)),
        Judgement(decision.judgement),
    )


def engine_input(sources: Sequence[Source]) -> tuple[pa.Table, list[Record]]:
    """The records of ``sources`` as the engine reads a list: every standard column, as text.

    Values come from each record's current version; empty values are null, as the list
    reader makes them. Returns the table and the records in its row order.
    """
    names = standard_schema().names
    records = list(
        Record.objects.filter(source__in=sources)
        .select_related("source")
        .prefetch_related("versions")
        .order_by("source__code", "row_number")
    )
    columns: dict[str, list[str | None]] = {c: [] for c in (*provenance_columns(), *names)}
    for record in records:
        version = max(record.versions.all(), key=lambda v: v.number)
        columns["list"].append(record.source.code)
        columns["record_id"].append(str(record.pk))
        columns["row"].append(str(record.row_number))
        for name in names:
            if name in ("list", "record_id", "row"):
                continue
            value = version.raw.get(name)
            columns[name].append(value.strip() or None if isinstance(value, str) else None)
    table = pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()})
    return table, records


def _previous(records: Sequence[Record]) -> pa.Table:
    """The current memberships of ``records`` as a ``clusters.csv``-shaped table."""
    rows = (
        PersonRecord.objects.filter(record__in=records, person__merged_into__isnull=True)
        .select_related("record__source", "person")
        .values_list("record__source__code", "record_id", "person__uid")
    )
    lists, ids, persons = [], [], []
    for code, record_id, uid in rows:
        lists.append(code)
        ids.append(str(record_id))
        persons.append(str(uid))
    return pa.table(
        {
            "list": pa.array(lists, pa.string()),
            "record_id": pa.array(ids, pa.string()),
            "person_id": pa.array(persons, pa.string()),
        }
    )


def link_sources(
    user: AnyUser, sources: Sequence[Source], *, out_dir: Path | None = None
) -> LinkOutcome:
    """Link every record of ``sources`` and write the persons back (see the module doc).

    Refused unless the user may link at the level of every record included. Runs the engine
    synchronously: meant for registries of some tens of thousands of records at most.
    """
    from inquest.linkage.pipeline import link_provenance, link_records, write_run
    from inquest.linkage.report import write_report

    if not sources:
        raise InputError("choose at least one source to link", field="sources")
    table, records = engine_input(sources)
    if not records:
        raise InputError("the chosen sources have no records", field="sources")
    level = Level(max(r.confidentiality for r in records))
    require(user, Action.LINK, level)
    decisions = current_decisions()
    applied = apply_decisions([_engine_decision(d) for d in decisions], table)
    orphaned_keys = {d.key for d in applied.not_applied}
    orphaned = [d.pk for d in decisions if _engine_decision(d).key in orphaned_keys]
    labels = applied.labels if applied.labels.num_rows else None
    previous = _previous(records)
    provenance = link_provenance(
        table,
        labels=labels,
        must_link=applied.must_link,
        cannot_link=applied.cannot_link,
        previous=previous,
    )
    run = runs.start_linkage_run(
        user,
        sources=list(sources),
        parameters={"sources": [s.code for s in sources], "engine": "duckdb"},
        input_sha256=provenance.input_hash,
        code_version=provenance.inquest_version,
    )
    if run.confidentiality < level:
        with transaction.atomic():
            run.confidentiality = level
            run.save(update_fields=["confidentiality"])
    try:
        result = link_records(
            table,
            labels=labels,
            must_link=applied.must_link,
            cannot_link=applied.cannot_link,
            previous=previous,
            # a web worker holds database connections and threads: it must not fork
            prepare_workers=1,
            provenance=provenance,
        )
        linked = result.run_record()
        folder = out_dir or Path(settings.DATA_DIR) / "runs" / f"linkage-{run.pk}"
        paths = write_run(result, folder, linked)
        paths["report"] = write_report(result, folder)
        spec = result.model.clustering
        run.parameters = {
            **run.parameters,
            "review_low": spec.review_low,
            "review_high": spec.review_high,
            "link_threshold": spec.link_threshold,
        }
        with transaction.atomic():
            run.save(update_fields=["parameters"])
            changes = _write_back(user, run, records, linked)
            results = {
                **changes,
                "records": linked.records,
                "pairs_kept": linked.pairs_kept,
                "components_split": linked.components_split,
                "decisions_applied": len(decisions) - len(orphaned),
                "decisions_orphaned": orphaned,
                "warnings": list(linked.warnings),
                "timings": linked.timings,
            }
            runs.finish_run(user, run, results=results, artefacts=paths)
    except Exception as exc:
        log.exception("linkage run %s failed", run.pk)
        runs.fail_run(user, run, error=f"{type(exc).__name__}: {exc}")
        raise
    try:  # now rather than at the first visit of the review page, which would wait for it
        queue.ensure_built(run)
    except Exception:
        log.exception("review queue of linkage run %s not written (the review page will)", run.pk)
    return LinkOutcome(run, results)


def _write_back(
    user: AnyUser, run: LinkageRun, records: Sequence[Record], linked: LinkageRunRecord
) -> dict[str, Any]:
    """Persons, memberships and statements from the run's clusters (inside the caller's
    transaction). A person the engine carried over keeps its uid; every other is created."""
    by_pk = {r.pk: r for r in records}
    made: dict[int, set[tuple[int, int | None]]] = defaultdict(set)
    for record_id, person_id, version_id in Statement.objects.filter(
        record__in=records, linkage_run__isnull=False
    ).values_list("record_id", "person_id", "record_version_id"):
        made[record_id].add((person_id, version_id))
    groups: dict[str, list[int]] = defaultdict(list)
    confidence: dict[int, float] = {}
    for row in linked.clusters.select(["record_id", "person_id", "confidence"]).to_pylist():
        pk = int(row["record_id"])
        groups[str(row["person_id"])].append(pk)
        confidence[pk] = float(row["confidence"])
    memberships = {
        m.record_id: m
        for m in PersonRecord.objects.select_for_update()
        .filter(record__in=records)
        .select_related("person")
    }
    before = {pk: m.person for pk, m in memberships.items()}
    known = {
        str(p.uid): p
        for p in Person.objects.filter(
            uid__in=[uid for uid in groups if not linked.is_new(uid)], merged_into__isnull=True
        )
    }
    created = kept = moved = 0
    for uid, pks in sorted(groups.items()):
        members = [by_pk[pk] for pk in sorted(pks)]
        level = Level(max(r.confidentiality for r in members))
        person = known.get(uid)
        if person is None:
            person = registry.create_person(user, level=level, linkage_run_id=run.pk)
            created += 1
        else:
            kept += 1
            if person.confidentiality < level:
                person.confidentiality = level
                person.save(update_fields=["confidentiality"])
        for record in members:
            moved += _place(
                user, run, person, record, memberships.get(record.pk), confidence[record.pk]
            )
            _refresh_statements(user, run, person, record, made[record.pk])
    merged = _merge_emptied(user, before, records)
    # Memberships were written one by one above: the search rows and the persons' shown
    # names and dates follow them here, once for the whole run.
    search.sync_persons(records)
    touched = PersonRecord.objects.filter(record__in=records).values_list("person_id", flat=True)
    # the persons that lost records too: their names, dates and counts change as well
    person_summaries.refresh({*touched, *(p.pk for p in before.values())})
    audit.record(
        user,
        "linkage_run.write_back",
        run,
        level=run.confidentiality,
        detail={"created": created, "kept": kept, "moved": moved, "merged": merged},
    )
    return {
        "persons": len(groups),
        "persons_created": created,
        "persons_kept": kept,
        "persons_merged": len(merged),
        "records_moved": moved,
    }


def _place(
    user: AnyUser,
    run: LinkageRun,
    person: Person,
    record: Record,
    membership: PersonRecord | None,
    probability: float,
) -> int:
    """Put ``record`` in ``person``; 1 if it left another person, else 0."""
    level = Level(max(person.confidentiality, record.confidentiality))
    if membership is None:
        PersonRecord.objects.create(
            person=person,
            record=record,
            linkage_run=run,
            match_probability=probability,
            confidentiality=level,
        )
        return 0
    old = membership.person_id
    membership.person = person
    membership.linkage_run = run
    membership.decided_by = None
    membership.match_probability = probability
    membership.confidentiality = level
    membership.save(
        update_fields=[
            "person",
            "linkage_run",
            "decided_by",
            "match_probability",
            "confidentiality",
        ]
    )
    if old == person.pk:
        return 0
    audit.record(
        user,
        "person_record.move",
        membership,
        level=level,
        detail={"record": record.pk, "from": old, "to": person.pk, "run": run.pk},
    )
    return 1


def _refresh_statements(
    user: AnyUser,
    run: LinkageRun,
    person: Person,
    record: Record,
    made: set[tuple[int, int | None]],
) -> None:
    """Give ``record``'s statements to ``person`` from its current version, unless they are.

    Only statements a run made are replaced; those people added by hand stay as they were.
    """
    current = max(record.versions.all(), key=lambda v: v.number).pk
    if made and made == {(person.pk, current)}:
        return
    if made:
        count, _ = Statement.objects.filter(record=record, linkage_run__isnull=False).delete()
        audit.record(
            user,
            "statements.replace",
            record,
            level=Level(max(person.confidentiality, record.confidentiality)),
            detail={"record": record.pk, "removed": count, "run": run.pk},
        )
    registry.add_record_statements(user, person, record, linkage_run_id=run.pk)


def _merge_emptied(
    user: AnyUser, before: dict[int, Person], records: Sequence[Record]
) -> list[int]:
    """Mark persons left without records as merged into the one that took most of theirs."""
    now = {m.record_id: m.person_id for m in PersonRecord.objects.filter(record__in=records)}
    lost: dict[int, Counter[int]] = defaultdict(Counter)
    for pk, person in before.items():
        lost[person.pk][now[pk]] += 1
    merged = []
    for person_pk, went in sorted(lost.items()):
        if PersonRecord.objects.filter(person_id=person_pk).exists():
            continue
        survivor = went.most_common(1)[0][0]
        person = Person.objects.get(pk=person_pk)
        person.merged_into_id = survivor
        person.save(update_fields=["merged_into"])
        audit.record(
            user,
            "person.merge",
            person,
            level=person.confidentiality,
            detail={"into": survivor},
        )
        merged.append(person_pk)
    return merged
