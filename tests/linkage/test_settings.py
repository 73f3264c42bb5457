"""Tests for inquest.linkage.settings: the model as data, validated, built for two engines."""

from __future__ import annotations

import pytest

from inquest.errors import ConfigError
from inquest.linkage.settings import (
    default_model_path,
    for_lists,
    load_model,
    parse_model,
    splink_settings,
)


def test_packaged_model_builds_for_duckdb_and_spark() -> None:
    model = load_model()
    creator = splink_settings(model)
    duck = creator.get_settings("duckdb")
    spark = creator.get_settings("spark")
    assert [c.output_column_name for c in duck.comparisons] == [
        c["name"] for c in model.comparisons
    ]
    name = spark.comparisons[0]
    assert any("jaro_winkler(" in lv.sql_condition for lv in name.comparison_levels)


def test_errors_name_the_key() -> None:
    text = default_model_path().read_text("utf-8").replace("kind: else", "kind: elsewhere", 1)
    with pytest.raises(ConfigError, match=r"comparisons\[0\]\.levels\[\d+\]\.kind"):
        parse_model(text)
    text = (
        default_model_path()
        .read_text("utf-8")
        .replace("link_threshold: 0.1", "link_threshold: 2.0")
    )
    with pytest.raises(ConfigError, match=r"clustering\.link_threshold"):
        parse_model(text)


def test_same_list_rule_is_read_and_checked() -> None:
    text = default_model_path().read_text("utf-8")
    assert load_model().clustering.same_list_min_probability == 0.5
    without = text.replace("same_list_min_probability: 0.5", "")
    assert parse_model(without).clustering.same_list_min_probability == 0.0
    bad = text.replace("same_list_min_probability: 0.5", "same_list_min_probability: 1.5")
    with pytest.raises(ConfigError, match=r"clustering\.same_list_min_probability"):
        parse_model(bad)


def test_missing_level_as_sql_and_tf_floor() -> None:
    model = load_model()
    cross = next(c for c in model.comparisons if c["name"] == "birth_place_vs_residence")
    assert cross["levels"][0]["kind"] == "missing" and "sql" in cross["levels"][0]
    built = splink_settings(model).get_settings("duckdb")
    comp = next(c for c in built.comparisons if c.output_column_name == "birth_place_vs_residence")
    assert comp.comparison_levels[0].is_null_level
    assert "birth_place_id_l IS NULL" in comp.comparison_levels[0].sql_condition
    # the term-frequency floor sits below the name level's u, so rare names gain weight
    name = built.comparisons[0]
    tf_levels = [lv for lv in name.comparison_levels if lv._tf_adjustment_column]
    assert tf_levels and all(lv._tf_minimum_u_value <= 1e-5 for lv in tf_levels)
    text = default_model_path().read_text("utf-8")
    bad = text.replace("- {kind: missing, columns: [prison_id]}", "- {kind: missing}", 1)
    with pytest.raises(ConfigError, match=r"columns or an sql condition"):
        parse_model(bad)


def test_rules_across_lists_apply_only_when_several_lists_are_linked() -> None:
    model = load_model()
    marked = [r for r, flag in zip(model.blocking, model.across_lists, strict=True) if flag]
    assert marked and all("residence_id" in r or "birth_place_id" in r for r in marked)
    one = for_lists(model, 1)
    assert one.blocking == model.blocking and one.across_lists == ()
    many = for_lists(model, 4)
    assert many.across_lists == ()
    for rule, before, flag in zip(many.blocking, model.blocking, model.across_lists, strict=True):
        assert rule == (f"{before} AND l.list <> r.list" if flag else before)
    assert for_lists(many, 4) == many
    text = default_model_path().read_text("utf-8")
    bad = text.replace("across_lists: true}", "across_lists: yes please}", 1)
    with pytest.raises(ConfigError, match=r"blocking\[\d+\]"):
        parse_model(bad)


def test_a_rule_may_set_its_own_pairs_budget() -> None:
    import dataclasses

    base = load_model()
    assert base.rule_budgets()  # the packaged model's typo rules set one
    text = default_model_path().read_text(encoding="utf-8")
    bad = text.replace("pairs_per_record: 3}", "pairs_per_record: -1}", 1)
    with pytest.raises(ConfigError, match="pairs_per_record"):
        parse_model(bad, "model.yaml")
    plain = dataclasses.replace(base, pairs_per_record=())
    assert plain.rule_budgets() == {}


def test_em_convergence_must_be_a_number() -> None:
    text = default_model_path().read_text(encoding="utf-8")
    bad = text.replace("em_convergence: 0.002", "em_convergence: fast", 1)
    with pytest.raises(ConfigError, match="em_convergence"):
        parse_model(bad, "model.yaml")


def test_training_beside_names_comparisons_and_is_a_flag() -> None:
    text = default_model_path().read_text(encoding="utf-8")
    model = parse_model(text, "model.yaml")
    assert model.training.u_sampled_beside == ("name",)
    assert model.training.em_sessions_in_parallel is True
    bad = text.replace("u_sampled_beside: [name]", "u_sampled_beside: [names]", 1)
    with pytest.raises(ConfigError, match=r"training\.u_sampled_beside.*'names'"):
        parse_model(bad, "model.yaml")
    bad = text.replace("em_sessions_in_parallel: true", "em_sessions_in_parallel: 2", 1)
    with pytest.raises(ConfigError, match=r"training\.em_sessions_in_parallel"):
        parse_model(bad, "model.yaml")
    plain = text.replace("u_sampled_beside: [name]\n", "").replace(
        "em_sessions_in_parallel: true\n", ""
    )
    absent = parse_model(plain, "model.yaml").training
    assert absent.u_sampled_beside == () and absent.em_sessions_in_parallel is False


def test_scored_columns_are_every_column_splink_reads_and_no_blocking_key() -> None:
    import re

    from inquest.linkage.prepare import PREPARED_COLUMNS

    model = load_model()
    available = [*PREPARED_COLUMNS, "block_n_skel_sorted", "partners_lone_skel_given_skel"]
    scored = model.scored_columns(available)
    assert scored == [c for c in available if c in scored]  # the table's order
    # named only inside SQL levels (prison against burial place)
    assert {"prison_province", "burial_province", "skel_sorted", "father_skel"} <= set(scored)
    # blocking keys and caps are inquest's, not Splink's
    assert not {"given_p2", "family_del1", "block_n_skel_sorted"} & set(scored)
    built = splink_settings(model).get_settings("duckdb")
    sql = " ".join(lv.sql_condition for c in built.comparisons for lv in c.comparison_levels)
    sql += " ".join((*model.training.deterministic_rules, *model.training.em_blocking))
    read = {c for c in available for w in re.findall(r"\w+", sql) if w in (f"{c}_l", f"{c}_r")}
    read |= {c for c in available if re.search(rf"\b[lr]\.{c}\b", sql)}
    assert read and read <= set(scored)


def _name_level(left: dict[str, object], right: dict[str, object]) -> str:
    """The label of the first level of the packaged name comparison that the pair meets."""
    import duckdb

    from inquest.linkage.settings import _level

    model = load_model()
    name = next(c for c in model.comparisons if c["name"] == "name")
    row = {f"{k}_l": v for k, v in left.items()} | {f"{k}_r": v for k, v in right.items()}
    con = duckdb.connect()
    con.execute("CREATE TABLE p AS SELECT " + ", ".join(f"${k} AS {k}" for k in row), row)
    for level in name["levels"]:
        sql = _level(level).get_comparison_level("duckdb").sql_condition
        if con.execute(f"SELECT count(*) FROM p WHERE {sql}").fetchone() == (1,):
            return str(level.get("label", level["kind"]))
    raise AssertionError("no level holds")


def test_hassan_and_hossein_get_different_name_levels() -> None:
    import pyarrow as pa

    from inquest.io import standard_schema
    from inquest.linkage.prepare import prepare

    names = ["حسن کریمی", "Hassan Karimi", "Hossein Karimi", "Hosain Karimi"]
    cols = {c: pa.array([None] * len(names), pa.string()) for c in standard_schema().names}
    cols["full_name"] = pa.array(names)
    table = pa.table({"list": pa.array(["a", "b", "c", "d"]), **cols})
    table = table.append_column("row", pa.array(range(1, len(names) + 1), pa.int64()))
    hassan_fa, hassan, hossein, hosain = prepare(table).to_pylist()
    same = _name_level(hassan_fa, hassan)
    assert same == "same name in any script and order"
    assert _name_level(hassan, hossein) == "same consonants but known different names"
    assert _name_level(hassan_fa, hossein) == "same consonants but known different names"
    # a spelling the lexicon does not know is judged by its consonants, as before
    assert _name_level(hosain, hossein) == same


def _prepared(names: list[str]) -> list[dict[str, object]]:
    import pyarrow as pa

    from inquest.io import standard_schema
    from inquest.linkage.prepare import prepare

    cols = {c: pa.array([None] * len(names), pa.string()) for c in standard_schema().names}
    cols["full_name"] = pa.array(names)
    table = pa.table({"list": pa.array([f"list{i}" for i in range(len(names))]), **cols})
    table = table.append_column("row", pa.array(range(1, len(names) + 1), pa.int64()))
    return list(prepare(table).to_pylist())


def _blocked_together(left: dict[str, object], right: dict[str, object]) -> bool:
    import duckdb

    rules = [r.replace("l.", "a.").replace("r.", "b.") for r in load_model().blocking]
    con = duckdb.connect()
    for alias, row in (("a", left), ("b", right)):
        con.execute(
            f"CREATE TABLE {alias} AS SELECT " + ", ".join(f"${k} AS {k}" for k in row), row
        )
    return any(
        con.execute(f"SELECT count(*) FROM a, b WHERE {rule}").fetchone() == (1,) for rule in rules
    )


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Djalil Ahmadi", "Jalil Ahmadi"),
        ("Chahram Karimi", "Shahram Karimi"),
        ("Hosain Karimi", "Hossein Karimi"),
        ("Ali Rezapoor", "Ali Reza Pour"),
        ("Massoud Hachemi", "Masoud Hashemi"),
        ("Gholamhossein Tehrani", "Gholam Hossein Tehrani"),
        ("Ghasem Ghorbani", "Qasem Qorbani"),
    ],
)
def test_two_latin_transliterations_meet_and_score_as_one_name(one: str, other: str) -> None:
    a, b = _prepared([one, other])
    assert _blocked_together(a, b)
    assert _name_level(a, b) == "same name in any script and order"
