"""Tests for inquest.linkage.prepare on synthetic records (no real persons)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from inquest.io import standard_schema
from inquest.linkage.prepare import PREPARED_SCHEMA, prepare


def records(rows: list[dict[str, str | None]]) -> pa.Table:
    cols: dict[str, list[str | None]] = {c: [] for c in ("list", *standard_schema().names)}
    for r in rows:
        for c in cols:
            cols[c].append(r.get(c))
    t = pa.table({c: pa.array(v, pa.string()) for c, v in cols.items()})
    return t.append_column("row", pa.array(range(1, len(rows) + 1), pa.int64()))


def days(y: int, m: int, d: int) -> int:
    return (dt.date(y, m, d) - dt.date(1970, 1, 1)).days


def test_cross_script_and_order_free_keys() -> None:
    t = prepare(
        records(
            [
                {"list": "a", "record_id": "1", "full_name": "رضایی محمد", "sex": "مرد"},
                {"list": "b", "record_id": "1", "given_name": "Mohammad", "family_name": "Rezaei"},
                {"list": "b", "record_id": "2", "full_name": "Seyed Mohammad Rezaei", "sex": "M"},
            ]
        )
    )
    assert t.schema == PREPARED_SCHEMA
    rows = t.to_pylist()
    assert rows[0]["skel_sorted"] == rows[1]["skel_sorted"] == rows[2]["skel_sorted"]
    assert rows[2]["name_key"] == "mohammad rezaei"  # the title is dropped
    assert [r["sex"] for r in rows] == ["m", None, "m"]
    assert t.column("unique_id").to_pylist() == [0, 1, 2]


def test_birth_interval_from_age_at_death() -> None:
    t = prepare(
        records(
            [
                {"list": "a", "record_id": "1", "death_date": "1988-08-01", "age": "25"},
                {"list": "a", "record_id": "2", "birth_date": "1367/5/10"},
                {"list": "a", "record_id": "3"},
            ]
        )
    )
    r = t.to_pylist()
    # 25 at death on 1988-08-01: born 1962-08-02 .. 1963-08-01 (to within a day)
    assert abs(r[0]["birth_lo"] - days(1962, 8, 2)) <= 1
    assert abs(r[0]["birth_hi"] - days(1963, 8, 1)) <= 1
    assert r[1]["birth_lo"] == r[1]["birth_hi"] == days(1988, 8, 1)
    assert r[1]["birth_year"] == 1988
    assert r[2]["birth_lo"] is None and r[2]["death_lo"] is None


def test_unknown_places_are_missing_and_unresolved_places_match_across_scripts() -> None:
    t = prepare(
        records(
            [
                {"list": "a", "record_id": "1", "burial_place": "نامعلوم"},
                {"list": "b", "record_id": "1", "burial_place": "Unknown"},
                {"list": "b", "record_id": "2", "burial_place": "?"},
            ]
        )
    )
    r = t.to_pylist()
    assert [x["burial_id"] for x in r] == [None, None, None]
    # an invented town outside the gazetteer: the Persian and Latin spellings share a
    # skeleton id, a different town does not
    single = prepare(
        records(
            [
                {"list": "a", "record_id": "1", "residence": "کاروک"},
                {"list": "b", "record_id": "1", "residence": "Karuk"},
                {"list": "b", "record_id": "2", "residence": "Barak"},
            ]
        )
    ).to_pylist()
    assert single[0]["residence_id"] == single[1]["residence_id"]
    assert single[0]["residence_id"].startswith("txt:")
    assert single[2]["residence_id"] != single[0]["residence_id"]


def test_full_names_split_by_comma_or_by_lexicon_order() -> None:
    t = prepare(
        records(
            [
                {"list": "a", "record_id": "1", "full_name": "Karimi, Hosein"},
                {"list": "a", "record_id": "2", "full_name": "کریمی حسین"},
                {"list": "b", "record_id": "1", "given_name": "حسین", "family_name": "کریمی"},
                {"list": "b", "record_id": "2", "full_name": "Hosein Karimi"},
                {"list": "b", "record_id": "3", "full_name": "Gholam Hosein Karimi"},
                {"list": "b", "record_id": "4", "given_name": "غلام‌حسین", "family_name": "کریمی"},
            ]
        )
    ).to_pylist()
    assert len({(r["given_skel"], r["family_skel"]) for r in t[:4]}) == 1
    assert t[0]["given_skel"] == "HSN" and t[0]["family_skel"] == "KRM"
    # word breaks inside a part do not matter; the two-letter ends serve blocking, in the
    # coarse classes (q and gh fall together with g)
    assert t[4]["given_skel"] == t[5]["given_skel"] == "QLMHSN"
    assert (t[4]["given_p2"], t[4]["given_s2"]) == ("GL", "SN")


def test_a_list_written_family_first_turns_names_the_lexicon_cannot_tell() -> None:
    # 20 names the lexicon reads family first, then a garbled one it cannot read ("سعود"
    # for مسعود, a family name of a constructed kind); the NGO list's lone unknown stays.
    rows = [{"list": "prison", "full_name": "کریمی حسین"} for _ in range(20)]
    rows.append({"list": "prison", "full_name": "رضانژاد سعود"})
    rows.append({"list": "ngo", "full_name": "Saud Rezanejad"})
    rows += [{"list": "few", "full_name": n} for n in ("کریمی حسین", "رضانژاد سعود")]
    t = prepare(records([{**r, "record_id": str(i)} for i, r in enumerate(rows)])).to_pylist()
    assert (t[0]["given_skel"], t[0]["family_skel"]) == ("HSN", "KRM")
    assert (t[20]["given_skel"], t[20]["family_skel"]) == ("SD", "RZNZD")
    assert (t[21]["given_skel"], t[21]["family_skel"]) == ("SD", "RZNJD")
    # two names are too few to tell how a list writes them: the unknown one is kept as given
    assert (t[23]["given_skel"], t[23]["family_skel"]) == ("RZNZD", "SD")


def test_keys_one_consonant_apart_for_blocking() -> None:
    t = prepare(
        records(
            [
                {"list": "a", "record_id": "1", "given_name": "Ali", "family_name": "Taheri"},
                {"list": "b", "record_id": "1", "full_name": "Chakeri, Ali"},
            ]
        )
    ).to_pylist()
    assert t[0]["family_skel"] == "THR"
    assert (t[0]["family_del1"], t[0]["family_del2"], t[0]["family_dell"]) == ("HR", "TR", "TH")
    # French "ch" for ش: the coarse skeleton is the English spelling's
    assert t[1]["family_skel"] == "CKR" and t[1]["family_coarse"] == "$KR"
    assert t[1]["given_del1"] is None  # "L" without its one consonant: nothing left


def test_one_word_names_keep_a_lone_skeleton() -> None:
    t = prepare(
        records(
            [
                {"list": "a", "record_id": "1", "full_name": "Chitty"},
                {"list": "a", "record_id": "2", "full_name": "Thomas Chitty"},
                {"list": "b", "record_id": "1", "given_name": "حسن"},
            ]
        )
    ).to_pylist()
    assert t[0]["lone_skel"] == t[1]["family_skel"] == "CT"
    assert t[1]["lone_skel"] is None
    assert t[2]["lone_skel"] == t[2]["given_skel"] == "HSN"


def test_prisons_and_cemeteries_carry_the_province_they_lie_in() -> None:
    t = prepare(
        records(
            [
                {
                    "list": "a",
                    "record_id": "1",
                    "prison": "Lakan",
                    "burial_place": "Rasht cemetery",
                },
                {
                    "list": "b",
                    "record_id": "1",
                    "prison": "زندان لاکان",
                    "burial_place": "گورستان رشت",
                },
                {"list": "b", "record_id": "2", "prison": "Dastgerd", "burial_place": "Khavaran"},
                {"list": "b", "record_id": "3", "burial_place": "Some yard"},
            ]
        )
    ).to_pylist()
    # a site of the gazetteer in either script; "Dastgerd" in a prison column is the prison
    assert t[0]["prison_id"] == t[1]["prison_id"] == "gz:prison:lakan"
    assert t[2]["prison_id"] == "gz:prison:dastgerd"
    assert [x["prison_province"] for x in t[:3]] == ["gilan", "gilan", "isfahan"]
    # a cemetery outside the gazetteer: one id in both scripts, the province of its city
    assert t[0]["burial_id"] == t[1]["burial_id"] and t[0]["burial_id"].startswith("txt:")
    assert t[0]["burial_province"] == t[1]["burial_province"] == "gilan"
    assert t[2]["burial_province"] == "tehran"  # Khavaran
    # no kind word and no site: no province is guessed
    assert t[3]["burial_province"] is None


def test_forked_workers_give_the_same_table_as_one_process() -> None:
    from pathlib import Path

    from inquest.io import read_list

    data = read_list(Path(__file__).parent / "data" / "fake_1000_part.csv")
    one = prepare(data, workers=1)
    # small batches: several batches, each with columns above and below the parallel minimum
    two = prepare(data, workers=2, batch_size=400)
    assert two.num_rows == one.num_rows == data.num_rows
    assert two.equals(one)


def test_a_father_written_in_the_full_name_is_the_father_not_part_of_the_name() -> None:
    t = prepare(
        records(
            [
                {"list": "a", "record_id": "1", "full_name": "نسرین یگانه ولد غلامعلی"},
                {"list": "b", "record_id": "1", "full_name": "Yegane, Nasrin fille de Gholamali"},
                {"list": "c", "record_id": "1", "given_name": "Nasrin", "family_name": "Yegane"},
                {
                    "list": "c",
                    "record_id": "2",
                    "full_name": "Nasrin Yegane s/o Ali",
                    "father_name": "Gholamali",
                },
            ]
        )
    )
    rows = t.to_pylist()
    assert len({r["skel_sorted"] for r in rows}) == 1
    assert rows[0]["father_skel"] == rows[1]["father_skel"] == rows[3]["father_skel"]
    assert rows[2]["father_skel"] is None
    # the father's column wins over a father written in the name
    assert rows[3]["father_key"] == "gholamali"


def test_names_sharing_a_skeleton_are_told_apart_by_the_lexicon() -> None:
    rows = prepare(
        records(
            [
                {"list": "a", "record_id": "1", "full_name": "حسن کریمی"},
                {"list": "b", "record_id": "1", "given_name": "Hossein", "family_name": "Karimi"},
                {"list": "b", "record_id": "2", "given_name": "Hassan", "family_name": "Karimi"},
                {"list": "b", "record_id": "3", "given_name": "Hosain", "family_name": "Karimi"},
                {"list": "c", "record_id": "1", "full_name": "حسین کریمی"},
                {"list": "c", "record_id": "2", "full_name": "Mahmoud Karimi"},
                {"list": "c", "record_id": "3", "full_name": "Mohammad Karimi"},
            ]
        )
    ).to_pylist()
    hassan_fa, hossein, hassan, hosain, hossein_fa, mahmoud, mohammad = rows
    # blocking keeps the consonants, so all of them still meet...
    assert len({r["skel_sorted"] for r in (hassan_fa, hossein, hassan, hosain, hossein_fa)}) == 1
    assert mahmoud["skel_sorted"] == mohammad["skel_sorted"]
    # ...but the lexicon tells Hassan from Hossein, and Mahmoud from Mohammad, in any script
    assert hassan_fa["skel_lex"] == hassan["skel_lex"] != hossein["skel_lex"]
    assert hossein["skel_lex"] == hossein_fa["skel_lex"]
    assert mahmoud["skel_lex"] != mohammad["skel_lex"]
    # a spelling the lexicon does not know leaves the name open
    assert "#?" in hosain["skel_lex"]
    assert not any("#?" in r["skel_lex"] for r in (hassan, hossein, mahmoud))


# invented English-looking towns, none of them in Iran's gazetteer
_TOWNS = [
    f"{a}{b}"
    for a in ("Ash", "Brook", "Elm", "Fair", "Oak", "Wind", "Stan", "Hart")
    for b in ("ford", "bury", "ton", "ley", "field", "wick", "mouth", "stead", "ham", "worth")
]


def test_a_lists_places_outside_the_gazetteer_are_compared_as_written() -> None:
    from inquest.linkage.prepare import gazetteer_scope

    rows: list[dict[str, str | None]] = [
        {"list": "register", "record_id": str(i), "birth_place": town}
        for i, town in enumerate(_TOWNS)
    ]
    # a list of Iranian places: a few cities of the gazetteer among villages it lacks
    cities = ["تهران", "تبریز", "رشت", "کرمان", "شیراز", "اصفهان", "مشهد", "همدان"]
    villages = [f"{a}{b}" for a in ("کاروک", "باراک", "دهنو", "قلعه") for b in "ابپتثجچحخد"]
    rows += [
        {"list": "families", "record_id": str(i), "birth_place": place}
        for i, place in enumerate(cities + villages)
    ]
    table = records(rows)
    scope = gazetteer_scope(table)
    assert [(o.list, o.column) for o in scope] == [("register", "birth_place")]
    assert scope[0].sampled == 60 and scope[0].resolved < 3
    assert "register: birth_place compared as written" in scope[0].describe()

    gated = prepare(table, outside=scope).to_pylist()
    looked_up = prepare(table, outside=()).to_pylist()
    assert prepare(table).to_pylist() == gated  # the default decides the same
    # the register's towns: the text id a failed look-up gives, without looking up
    for ours, full in zip(gated[: len(_TOWNS)], looked_up, strict=False):
        assert ours["birth_place_id"].startswith("txt:")
        if full["birth_place_id"].startswith("txt:"):
            assert ours["birth_place_id"] == full["birth_place_id"]
    # the other list in the same batch is still looked up
    families = gated[len(_TOWNS) :]
    assert families[0]["birth_place_id"].startswith("gz:")
    assert families == looked_up[len(_TOWNS) :]


def test_a_column_with_few_values_is_looked_up_whole() -> None:
    from inquest.linkage.prepare import gazetteer_scope

    table = records(
        [{"list": "register", "record_id": str(i), "residence": t} for i, t in enumerate(_TOWNS)]
        + [{"list": "register", "record_id": "x", "birth_place": "Tehran"}]
    )
    assert [o.column for o in gazetteer_scope(table)] == ["residence"]
    assert prepare(table).column("birth_place_id").to_pylist()[-1].startswith("gz:")
