"""Reading capture histories from capture-history CSVs and linkage clusters.csv."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inquest.errors import InputError, InputErrors
from inquest.estimate.histories import read_capture_csv, read_clusters, read_histories

DATA = Path(__file__).parent / "data"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_reference_table() -> None:
    h = read_histories(DATA / "kosovo_4list.csv")
    assert h.lists == ("EXH", "ABA", "OSCE", "HRW")
    assert h.n_observed == 4400
    assert h.strata is None
    assert h.list_sizes()["EXH"] == 27 + 181 + 18 + 177 + 42 + 228 + 106 + 1131


def test_capture_csv_errors_name_row_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.csv", "A,B,C,count\n1,0,0,5\n1,2,0,3\n0,0,0,4\n1,1,0,x\n")
    with pytest.raises(InputErrors) as info:
        read_capture_csv(path)
    text = str(info.value)
    assert "row 2, field 'B'" in text
    assert "row 3" in text and "all-zero" in text
    assert "row 4, field 'count'" in text
    assert len(info.value) == 3


def test_capture_csv_with_strata_and_repeated_patterns(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "s.csv",
        "A,B,C,prison,count\n1,0,0,Evin,5\n1,0,0,Evin,2\n0,1,1,Gohardasht,4\n1,0,0,Gohardasht,1\n",
    )
    h = read_capture_csv(path, strata="prison")
    assert h.lists == ("A", "B", "C")
    parts = h.by_stratum()
    assert set(parts) == {"Evin", "Gohardasht"}
    assert parts["Evin"].n_observed == 7 and parts["Evin"].patterns.shape[0] == 1
    assert h.collapsed().n_observed == 12
    with pytest.raises(InputError, match="no stratum column"):
        read_capture_csv(path, strata="province")


def test_clusters_give_one_pattern_per_person(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "clusters.csv",
        "list,record_id,person_id,confidence,prison\n"
        "L1,r1,p1,0.99,Evin\nL2,r9,p1,0.95,Evin\nL3,r4,p2,1.0,Evin\n"
        "L1,r2,p3,0.9,Gohardasht\nL1,r3,p3,0.9,Gohardasht\nL3,r5,p3,0.9,Evin\n",
    )
    h = read_histories(path)
    assert h.lists == ("L1", "L2", "L3")
    rows = {tuple(p): int(c) for p, c in zip(h.patterns.tolist(), h.counts, strict=True)}
    assert rows == {(1, 1, 0): 1, (0, 0, 1): 1, (1, 0, 1): 1}
    s = read_histories(path, strata="prison")
    assert {k: v.n_observed for k, v in s.by_stratum().items()} == {"Evin": 2, "Gohardasht": 1}
    assert any("different 'prison' strata" in n for n in s.notes)


def test_clusters_with_person_attribute_file(tmp_path: Path) -> None:
    clusters = _write(tmp_path, "c.csv", "list,record_id,person_id\nA,1,p1\nB,2,p1\nC,3,p2\n")
    people = _write(tmp_path, "people.csv", "person_id,province\np1,Tehran\n")
    with pytest.raises(InputErrors, match="no row"):
        read_histories(clusters, strata="province", strata_file=people)
    people.write_text("person_id,province\np1,Tehran\np2,Alborz\n", encoding="utf-8")
    h = read_histories(clusters, strata="province", strata_file=people)
    assert set(h.by_stratum()) == {"Tehran", "Alborz"}
    assert str(people) in h.sources


def test_clusters_duplicate_record_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "c.csv", "list,record_id,person_id\nA,1,p1\nA,1,p2\nB,,p3\n")
    with pytest.raises(InputErrors) as info:
        read_clusters(path)
    text = str(info.value)
    assert "row 2, field 'record_id'" in text and "repeats row 1" in text
    assert "row 3, field 'record_id'" in text


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_histories(tmp_path / "nope.csv")


records = st.lists(
    st.tuples(st.sampled_from(["A", "B", "C", "D"]), st.integers(0, 30)), min_size=1, max_size=60
)


@settings(max_examples=40, deadline=None)
@given(records)
def test_cluster_histories_count_persons_and_memberships(tmp_path_factory, recs) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("c") / "clusters.csv"
    lines = ["list,record_id,person_id"]
    lines += [f"{lst},{i},p{person}" for i, (lst, person) in enumerate(recs)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    h = read_clusters(path)
    persons = {p for _, p in recs}
    memberships = {(lst, p) for lst, p in recs}
    assert h.n_observed == len(persons)
    assert sum(h.list_sizes().values()) == len(memberships)
    assert (h.patterns.sum(axis=1) > 0).all()
    assert np.unique(h.patterns, axis=0).shape[0] == h.patterns.shape[0]


def test_clusters_with_record_attribute_file(tmp_path: Path) -> None:
    """Strata from the lists' own fields: (list, record_id, prison), mode per person."""
    clusters = _write(
        tmp_path,
        "c.csv",
        "list,record_id,person_id\nA,1,p1\nB,2,p1\nC,3,p1\nA,4,p2\nC,5,p3\n",
    )
    records = _write(
        tmp_path,
        "records.csv",
        "list,record_id,prison\nA,1,Evin\nB,2,Evin\nC,3,Gohardasht\nA,4,Gohardasht\n"
        "C,5,Evin\nZ,9,Evin\n",
    )
    h = read_histories(clusters, strata="prison", strata_file=records)
    assert {k: v.n_observed for k, v in h.by_stratum().items()} == {"Evin": 2, "Gohardasht": 1}
    assert any("different 'prison' strata" in n for n in h.notes)
    records.write_text("list,record_id,prison\nA,1,Evin\n", encoding="utf-8")
    with pytest.raises(InputError, match="no 'prison' value"):
        read_histories(clusters, strata="prison", strata_file=records)
