"""Block caps: a key value shared by very many records does not block on its own.

A blocking rule such as ``l.skel_sorted = r.skel_sorted`` compares every two records with the
same name skeleton. The pairs grow with the square of a block: at a million records the most
common names hold thousands of records each, and that one rule alone would ask for hundreds of
millions of comparisons, nearly all of namesakes. :func:`cap_blocks` counts, for every rule's
equality key, how many records share each key value, and adds ``l.<count> <= max_block`` to
the rule; pairs in larger blocks are left to the other rules, whose keys are finer (name and
birth year, name and father...). Below the cap nothing changes, so small runs are unaffected.

A rule that pairs different columns (``l.family_coarse = r.family_del1``: one record's name is
the other's without a consonant) has no blocks: each record is given the number of records its
values would pair it with (its *partners*), and records with too many partners do not propose
pairs by that rule.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from inquest.linkage.settings import LinkageModel

__all__ = ["DEFAULT_MAX_BLOCK", "BlockCaps", "cap_blocks", "equality_keys", "join_terms"]

#: Largest block a rule compares in full. The `default` preset's largest block holds 387
#: records, so the cap leaves it untouched; at a million records it bounds each rule's pairs.
DEFAULT_MAX_BLOCK = 500
#: Pairs per record one rule may propose: past this, its largest blocks are dropped first.
#: The `default` preset's busiest rule proposes 11 per record, so this cap leaves it alone.
DEFAULT_PAIRS_PER_RECORD = 25.0

_EQ = re.compile(r"^\(*\s*l\.(\w+)\s*=\s*r\.(\w+)\s*\)*$")


def _join_pairs(rule: str) -> set[tuple[str, str]]:
    """The ``(X, Y)`` of a rule's ``l.X = r.Y`` terms joined by AND; none if it has OR."""
    if re.search(r"\bOR\b", rule, flags=re.IGNORECASE):
        return set()
    found = (_EQ.match(t.strip()) for t in re.split(r"\bAND\b", rule, flags=re.IGNORECASE))
    return {(m.group(1), m.group(2)) for m in found if m}


def equality_keys(rule: str) -> tuple[str, ...]:
    """The columns of a rule's ``l.X = r.X`` terms (joined by AND), sorted; () if none or OR."""
    return tuple(sorted(a for a, b in _join_pairs(rule) if a == b))


def join_terms(rule: str) -> tuple[tuple[str, str], ...]:
    """The ``(X, Y)`` of every ``l.X = r.Y`` term when some term pairs two different columns
    and all are joined by AND; () otherwise (a rule of same-column keys or with OR)."""
    terms = _join_pairs(rule)
    return tuple(sorted(terms)) if any(a != b for a, b in terms) else ()


def _cap_key(rule: str) -> tuple[str, ...] | tuple[tuple[str, str], ...]:
    """What caps a rule: its cross-column terms (partners), else its equality keys (blocks)."""
    return join_terms(rule) or equality_keys(rule)


@dataclass(frozen=True)
class BlockCaps:
    """The capped model, the table with block-size columns, and what the caps cut."""

    model: LinkageModel
    table: pa.Table
    #: Per capped key (columns joined by "+"): records in blocks over the cap...
    records_over_cap: dict[str, int]
    #: ...and the cap (the largest block still compared).
    caps: dict[str, int]
    #: Candidate pairs each capped prediction rule proposes (rules of equality terms only; for
    #: a rule across columns, pairs in both orders), before pairs found by several rules are
    #: counted once: a guide to the work ahead.
    pairs: dict[str, int] = dataclasses.field(default_factory=dict)


def _size_column(keys: tuple[str, ...]) -> str:
    return "block_n_" + "_".join(keys)


def _codes(column: pa.ChunkedArray[Any]) -> np.ndarray[Any, Any]:
    """Dense integer codes of a column's values; -1 for null."""
    encoded: Any = pc.dictionary_encode(column.combine_chunks())
    indices = encoded.indices
    return np.asarray(pc.fill_null(indices, -1).to_numpy(), dtype="int64")


def _block_sizes(codes: list[np.ndarray[Any, Any]]) -> np.ndarray[Any, Any]:
    """Records sharing each record's combination of codes (0 when any code is null)."""
    key = np.zeros(len(codes[0]), dtype="int64")
    for c in codes:
        key = np.unique(key * (int(c.max()) + 2) + (c + 1), return_inverse=True)[1].ravel()
    size = np.bincount(key)[key].astype("int32")
    size[np.any(np.stack(codes) < 0, axis=0)] = 0
    return np.asarray(size)


def _partners_column(terms: tuple[tuple[str, str], ...]) -> str:
    return "partners_" + "_".join(f"{a}_{b}" for a, b in terms)


def _partners(table: pa.Table, terms: tuple[tuple[str, str], ...]) -> np.ndarray[Any, Any]:
    """Per record, how many records have, in the right-hand columns, its left-hand values."""
    n = table.num_rows
    key = np.zeros(2 * n, dtype="int64")
    null = np.zeros(2 * n, dtype=bool)
    for a, b in terms:
        both = pa.chunked_array(
            table.column(a).chunks + table.column(b).cast(table.column(a).type).chunks
        )
        c = _codes(both)
        null |= c < 0
        key = np.unique(key * (int(c.max()) + 2) + (c + 1), return_inverse=True)[1].ravel()
    left, right = key[:n], key[n:]
    counts = np.bincount(right[~null[n:]], minlength=int(key.max()) + 1 if len(key) else 0)
    partners = counts[left] if len(counts) else np.zeros(n, dtype="int64")
    partners[null[:n]] = 0
    return np.asarray(partners, dtype="int32")


def _largest_partners(partners: np.ndarray[Any, Any], max_block: int, budget: float) -> int:
    """The most partners a record may have, with all records of fewer, within ``budget``."""
    values, records = np.unique(partners[partners > 0], return_counts=True)
    pairs = np.cumsum(values * records.astype("float64"))
    fits = values[(pairs <= budget) & (values <= max_block)]
    return int(fits.max()) if len(fits) else 0


def _largest_block(size: np.ndarray[Any, Any], max_block: int, budget: float) -> int:
    """The largest block size whose blocks, with all smaller ones, stay within ``budget`` pairs."""
    sizes, records = np.unique(size[size > 1], return_counts=True)
    # records // size blocks of each size, each with size * (size - 1) / 2 pairs
    pairs = np.cumsum(records * (sizes - 1) / 2.0)
    fits = sizes[(pairs <= budget) & (sizes <= max_block)]
    return int(fits.max()) if len(fits) else 1


def cap_blocks(
    prepared: pa.Table,
    model: LinkageModel,
    max_block: int = DEFAULT_MAX_BLOCK,
    pairs_per_record: float = DEFAULT_PAIRS_PER_RECORD,
) -> BlockCaps:
    """Add a block-size column per equality key and the cap to every prediction and EM rule.

    A key's cap is ``max_block``, or lower where its blocks up to that size would propose
    more than ``pairs_per_record`` pairs per record (the largest blocks go first), or than
    the rule's own budget where the model sets a lower one.
    Deterministic rules (for the prior) are not capped: they are counted, not compared.
    """
    rules = [*model.blocking, *model.training.em_blocking]
    keysets = sorted({k for r in rules if not join_terms(r) and (k := equality_keys(r))})
    if prepared.num_rows <= max_block:
        return BlockCaps(model, prepared, {}, {})
    codes = {c: _codes(prepared.column(c)) for c in sorted({c for k in keysets for c in k})}
    table = prepared
    over: dict[str, int] = {}
    limit: dict[str, int] = {}
    key_pairs: dict[str, int] = {}
    # A rule may set its own budget (model.yaml: pairs_per_record); a key shared by several
    # rules takes the smallest.
    own = model.rule_budgets()
    per_record: dict[Any, float] = {}
    for rule in rules:
        if key := _cap_key(rule):
            budget_of_rule = min(own.get(rule, pairs_per_record), pairs_per_record)
            per_record[key] = min(per_record.get(key, budget_of_rule), budget_of_rule)
    for k in keysets:
        size = _block_sizes([codes[c] for c in k])
        table = table.append_column(_size_column(k), pa.array(size, pa.int32()))
        cap = _largest_block(size, max_block, per_record[k] * prepared.num_rows)
        n_over = int((size > cap).sum())
        if n_over:
            over["+".join(k)] = n_over
            limit["+".join(k)] = cap
        # a block of n records holds n(n-1)/2 pairs: (n-1)/2 for each of its records
        kept = size[(size > 1) & (size <= cap)]
        key_pairs["+".join(k)] = int(((kept - 1) / 2.0).sum())

    cross_pairs: dict[str, int] = {}
    for terms in sorted({t for r in rules if (t := join_terms(r))}):
        partners = _partners(prepared, terms)
        name = _partners_column(terms)
        table = table.append_column(name, pa.array(partners, pa.int32()))
        cap = _largest_partners(partners, max_block, per_record[terms] * prepared.num_rows)
        n_over = int((partners > cap).sum())
        if n_over:
            over[name] = n_over
            limit[name] = cap
        cross_pairs[name] = int(partners[partners <= cap].sum())

    def capped(rule: str) -> str:
        terms = join_terms(rule)
        if terms:
            name = _partners_column(terms)
            return f"({rule}) AND l.{name} <= {limit[name]}" if name in over else rule
        k = equality_keys(rule)
        if not k or "+".join(k) not in over:
            return rule
        return f"({rule}) AND l.{_size_column(k)} <= {limit['+'.join(k)]}"

    def proposed(rule: str) -> int | None:
        terms = join_terms(rule)
        if terms:
            return cross_pairs[_partners_column(terms)]
        k = equality_keys(rule)
        return key_pairs["+".join(k)] if k else None

    training = dataclasses.replace(
        model.training, em_blocking=tuple(capped(r) for r in model.training.em_blocking)
    )
    new_model = dataclasses.replace(
        model, blocking=tuple(capped(r) for r in model.blocking), training=training
    )
    pairs = {capped(r): n for r in model.blocking if (n := proposed(r)) is not None}
    return BlockCaps(new_model, table, over, limit, pairs)
