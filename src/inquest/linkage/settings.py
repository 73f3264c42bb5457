"""inquest's linkage model as data, and the builder that turns it into Splink 5 settings.

The packaged model is ``data/linkage/model.yaml``; a user may pass their own file of the same
shape. Every level is built with Splink's comparison-level creators, so the same model runs on
DuckDB and on Spark.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from inquest.errors import ConfigError

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

__all__ = [
    "ClusteringSpec",
    "LinkageModel",
    "TrainingSpec",
    "default_model_path",
    "for_lists",
    "load_model",
    "splink_settings",
]

_DATA = Path(__file__).resolve().parent.parent / "data" / "linkage"
#: Default floor on a term-frequency u (a value seen twice among a million records).
_TF_MIN_U = 1e-6
_LEVEL_KINDS = {"missing", "exact", "jaro_winkler", "damerau_levenshtein", "all", "sql", "else"}


@dataclass(frozen=True)
class TrainingSpec:
    """How m and u are estimated: deterministic rules, u sampling, EM sessions."""

    deterministic_rules: tuple[str, ...]
    deterministic_recall: float
    u_max_pairs: float
    u_seed: int
    em_blocking: tuple[str, ...]
    #: EM stops once no m changes by more than this in an iteration (Splink's default: 1e-4).
    em_convergence: float = 1e-4
    #: Comparisons whose u is sampled beside the others' (on DuckDB; see inquest.linkage.train).
    u_sampled_beside: tuple[str, ...] = ()
    #: EM sessions after the first run beside it (on DuckDB; see inquest.linkage.train).
    em_sessions_in_parallel: bool = False


@dataclass(frozen=True)
class ClusteringSpec:
    """Thresholds for clustering and clerical review."""

    keep_threshold: float
    link_threshold: float
    max_component_for_rescoring: int
    review_low: float
    review_high: float
    #: Two records of the same list join one person only if their own match probability is
    #: at least this (0: no such rule).
    same_list_min_probability: float = 0.0
    #: Estimate the prior again from the scored pairs (inquest.linkage.prior).
    refit_prior: bool = False


@dataclass(frozen=True)
class LinkageModel:
    """A validated linkage model: comparisons (as data), blocking rules, training, thresholds."""

    comparisons: tuple[dict[str, Any], ...]
    blocking: tuple[str, ...]
    training: TrainingSpec
    clustering: ClusteringSpec
    source: str
    #: Per blocking rule: pairs only records of different lists when several are linked
    #: (see :func:`for_lists`); empty means no rule does.
    across_lists: tuple[bool, ...] = ()
    #: The blocking rules that set their own budget of pairs per record for their caps, and
    #: that budget (other rules: the default of :func:`inquest.linkage.caps.cap_blocks`).
    pairs_per_record: tuple[tuple[str, float], ...] = ()

    def rule_budgets(self) -> dict[str, float]:
        """The rules of ``blocking`` that set their own pairs-per-record budget, and that."""
        rules = set(self.blocking)
        return {rule: budget for rule, budget in self.pairs_per_record if rule in rules}

    def scored_columns(self, available: Iterable[str]) -> list[str]:
        """The columns of ``available`` that Splink reads: comparisons' and training rules'.

        Any column named in a level (``column``, ``columns``, or as ``col_l``/``l.col`` in its
        SQL) or in a training rule counts; ``available``'s order is kept.
        """
        words: set[str] = set()

        def walk(level: dict[str, Any]) -> None:
            for key in ("column", "tf_column"):
                if key in level:
                    words.add(level[key])
            words.update(level.get("columns", []))
            words.update(_IDENTIFIER.findall(str(level.get("sql", ""))))
            for sub in level.get("levels", []):
                walk(sub)

        for comp in self.comparisons:
            for level in comp["levels"]:
                walk(level)
        for rule in (*self.training.deterministic_rules, *self.training.em_blocking):
            words.update(_IDENTIFIER.findall(rule))
        return [c for c in available if c in words or f"{c}_l" in words or f"{c}_r" in words]


def default_model_path() -> Path:
    """The packaged model file."""
    return _DATA / "model.yaml"


def _need(doc: dict[str, Any], key: str, kind: Any, path: str, section: str = "") -> Any:
    where = f"{section}.{key}" if section else key
    if key not in doc:
        raise ConfigError("missing", path=path, key=where)
    value = doc[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ConfigError(f"has the wrong type ({type(value).__name__})", path=path, key=where)
    return value


def _flag(doc: dict[str, Any], key: str, path: str, section: str) -> bool:
    """An optional true/false (false when absent)."""
    value = doc.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError("must be true or false", path=path, key=f"{section}.{key}")
    return value


def _comparison_names(doc: dict[str, Any], key: str, names: set[str], path: str) -> tuple[str, ...]:
    """An optional list of the model's comparison names (empty when absent)."""
    if key not in doc:
        return ()
    listed = _need(doc, key, list, path, "training")
    unknown = [c for c in listed if c not in names]
    if unknown:
        raise ConfigError(
            f"not comparisons of the model: {unknown}", path=path, key=f"training.{key}"
        )
    return tuple(listed)


def _check_level(level: Any, path: str, key: str) -> None:
    if not isinstance(level, dict):
        raise ConfigError("a level must be a mapping", path=path, key=key)
    kind = level.get("kind")
    if kind not in _LEVEL_KINDS:
        raise ConfigError(f"unknown level kind {kind!r}", path=path, key=f"{key}.kind")
    if kind in ("exact", "jaro_winkler", "damerau_levenshtein") and not isinstance(
        level.get("column"), str
    ):
        raise ConfigError("needs a column", path=path, key=f"{key}.column")
    if kind in ("jaro_winkler", "damerau_levenshtein") and not isinstance(
        level.get("threshold"), int | float
    ):
        raise ConfigError("needs a numeric threshold", path=path, key=f"{key}.threshold")
    if (
        kind == "missing"
        and not isinstance(level.get("sql"), str)
        and not (
            isinstance(level.get("columns"), list)
            and all(isinstance(c, str) for c in level["columns"])
        )
    ):
        raise ConfigError("needs a list of columns or an sql condition", path=path, key=key)
    if kind == "sql" and not isinstance(level.get("sql"), str):
        raise ConfigError("needs an sql condition", path=path, key=f"{key}.sql")
    if level.get("tf") and not isinstance(level.get("tf_column", level.get("column")), str):
        raise ConfigError(
            "a term-frequency adjustment needs a column or tf_column", path=path, key=f"{key}.tf"
        )
    if kind == "all":
        subs = level.get("levels")
        if not isinstance(subs, list) or len(subs) < 2:
            raise ConfigError("needs two or more levels", path=path, key=f"{key}.levels")
        for j, sub in enumerate(subs):
            _check_level(sub, path, f"{key}.levels[{j}]")
            if sub["kind"] in ("missing", "else", "all"):
                raise ConfigError("cannot nest this kind", path=path, key=f"{key}.levels[{j}]")


def _comparisons(doc: dict[str, Any], path: str) -> tuple[list[Any], set[str]]:
    """The comparisons, checked, and their names."""
    comps = _need(doc, "comparisons", list, path)
    names: set[str] = set()
    for i, comp in enumerate(comps):
        key = f"comparisons[{i}]"
        if not isinstance(comp, dict) or not isinstance(comp.get("name"), str):
            raise ConfigError("needs a name", path=path, key=key)
        if comp["name"] in names:
            raise ConfigError(f"duplicate comparison {comp['name']!r}", path=path, key=key)
        names.add(comp["name"])
        levels = comp.get("levels")
        if not isinstance(levels, list) or len(levels) < 3:
            raise ConfigError("needs at least three levels", path=path, key=f"{key}.levels")
        for j, level in enumerate(levels):
            _check_level(level, path, f"{key}.levels[{j}]")
        if levels[0]["kind"] != "missing" or levels[-1]["kind"] != "else":
            raise ConfigError(
                "levels must start with missing and end with else", path=path, key=f"{key}.levels"
            )
    return comps, names


def _blocking(doc: dict[str, Any], path: str) -> tuple[list[str], list[bool], list[float | None]]:
    """The blocking rules, whether each pairs across lists only, and each one's budget."""
    blocking_doc = _need(doc, "blocking", list, path)
    if not blocking_doc:
        raise ConfigError("must be a non-empty list of SQL rules", path=path, key="blocking")
    blocking: list[str] = []
    across: list[bool] = []
    budgets: list[float | None] = []
    for i, item in enumerate(blocking_doc):
        if isinstance(item, dict):
            rule = item.get("rule")
            flag = item.get("across_lists", False)
            budget = item.get("pairs_per_record")
            unknown = set(item) - {"rule", "across_lists", "pairs_per_record"}
            bad_budget = budget is not None and (
                isinstance(budget, bool) or not isinstance(budget, int | float) or budget <= 0
            )
            if not isinstance(rule, str) or not isinstance(flag, bool) or unknown or bad_budget:
                raise ConfigError(
                    "a rule is SQL, or a mapping of rule (SQL), across_lists (true/false) and "
                    "pairs_per_record (a number > 0)",
                    path=path,
                    key=f"blocking[{i}]",
                )
            blocking.append(rule)
            across.append(flag)
            budgets.append(None if budget is None else float(budget))
        elif isinstance(item, str):
            blocking.append(item)
            across.append(False)
            budgets.append(None)
        else:
            raise ConfigError("must be SQL or a mapping", path=path, key=f"blocking[{i}]")
    return blocking, across, budgets


def _training(doc: dict[str, Any], names: set[str], path: str) -> TrainingSpec:
    """The training steps; ``names``: the comparisons they may name."""
    tr = _need(doc, "training", dict, path)
    return TrainingSpec(
        deterministic_rules=tuple(_need(tr, "deterministic_rules", list, path, "training")),
        deterministic_recall=float(_need(tr, "deterministic_recall", float, path, "training")),
        u_max_pairs=float(_need(tr, "u_max_pairs", int | float, path, "training")),
        u_seed=int(_need(tr, "u_seed", int, path, "training")),
        em_blocking=tuple(_need(tr, "em_blocking", list, path, "training")),
        em_convergence=(
            float(_need(tr, "em_convergence", int | float, path, "training"))
            if "em_convergence" in tr
            else 1e-4
        ),
        u_sampled_beside=_comparison_names(tr, "u_sampled_beside", names, path),
        em_sessions_in_parallel=_flag(tr, "em_sessions_in_parallel", path, "training"),
    )


def _clustering(doc: dict[str, Any], path: str) -> ClusteringSpec:
    """The thresholds of prediction, clustering and review, checked as probabilities."""
    pr = _need(doc, "prediction", dict, path)
    cl = _need(doc, "clustering", dict, path)
    rv = _need(doc, "review", dict, path)
    clustering = ClusteringSpec(
        keep_threshold=float(_need(pr, "keep_threshold", float, path, "prediction")),
        link_threshold=float(_need(cl, "link_threshold", float, path, "clustering")),
        max_component_for_rescoring=int(
            _need(cl, "max_component_for_rescoring", int, path, "clustering")
        ),
        review_low=float(_need(rv, "low", float, path, "review")),
        review_high=float(_need(rv, "high", float, path, "review")),
        same_list_min_probability=float(cl.get("same_list_min_probability", 0.0)),
        refit_prior=_flag(pr, "refit_prior", path, "prediction"),
    )
    if not 0.0 <= clustering.same_list_min_probability < 1.0:
        raise ConfigError(
            "must be a probability in [0, 1)",
            path=path,
            key="clustering.same_list_min_probability",
        )
    for name, p in (
        ("prediction.keep_threshold", clustering.keep_threshold),
        ("clustering.link_threshold", clustering.link_threshold),
        ("review.low", clustering.review_low),
        ("review.high", clustering.review_high),
    ):
        if not 0.0 < p < 1.0:
            raise ConfigError("must be a probability strictly between 0 and 1", path=path, key=name)
    if not clustering.review_low < clustering.review_high:
        raise ConfigError("review.low must be below review.high", path=path, key="review")
    return clustering


def parse_model(text: str, path: str = "model.yaml") -> LinkageModel:
    """Parse and validate a model document; errors name the file and key."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", path=path) from exc
    if not isinstance(doc, dict) or doc.get("version") != 1:
        raise ConfigError("must be a mapping with version: 1", path=path, key="version")
    comps, names = _comparisons(doc, path)
    blocking, across, budgets = _blocking(doc, path)
    training = _training(doc, names, path)
    clustering = _clustering(doc, path)
    return LinkageModel(
        tuple(comps),
        tuple(blocking),
        training,
        clustering,
        path,
        tuple(across) if any(across) else (),
        tuple((r, b) for r, b in zip(blocking, budgets, strict=True) if b is not None),
    )


#: The term a rule marked ``across_lists`` gains when several lists are linked.
ACROSS_LISTS = "l.list <> r.list"


def for_lists(model: LinkageModel, lists: int) -> LinkageModel:
    """The model for linking ``lists`` lists: rules marked ``across_lists`` pair only records
    of different lists when there are two or more (a list seldom names one person twice, and
    when it does the name rules find the two: the place and date rules are for names written
    differently by different lists). The marks are spent: the result has none.
    """
    if not model.across_lists:
        return model
    rules = tuple(
        f"{rule} AND {ACROSS_LISTS}" if flag and lists > 1 else rule
        for rule, flag in zip(model.blocking, model.across_lists, strict=True)
    )
    renamed = dict(zip(model.blocking, rules, strict=True))
    return dataclasses.replace(
        model,
        blocking=rules,
        across_lists=(),
        pairs_per_record=tuple((renamed.get(r, r), b) for r, b in model.pairs_per_record),
    )


def load_model(path: str | Path | None = None) -> LinkageModel:
    """Load a model file (the packaged one by default)."""
    p = Path(path) if path is not None else default_model_path()
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=str(p)) from exc
    return parse_model(text, str(p))


def _level(level: dict[str, Any]) -> Any:
    import splink.comparison_level_library as cll

    kind = level["kind"]
    made: Any
    if kind == "missing" and "sql" in level:
        made = cll.CustomLevel(" ".join(level["sql"].split()), base_dialect_str="duckdb")
    elif kind == "missing":
        cols = level["columns"]
        made = cll.NullLevel(cols[0]) if len(cols) == 1 else cll.Or(*map(cll.NullLevel, cols))
    elif kind == "exact":
        made = cll.ExactMatchLevel(level["column"], term_frequency_adjustments=False)
    elif kind == "jaro_winkler":
        made = cll.JaroWinklerLevel(level["column"], float(level["threshold"]))
    elif kind == "damerau_levenshtein":
        made = cll.DamerauLevenshteinLevel(level["column"], int(level["threshold"]))
    elif kind == "all":
        made = cll.And(*(_level(sub) for sub in level["levels"]))
    elif kind == "sql":
        made = cll.CustomLevel(" ".join(level["sql"].split()), base_dialect_str="duckdb")
    else:
        made = cll.ElseLevel()
    options: dict[str, Any] = {}
    if "label" in level:
        options["label_for_charts"] = level["label"]
    if level.get("tf"):
        options["tf_adjustment_column"] = level.get("tf_column") or level["column"]
        options["tf_adjustment_weight"] = float(level.get("tf_weight", 1.0))
        # A floor above the level's average u would turn every adjustment into a penalty.
        options["tf_minimum_u_value"] = float(level.get("tf_min_u", _TF_MIN_U))
        if kind != "exact":
            # Splink scales the adjustment by the u of the comparison's exact-match level on
            # the tf column (another level here); this level's own u is the one that applies.
            options["disable_tf_exact_match_detection"] = True
    if kind == "missing":
        options["is_null_level"] = True
    return made.configure(**options) if options else made


def splink_settings(
    model: LinkageModel, *, blocking: list[str] | None = None, comparisons: list[str] | None = None
) -> Any:
    """A Splink ``SettingsCreator`` for deduplicating the prepared union of all lists.

    ``comparisons`` selects comparisons by name (default: all); ``blocking`` overrides rules.
    """
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    chosen = [c for c in model.comparisons if comparisons is None or c["name"] in comparisons]
    del block_on
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.CustomComparison(
                [_level(lv) for lv in c["levels"]],
                output_column_name=c["name"],
                comparison_description=c.get("description", c["name"]),
            )
            for c in chosen
        ],
        blocking_rules_to_generate_predictions=[
            {"blocking_rule": b, "sql_dialect": "duckdb"}
            for b in (model.blocking if blocking is None else blocking)
        ],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        additional_columns_to_retain=["list", "record_id"],
        em_convergence=model.training.em_convergence,
    )
