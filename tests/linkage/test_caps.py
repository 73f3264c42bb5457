"""Tests for inquest.linkage.caps: oversize blocks stop pairing on their key alone."""

from __future__ import annotations

import dataclasses

import duckdb
import pyarrow as pa

from inquest.linkage.caps import cap_blocks, equality_keys
from inquest.linkage.settings import LinkageModel, load_model


def test_equality_keys_of_rules() -> None:
    assert equality_keys("l.a = r.a AND l.b = r.b") == ("a", "b")
    assert equality_keys("l.b = r.b and l.lo = l.hi") == ("b",)
    assert equality_keys("l.a = r.a OR l.b = r.b") == ()
    assert equality_keys("l.a = r.b") == ()
    assert equality_keys("abs(l.x - r.x) < 3") == ()


def _records(names: list[str]) -> pa.Table:
    n = len(names)
    return pa.table(
        {
            "unique_id": pa.array(range(n), pa.int64()),
            "skel_sorted": pa.array(names, pa.string()),
            "birth_year": pa.array([1960 + i % 3 for i in range(n)], pa.int64()),
        }
    )


def _pairs(table: pa.Table, rule: str) -> set[tuple[int, int]]:
    con = duckdb.connect()
    con.register("t", table)
    sql = (
        f"SELECT l.unique_id, r.unique_id FROM t l JOIN t r ON {rule} AND l.unique_id < r.unique_id"
    )
    return {(int(a), int(b)) for a, b in con.execute(sql).fetchall()}


def test_big_block_is_cut_small_blocks_kept() -> None:
    # 12 records named "common", 3 named "rare", one with no name.
    names = ["common"] * 12 + ["rare"] * 3 + [None]
    base = load_model()
    model = dataclasses.replace(
        base,
        blocking=("l.skel_sorted = r.skel_sorted", "l.birth_year = r.birth_year"),
        training=dataclasses.replace(
            base.training,
            em_blocking=("l.skel_sorted = r.skel_sorted", "l.lo = l.hi"),
        ),
    )
    caps = cap_blocks(_records(names), model, max_block=5)
    assert caps.records_over_cap == {"skel_sorted": 12, "birth_year": 6}
    by_name = _pairs(caps.table, caps.model.blocking[0])
    assert by_name == {(12, 13), (12, 14), (13, 14)}
    # the uncapped rule alone would pair every "common" record
    assert len(_pairs(caps.table, model.blocking[0])) == 66 + 3
    # EM rules are capped the same way; deterministic rules (counted, not compared) are not
    assert caps.model.training.deterministic_rules == model.training.deterministic_rules
    assert caps.model.training.em_blocking == (caps.model.blocking[0], "l.lo = l.hi")


def test_no_block_over_the_cap_changes_nothing() -> None:
    model = load_model()
    records = _records(["a", "b", "a", "c"])
    caps = cap_blocks(records.append_column("dummy", pa.array([1, 2, 3, 4])), model, 500)
    assert caps.model == model
    assert caps.records_over_cap == {}


def test_pairs_budget_drops_the_largest_blocks_first() -> None:
    # Blocks of 10, 4 and 2 records (45 + 6 + 1 pairs), none over max_block. A budget of one
    # pair per record (16) keeps the blocks of 4 and 2 (7 pairs) and drops the block of 10.
    names = ["a"] * 10 + ["b"] * 4 + ["c"] * 2
    base = load_model()
    model = dataclasses.replace(
        base,
        blocking=("l.skel_sorted = r.skel_sorted",),
        training=dataclasses.replace(base.training, em_blocking=()),
    )
    table = _records(names)
    caps = cap_blocks(table, model, max_block=12, pairs_per_record=1.0)
    assert caps.records_over_cap == {"skel_sorted": 10}
    assert caps.caps == {"skel_sorted": 4}
    assert len(_pairs(caps.table, caps.model.blocking[0])) == 7
    # a budget that holds every block leaves the rule alone
    roomy = cap_blocks(table, model, max_block=12, pairs_per_record=10.0)
    assert roomy.records_over_cap == {} and roomy.model == model


def test_pairs_counts_each_rules_candidates_within_its_cap() -> None:
    names = ["a"] * 10 + ["b"] * 4 + ["c"] * 2
    base = load_model()
    model = dataclasses.replace(
        base,
        blocking=("l.skel_sorted = r.skel_sorted", "l.birth_year = r.birth_year"),
        training=dataclasses.replace(base.training, em_blocking=()),
    )
    table = _records(names)
    caps = cap_blocks(table, model, max_block=12, pairs_per_record=1.0)
    by_name, by_year = caps.model.blocking
    # the block of 10 is over the cap: 6 + 1 pairs remain, as the capped rule finds
    assert caps.pairs[by_name] == 7 == len(_pairs(caps.table, by_name))
    # birth years 1960, 1961, 1962 hold 6, 5 and 5 records: 15 + 10 + 10 pairs, over 16
    assert caps.pairs[by_year] == len(_pairs(caps.table, by_year))


def test_join_terms_of_rules_across_columns() -> None:
    from inquest.linkage.caps import join_terms

    assert join_terms("l.g = r.g AND l.f = r.f_del1") == (("f", "f_del1"), ("g", "g"))
    assert join_terms("l.a = r.a AND l.b = r.b") == ()  # same columns: blocks, not partners
    assert join_terms("l.a = r.b OR l.b = r.a") == ()


def _one_rule(rule: str) -> LinkageModel:
    """The packaged model with ``rule`` its only blocking rule (and no EM block to cap)."""
    base = load_model()
    return dataclasses.replace(
        base,
        blocking=(rule,),
        training=dataclasses.replace(base.training, em_blocking=("l.lo = l.hi",)),
        across_lists=(),
        pairs_per_record=(),
    )


def test_a_rule_across_columns_is_capped_by_partners() -> None:
    # "l.full = r.short": record i is paired with every record whose short value is i's full
    # value. "x" is the short value of 10 records; "y" of 2.
    full = ["x"] * 3 + ["y"] + [None] * 12
    short = [None] * 4 + ["x"] * 10 + ["y"] * 2
    table = pa.table(
        {
            "unique_id": pa.array(range(16), pa.int64()),
            "full": pa.array(full, pa.string()),
            "short": pa.array(short, pa.string()),
        }
    )
    rule = "l.full = r.short"
    model = _one_rule(rule)
    partners = cap_blocks(table, model, max_block=12).table.column("partners_full_short")
    assert partners.to_pylist() == [10, 10, 10, 2] + [0] * 12
    # three records with 10 partners each pass a budget of one pair per record (16)
    caps = cap_blocks(table, model, max_block=12, pairs_per_record=1.0)
    assert caps.records_over_cap == {"partners_full_short": 3}
    assert _pairs(caps.table, caps.model.blocking[0]) == {(3, 14), (3, 15)}
    assert len(_pairs(caps.table, rule)) == 32
    assert caps.pairs == {caps.model.blocking[0]: 2}


def test_a_rule_with_its_own_budget_is_capped_harder() -> None:
    # Blocks of 10, 4 and 2 records (45 + 6 + 1 pairs): the default budget (25 per record)
    # keeps all three; a rule's own budget of one pair per record keeps the two small ones.
    names = ["a"] * 10 + ["b"] * 4 + ["c"] * 2
    rule = "l.skel_sorted = r.skel_sorted"
    plain = _one_rule(rule)
    assert cap_blocks(_records(names), plain, max_block=12).records_over_cap == {}
    own = dataclasses.replace(plain, pairs_per_record=((rule, 1.0),))
    caps = cap_blocks(_records(names), own, max_block=12)
    assert caps.records_over_cap == {"skel_sorted": 10}
    assert len(_pairs(caps.table, caps.model.blocking[0])) == 7
