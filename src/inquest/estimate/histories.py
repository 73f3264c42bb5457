"""Capture histories: who was recorded by which lists, as counts per capture pattern.

Two inputs are read:

* a **capture-history CSV** (the format of ``../shared/mse-reference/``): one 0/1 column per
  list, then ``count``; an optional stratum column named by the caller;
* a **linkage output** ``clusters.csv`` with columns ``list,record_id,person_id`` (and
  optionally ``confidence``): each person's pattern is the set of lists holding one of their
  records. A stratum is taken from a column of ``clusters.csv`` (a record attribute: the most
  frequent value among the person's records) or from an attribute file: per person
  (``person_id`` plus the stratum column) or per record (``list,record_id`` plus the column,
  e.g. the lists' own prison or province fields; most frequent value per person).

Every problem is collected and reported together (file, row, field); nothing is loaded then.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from inquest.errors import InputError, InputErrors, InputProblem

if TYPE_CHECKING:
    import pyarrow as pa

CLUSTER_COLUMNS = ("list", "record_id", "person_id")
TOTAL = "all"


@dataclass(frozen=True)
class CaptureHistories:
    """Counts of persons per observed capture pattern, optionally per stratum.

    ``patterns`` is (m, J) uint8 with no all-zero row; ``counts`` (m,) int64 > 0; ``strata``
    is None or an (m,) array of stratum labels (a pattern may repeat across strata).
    """

    lists: tuple[str, ...]
    patterns: npt.NDArray[np.uint8]
    counts: npt.NDArray[np.int64]
    strata: npt.NDArray[np.str_] | None = None
    stratum_column: str | None = None
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def n_lists(self) -> int:
        return len(self.lists)

    @property
    def n_observed(self) -> int:
        return int(self.counts.sum())

    def collapsed(self) -> CaptureHistories:
        """The same persons with strata summed away (each pattern once)."""
        codes = self.patterns.astype(np.int64) @ (1 << np.arange(self.n_lists, dtype=np.int64))
        uniq, inverse = np.unique(codes, return_inverse=True)
        counts = np.zeros(uniq.shape[0], dtype=np.int64)
        np.add.at(counts, inverse, self.counts)
        patterns = ((uniq[:, None] >> np.arange(self.n_lists)[None, :]) & 1).astype(np.uint8)
        return CaptureHistories(
            lists=self.lists,
            patterns=patterns,
            counts=counts,
            sources=self.sources,
            notes=self.notes,
        )

    def by_stratum(self) -> dict[str, CaptureHistories]:
        """One collapsed table per stratum label (sorted), or ``{"all": self}`` if none."""
        if self.strata is None:
            return {TOTAL: self.collapsed()}
        out: dict[str, CaptureHistories] = {}
        for label in sorted(set(self.strata.tolist())):
            mask = self.strata == label
            part = CaptureHistories(
                lists=self.lists,
                patterns=self.patterns[mask],
                counts=self.counts[mask],
                sources=self.sources,
            )
            out[str(label)] = part.collapsed()
        return out

    def list_sizes(self) -> dict[str, int]:
        """Persons recorded by each list."""
        sizes = self.patterns.T.astype(np.int64) @ self.counts
        return {name: int(v) for name, v in zip(self.lists, sizes, strict=True)}


def read_histories(
    path: str | Path,
    *,
    strata: str | None = None,
    strata_file: str | Path | None = None,
) -> CaptureHistories:
    """Read a capture-history CSV or a linkage ``clusters.csv`` (told apart by the header)."""
    path = Path(path)
    header = _header(path)
    if all(c in header for c in CLUSTER_COLUMNS):
        return read_clusters(path, strata=strata, strata_file=strata_file)
    if strata_file is not None:
        raise InputError(
            "a strata attribute file only applies to a linkage clusters.csv", path=str(path)
        )
    return read_capture_csv(path, strata=strata)


def _count(raw: str) -> int | None:
    """A count as written (any digits ``int`` reads), or None if it is not one >= 0."""
    try:
        count = int(raw)
    except ValueError:
        return None
    return count if count >= 0 else None


def _capture_row(
    row: dict[str, str],
    row_no: int,
    lists: list[str],
    strata: str | None,
    where: str,
    problems: list[InputProblem],
) -> tuple[list[int], int, str] | None:
    """One row's pattern, count and stratum; None (its problems added) when it is bad."""
    pattern: list[int] = []
    bad = False
    for name in lists:
        value = (row.get(name) or "").strip()
        if value not in ("0", "1"):
            problems.append(InputProblem(f"expected 0 or 1, got {value!r}", where, row_no, name))
            bad = True
        else:
            pattern.append(int(value))
    raw = (row.get("count") or "").strip()
    count = _count(raw)
    if count is None:
        problems.append(
            InputProblem(f"count must be a whole number >= 0, got {raw!r}", where, row_no, "count")
        )
        bad = True
        count = 0
    if not bad and count > 0 and sum(pattern) == 0:
        problems.append(
            InputProblem("the all-zero pattern (on no list) cannot be observed", where, row_no)
        )
        bad = True
    label = ""
    if strata is not None:
        label = (row.get(strata) or "").strip()
        if not label:
            problems.append(InputProblem("empty stratum", where, row_no, strata))
            bad = True
    return None if bad else (pattern, count, label)


def read_capture_csv(path: str | Path, *, strata: str | None = None) -> CaptureHistories:
    """Read 0/1 list columns then ``count`` (and the ``strata`` column if named)."""
    path = Path(path)
    where = str(path)
    header = _header(path)
    problems: list[InputProblem] = []
    if "count" not in header:
        raise InputError("no 'count' column", path=where, field="count")
    if strata is not None and strata not in header:
        raise InputError(f"no stratum column {strata!r}", path=where, field=strata)
    lists = [c for c in header if c not in ("count", strata)]
    if len(set(lists)) != len(lists):
        raise InputError("repeated list column names", path=where)
    if len(lists) < 1:
        raise InputError("no list columns before 'count'", path=where)
    pats: list[list[int]] = []
    cnts: list[int] = []
    labels: list[str] = []
    for row_no, row in _rows(path):
        read = _capture_row(row, row_no, lists, strata, where, problems)
        if read is not None and read[1] > 0:
            pats.append(read[0])
            cnts.append(read[1])
            labels.append(read[2])
    if problems:
        raise InputErrors(problems)
    if not cnts:
        raise InputError("no person recorded by any list", path=where)
    return CaptureHistories(
        lists=tuple(lists),
        patterns=np.asarray(pats, dtype=np.uint8).reshape(len(pats), len(lists)),
        counts=np.asarray(cnts, dtype=np.int64),
        strata=np.asarray(labels, dtype=np.str_) if strata is not None else None,
        stratum_column=strata,
        sources=(where,),
    )


def read_clusters(
    path: str | Path,
    *,
    strata: str | None = None,
    strata_file: str | Path | None = None,
    lists: Sequence[str] | None = None,
) -> CaptureHistories:
    """Capture histories from a linkage ``clusters.csv`` (``list,record_id,person_id``).

    ``lists`` fixes the list order (and admits lists with no record); by default lists are
    in order of first appearance. A duplicate (list, record_id) row is an error.
    """
    path = Path(path)
    return _from_cluster_rows(
        _rows(path), _header(path), str(path), strata=strata, strata_file=strata_file, lists=lists
    )


def histories_from_clusters(
    table: pa.Table,
    *,
    strata: str | None = None,
    lists: Sequence[str] | None = None,
    name: str = "clusters",
) -> CaptureHistories:
    """Capture histories from clusters in memory: an Arrow table with the columns of
    ``clusters.csv`` (values are read as text; ``strata`` names a column of it).

    Problems are reported as for a file, with ``name`` in place of its path; the result has
    no sources (the caller records what the table came from).
    """
    out = _from_cluster_rows(
        cluster_rows(table), table.column_names, name, strata=strata, strata_file=None, lists=lists
    )
    return replace(out, sources=())


def cluster_rows(table: pa.Table) -> Iterator[tuple[int, dict[str, str]]]:
    """(1-based row number, {column: text}) for each row of ``table`` (null as empty)."""
    names = table.column_names
    row_no = 0
    for batch in table.to_batches():
        columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
        for values in zip(*columns, strict=True):
            row_no += 1
            yield (
                row_no,
                {n: "" if v is None else str(v) for n, v in zip(names, values, strict=True)},
            )


def _check_cluster_header(
    header: Sequence[str], where: str, strata: str | None, strata_file: str | Path | None
) -> None:
    missing = [c for c in CLUSTER_COLUMNS if c not in header]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", path=where, field=missing[0])
    if strata is not None and strata_file is None and strata not in header:
        raise InputError(f"no stratum column {strata!r}", path=where, field=strata)


def _person_labels(
    strata: str,
    strata_file: str | Path | None,
    where: str,
    person_lists: dict[str, set[str]],
    person_labels: dict[str, Counter[str]],
    record_person: dict[tuple[str, str], str],
    notes: list[str],
    sources: list[str],
) -> dict[str, str]:
    """Each person's stratum: from a file by person, from a file by record, or from the
    clusters' own column (the stratum of most of a person's records; ``notes`` says how many
    persons that decided). The files read are added to ``sources``."""
    if strata_file is not None and "person_id" in _header(Path(strata_file)):
        sources.append(str(strata_file))
        return _person_strata(Path(strata_file), strata, person_lists)
    if strata_file is not None:
        person_labels = _labels_from_records(Path(strata_file), strata, record_person)
        where = str(strata_file)
        sources.append(where)
    labels, conflicts = _record_strata(person_labels, person_lists, where, strata)
    if conflicts:
        notes.append(
            f"{conflicts} person(s) had records in different {strata!r} strata; "
            "each was placed in the stratum of most of their records"
        )
    return labels


def _from_cluster_rows(
    rows: Iterable[tuple[int, dict[str, str]]],
    header: Sequence[str],
    where: str,
    *,
    strata: str | None,
    strata_file: str | Path | None,
    lists: Sequence[str] | None,
) -> CaptureHistories:
    _check_cluster_header(header, where, strata, strata_file)
    problems: list[InputProblem] = []
    seen: dict[tuple[str, str], int] = {}
    person_lists: dict[str, set[str]] = defaultdict(set)
    person_labels: dict[str, Counter[str]] = defaultdict(Counter)
    record_person: dict[tuple[str, str], str] = {}
    order: list[str] = list(lists) if lists is not None else []
    for row_no, row in rows:
        values = {c: (row.get(c) or "").strip() for c in CLUSTER_COLUMNS}
        empty = [c for c, v in values.items() if not v]
        for c in empty:
            problems.append(InputProblem("empty value", where, row_no, c))
        if empty:
            continue
        key = (values["list"], values["record_id"])
        if key in seen:
            problems.append(
                InputProblem(
                    f"record {key[1]!r} of list {key[0]!r} repeats row {seen[key]}",
                    where,
                    row_no,
                    "record_id",
                )
            )
            continue
        seen[key] = row_no
        record_person[key] = values["person_id"]
        if values["list"] not in order:
            if lists is not None:
                problems.append(
                    InputProblem(f"unknown list {values['list']!r}", where, row_no, "list")
                )
                continue
            order.append(values["list"])
        person_lists[values["person_id"]].add(values["list"])
        if strata is not None and strata_file is None:
            label = (row.get(strata) or "").strip()
            if label:
                person_labels[values["person_id"]][label] += 1
    if problems:
        raise InputErrors(problems)
    if not person_lists:
        raise InputError("no records", path=where)
    notes: list[str] = []
    sources = [where]
    labels: dict[str, str] | None = None
    if strata is not None:
        labels = _person_labels(
            strata, strata_file, where, person_lists, person_labels, record_person, notes, sources
        )
    index = {name: i for i, name in enumerate(order)}
    tally: Counter[tuple[tuple[int, ...], str]] = Counter()
    for person, on in person_lists.items():
        pattern = [0] * len(order)
        for name in on:
            pattern[index[name]] = 1
        tally[(tuple(pattern), labels[person] if labels is not None else "")] += 1
    keys = sorted(tally)
    return CaptureHistories(
        lists=tuple(order),
        patterns=np.asarray([k[0] for k in keys], dtype=np.uint8),
        counts=np.asarray([tally[k] for k in keys], dtype=np.int64),
        strata=np.asarray([k[1] for k in keys], dtype=np.str_) if labels is not None else None,
        stratum_column=strata,
        sources=tuple(sources),
        notes=tuple(notes),
    )


def _labels_from_records(
    path: Path, column: str, record_person: dict[tuple[str, str], str]
) -> dict[str, Counter[str]]:
    """Stratum values of records (``list,record_id,<column>``) tallied per linked person."""
    where = str(path)
    header = _header(path)
    for needed in ("list", "record_id", column):
        if needed not in header:
            raise InputError(
                f"no {needed!r} column (an attribute file has person_id, or list and record_id)",
                path=where,
                field=needed,
            )
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for _, row in _rows(path):
        key = ((row.get("list") or "").strip(), (row.get("record_id") or "").strip())
        label = (row.get(column) or "").strip()
        person = record_person.get(key)
        if person is not None and label:
            out[person][label] += 1
    return out


def _record_strata(
    person_labels: dict[str, Counter[str]],
    person_lists: dict[str, set[str]],
    where: str,
    column: str,
) -> tuple[dict[str, str], int]:
    labels: dict[str, str] = {}
    conflicts = 0
    unlabelled = [p for p in person_lists if not person_labels.get(p)]
    if unlabelled:
        raise InputError(
            f"{len(unlabelled)} person(s) have no {column!r} value on any record "
            f"(e.g. person_id {sorted(unlabelled)[0]!r})",
            path=where,
            field=column,
        )
    for person, counter in person_labels.items():
        ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
        labels[person] = ranked[0][0]
        conflicts += len(counter) > 1
    return labels, conflicts


def _person_strata(path: Path, column: str, person_lists: dict[str, set[str]]) -> dict[str, str]:
    where = str(path)
    header = _header(path)
    for needed in ("person_id", column):
        if needed not in header:
            raise InputError(f"no {needed!r} column", path=where, field=needed)
    problems: list[InputProblem] = []
    labels: dict[str, str] = {}
    for row_no, row in _rows(path):
        person = (row.get("person_id") or "").strip()
        label = (row.get(column) or "").strip()
        if not person:
            problems.append(InputProblem("empty value", where, row_no, "person_id"))
        elif not label:
            problems.append(InputProblem("empty stratum", where, row_no, column))
        elif person in labels and labels[person] != label:
            problems.append(
                InputProblem(f"person {person!r} given two strata", where, row_no, column)
            )
        else:
            labels[person] = label
    missing = sorted(p for p in person_lists if p not in labels)
    if missing:
        problems.append(
            InputProblem(
                f"{len(missing)} linked person(s) have no row (e.g. {missing[0]!r})",
                where,
                None,
                "person_id",
            )
        )
    if problems:
        raise InputErrors(problems)
    return labels


def _header(path: Path) -> list[str]:
    if not path.is_file():
        raise InputError("no such file", path=str(path))
    with path.open(newline="", encoding="utf-8-sig") as fh:
        first = next(csv.reader(fh), None)
    if not first:
        raise InputError("empty file (no header)", path=str(path))
    return [c.strip() for c in first]


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        reader.fieldnames = [c.strip() for c in reader.fieldnames or []]
        yield from enumerate(reader, start=1)
