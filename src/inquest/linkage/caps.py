"""Block caps: a key value shared by very many records does not block on its own.

A blocking rule such as ``l.skel_sorted = r.skel_sorted`` compares every two records with the
same name skeleton. The pairs grow with the square of a block: at a million records the most
common names hold thousands of records each, and that one rule alone would ask for hundreds of
millions of comparisons, nearly all of namesakes. :func:`cap_blocks` counts, for every rule's
equality key, how many records share each key value, and adds ``l.<count> <= max_block`` to
the rule; pairs in larger blocks are left to the other rules, whose keys are finer (name and
birth year, name and father...). Below the cap nothing changes, so small runs are unaffected.
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

__all__ = ["DEFAULT_MAX_BLOCK", "BlockCaps", "cap_blocks", "equality_keys"]

#: Largest block a rule compares in full. The `default` preset's largest block holds 387
#: records, so the cap leaves it untouched; at a million records it bounds each rule's pairs.
DEFAULT_MAX_BLOCK = 500
#: Pairs per record one rule may propose: past this, its largest blocks are dropped first.
#: The `default` preset's busiest rule proposes 11 per record, so this cap leaves it alone.
DEFAULT_PAIRS_PER_RECORD = 25.0

_EQ = re.compile(r"^\(*\s*l\.(\w+)\s*=\s*r\.(\w+)\s*\)*$")


def equality_keys(rule: str) -> tuple[str, ...]:
    """The columns of a rule's ``l.X = r.X`` terms (joined by AND), sorted; () if none or OR."""
    if re.search(r"\bOR\b", rule, flags=re.IGNORECASE):
        return ()
    cols: set[str] = set()
    for term in re.split(r"\bAND\b", rule, flags=re.IGNORECASE):
        m = _EQ.match(term.strip())
        if m and m.group(1) == m.group(2):
            cols.add(m.group(1))
    return tuple(sorted(cols))


@dataclass(frozen=True)
class BlockCaps:
    """The capped model, the table with block-size columns, and what the caps cut."""

    model: LinkageModel
    table: pa.Table
    #: Per capped key (columns joined by "+"): records in blocks over the cap...
    records_over_cap: dict[str, int]
    #: ...and the cap (the largest block still compared).
    caps: dict[str, int]
    #: Candidate pairs each capped prediction rule proposes (rules of equality terms only),
    #: before pairs found by several rules are counted once: a guide to the work ahead.
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
    more than ``pairs_per_record`` pairs per record (the largest blocks go first).
    Deterministic rules (for the prior) are not capped: they are counted, not compared.
    """
    rules = [*model.blocking, *model.training.em_blocking]
    keysets = sorted({k for k in map(equality_keys, rules) if k})
    if not keysets or prepared.num_rows <= max_block:
        return BlockCaps(model, prepared, {}, {})
    codes = {c: _codes(prepared.column(c)) for c in sorted({c for k in keysets for c in k})}
    table = prepared
    over: dict[str, int] = {}
    limit: dict[str, int] = {}
    key_pairs: dict[str, int] = {}
    budget = pairs_per_record * prepared.num_rows
    for k in keysets:
        size = _block_sizes([codes[c] for c in k])
        table = table.append_column(_size_column(k), pa.array(size, pa.int32()))
        cap = _largest_block(size, max_block, budget)
        n_over = int((size > cap).sum())
        if n_over:
            over["+".join(k)] = n_over
            limit["+".join(k)] = cap
        # a block of n records holds n(n-1)/2 pairs: (n-1)/2 for each of its records
        kept = size[(size > 1) & (size <= cap)]
        key_pairs["+".join(k)] = int(((kept - 1) / 2.0).sum())

    def capped(rule: str) -> str:
        k = equality_keys(rule)
        if not k or "+".join(k) not in over:
            return rule
        return f"({rule}) AND l.{_size_column(k)} <= {limit['+'.join(k)]}"

    training = dataclasses.replace(
        model.training, em_blocking=tuple(capped(r) for r in model.training.em_blocking)
    )
    new_model = dataclasses.replace(
        model, blocking=tuple(capped(r) for r in model.blocking), training=training
    )
    pairs = {
        capped(r): key_pairs["+".join(equality_keys(r))] for r in model.blocking if equality_keys(r)
    }
    return BlockCaps(new_model, table, over, limit, pairs)
