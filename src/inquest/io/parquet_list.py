"""Lists as Parquet files: the built-in ``parquet`` format (``inquest.io.formats``).

Only the wanted columns are read, in one pass: each batch is measured through its
dictionaries before any string is decoded, since a short dictionary of long values can
decode to gigabytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from inquest.errors import InputProblem
from inquest.io.formats import ListBatch, ReadContext, register, text_limit_problem
from inquest.io.xlsx_list import cell_text

__all__ = ["ParquetFormat"]

_MAGIC = b"PAR1"


def _sum_arrays(arrays: list[Any], n: int) -> Any:
    total: Any = pa.array([0] * n, pa.int64())
    for a in arrays:
        total = pc.add(total, pc.fill_null(pc.cast(a, pa.int64()), 0))
    return total


def _decoded_lengths(arr: Any) -> Any:
    """The length in characters of each value of ``arr`` once decoded, without decoding it."""
    if pa.types.is_dictionary(arr.type):
        return pc.take(_decoded_lengths(arr.dictionary), arr.indices)
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return pc.utf8_length(arr)
    if pa.types.is_binary(arr.type) or pa.types.is_large_binary(arr.type):
        return pc.binary_length(arr)
    return pa.nulls(len(arr), pa.int64())


def _bounded_strings(arr: Any, cap: int) -> Any:
    """``arr`` as strings, each value trimmed and cut to ``cap`` characters if it is longer."""
    if pa.types.is_dictionary(arr.type):
        values = _bounded_strings(arr.dictionary, cap)
        return pc.take(values, arr.indices)
    try:
        text = pc.cast(arr, pa.string())
    except pa.ArrowException:
        text = pa.array([cell_text(v) for v in arr.to_pylist()], pa.string())
    long = pc.greater(pc.utf8_length(text), pa.scalar(cap))
    if not pc.any(long).as_py():
        return text
    cut = pc.utf8_slice_codeunits(pc.utf8_trim_whitespace(text), 0, cap)
    return pc.if_else(long, cut, text)


class _OpenParquet:
    def __init__(self, file: Path, ctx: ReadContext, pf: pq.ParquetFile) -> None:
        self.file = file
        self.ctx = ctx
        self.pf = pf
        self.arrow_schema = pf.schema_arrow
        self.headers = list(self.arrow_schema.names)

    def batches(self, wanted: Mapping[int, int]) -> Iterator[ListBatch]:
        ctx, path, pf = self.ctx, self.ctx.path, self.pf
        n_rows = pf.metadata.num_rows
        if n_rows > ctx.schema.max_rows:
            ctx.stop(
                InputProblem(f"{n_rows} rows is over the limit of {ctx.schema.max_rows}", path=path)
            )
            return
        names: dict[int, str] = {}
        for pos in wanted:
            field = self.arrow_schema.field(pos)
            if pa.types.is_nested(field.type):
                ctx.problem(f"nested type {field.type} is not allowed", field=field.name)
            else:
                names[pos] = field.name
        stored = sum(
            pf.metadata.row_group(g).column(c).total_uncompressed_size
            for g in range(pf.metadata.num_row_groups)
            for c in range(pf.metadata.num_columns)
            if pf.metadata.row_group(g).column(c).path_in_schema in names.values()
        )
        if stored > ctx.max_text_chars:
            ctx.stop(
                InputProblem(
                    f"its columns unpack to {stored} bytes, over the limit of {ctx.max_text_chars}",
                    path=path,
                )
            )
            return
        if not names:
            yield ListBatch(1, n_rows, {})
            return
        text = [
            name
            for pos, name in names.items()
            if pa.types.is_string(self.arrow_schema.field(pos).type)
            or pa.types.is_large_string(self.arrow_schema.field(pos).type)
        ]
        try:
            # Strings stay dictionary-encoded until their decoded size is known; the batch
            # that passes the limit is reported by row and field.
            left = ctx.max_text_chars
            first_row = 1
            for batch in pq.ParquetFile(self.file, read_dictionary=text).iter_batches(
                batch_size=ctx.batch_rows, columns=list(names.values())
            ):
                lengths = {
                    pos: _decoded_lengths(arr)
                    for pos, arr in zip(names, batch.columns, strict=True)
                }
                per_row = _sum_arrays(list(lengths.values()), batch.num_rows)
                total = pc.sum(per_row).as_py() or 0
                if total > left:
                    over = pc.greater(pc.cumulative_sum(per_row), pa.scalar(left, pa.int64()))
                    i = int(pc.index(over, True).as_py())
                    pos = max(lengths, key=lambda p: lengths[p][i].as_py() or 0)
                    ctx.stop(
                        text_limit_problem(
                            ctx.max_text_chars, path, first_row + i, self.headers[pos]
                        )
                    )
                    return
                left -= total
                columns = {
                    pos: _bounded_strings(arr, wanted[pos])
                    for pos, arr in zip(names, batch.columns, strict=True)
                }
                yield ListBatch(first_row, batch.num_rows, columns)
                first_row += batch.num_rows
        except (pa.ArrowException, OSError) as exc:
            ctx.stop(InputProblem(f"not a readable Parquet file: {exc}", path=path))

    def close(self) -> None:
        self.pf.close()


@dataclass(frozen=True)
class ParquetFormat:
    """An Apache Parquet file; its column names are the headers."""

    name: str = "parquet"
    description: str = "Parquet"
    suffixes: tuple[str, ...] = (".parquet",)

    def check(self, file: Path, head: bytes) -> str | None:
        size = file.stat().st_size
        if size < 12 or not head.startswith(_MAGIC):
            return "not a Parquet file (no PAR1 header)"
        with file.open("rb") as handle:
            handle.seek(size - 4)
            if handle.read(4) != _MAGIC:
                return "not a complete Parquet file (no PAR1 footer)"
        return None

    def open(self, file: Path, ctx: ReadContext) -> _OpenParquet | None:
        try:
            return _OpenParquet(file, ctx, pq.ParquetFile(file))
        except (pa.ArrowException, OSError) as exc:
            ctx.stop(InputProblem(f"not a readable Parquet file: {exc}", path=ctx.path))
            return None


register(ParquetFormat())
