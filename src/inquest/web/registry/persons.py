"""What a person's list row shows, chosen from its records when they change and kept on the
person: the name in each page language, the death date and the number of records.

The name is the engine's choice (``inquest.text.preferred_name``) among the names the
records give (``search.record_name``: the full name, else given and family name), Persian
script first for Persian pages and Latin first for English ones. The death date is the
interval the records' ``death_date`` most often gives (``inquest.dates.parse_date``), the
narrower first among equally frequent ones. The count is of the same records: those at or
below the person's level, which every reader of the person may see, so that the persons list
shows and sorts on it without counting a million memberships per page. The registry's
services call ``refresh`` in the transaction that changes a person's records; the
migrations that added the fields fill them for the persons written before.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import F

from inquest.dates import parse_date
from inquest.errors import InputError
from inquest.text import Script, preferred_name
from inquest.web.registry.models import Person, RecordVersion
from inquest.web.registry.search import record_name

DEATH_COLUMN = "death_date"
SUMMARY_FIELDS = ("name_fa", "name_en", "death_earliest", "death_latest")
FIELDS = (*SUMMARY_FIELDS, "n_records")


@dataclass(frozen=True)
class Summary:
    """A person's shown name in each language, death date interval and number of records."""

    name_fa: str = ""
    name_en: str = ""
    death_earliest: dt.date | None = None
    death_latest: dt.date | None = None
    n_records: int = 0


def _death(texts: Iterable[str]) -> tuple[dt.date | None, dt.date | None]:
    counted: Counter[tuple[dt.date, dt.date]] = Counter()
    for text in texts:
        if not text.strip():
            continue
        try:
            interval = parse_date(text)
        except InputError:
            continue  # a date the engine cannot read is shown on the record, not here
        counted[(interval.earliest, interval.latest)] += 1
    if not counted:
        return None, None
    return min(counted, key=lambda span: (-counted[span], span[1] - span[0], span))


def summarise(raws: Iterable[Mapping[str, str]]) -> Summary:
    """The summary of a person whose records' current values are ``raws``."""
    rows = list(raws)
    names = [record_name(raw) for raw in rows]
    earliest, latest = _death(str(raw.get(DEATH_COLUMN) or "") for raw in rows)
    return Summary(
        name_fa=preferred_name(names, Script.ARABIC)[:300],
        name_en=preferred_name(names, Script.LATIN)[:300],
        death_earliest=earliest,
        death_latest=latest,
        n_records=len(rows),
    )


def refresh(
    person_ids: Iterable[int],
    *,
    person_model: type[Person] = Person,
    version_model: type[RecordVersion] = RecordVersion,
    fields: tuple[str, ...] = FIELDS,
) -> int:
    """Recompute and store the summary of each person (inside the caller's transaction);
    returns the number of persons written. Reads each record's latest version once. The
    migration that added the summary passes its historical models and the fields it has."""
    ids = sorted(set(person_ids))
    if not ids:
        return 0
    latest: dict[int, tuple[int, int, dict[str, str]]] = {}
    level = F("record__membership__person__confidentiality")
    for person_id, record_id, number, raw in (
        version_model.objects.filter(record__membership__person_id__in=ids)
        # A record is never more confidential than its person (the services see to it);
        # were one ever, it still could not lend the person its name or date.
        .filter(
            confidentiality__lte=level,
            record__membership__confidentiality__lte=level,
            record__confidentiality__lte=level,
            record__source__confidentiality__lte=level,
        )
        .order_by("record_id", "number")
        .values_list("record__membership__person_id", "record_id", "number", "raw")
    ):
        latest[record_id] = (person_id, number, raw)
    raws: dict[int, list[dict[str, str]]] = {pk: [] for pk in ids}
    for record_id in sorted(latest):
        person_id, _, raw = latest[record_id]
        raws[person_id].append(raw)
    persons = []
    for pk in ids:
        summary = summarise(raws[pk])
        person = person_model(pk=pk)
        for name in fields:
            setattr(person, name, getattr(summary, name))
        persons.append(person)
    person_model.objects.bulk_update(persons, fields, batch_size=500)
    return len(persons)
