"""``inquest link``, ``draws``, ``evaluate`` and ``review export|import``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from inquest.errors import InquestError

if TYPE_CHECKING:
    import pyarrow as pa

console = Console()
review_app = typer.Typer(help="Clerical review of uncertain pairs.", no_args_is_help=True)


def _fail(exc: InquestError) -> None:
    console.print(f"[red]error:[/red] {exc}")
    raise typer.Exit(2)


def link(
    lists: Annotated[list[Path], typer.Argument(help="List files (CSV, XLSX, Parquet).")],
    out: Annotated[Path, typer.Option("--out", help="Output folder (made 0700, files 0600).")],
    engine: Annotated[str, typer.Option(help="duckdb (default) or spark.")] = "duckdb",
    labels: Annotated[
        Path | None, typer.Option(help="Decisions file from `inquest review import`.")
    ] = None,
    mapping: Annotated[
        list[Path] | None, typer.Option(help="Mapping file per list, in the same order.")
    ] = None,
    model: Annotated[Path | None, typer.Option(help="A model file (default: packaged).")] = None,
    previous: Annotated[
        Path | None, typer.Option(help="clusters.csv of the last run, for stable person ids.")
    ] = None,
    truth: Annotated[
        Path | None, typer.Option(help="Truth CSV (simulations): report scores and recall.")
    ] = None,
) -> None:
    """Link lists into one registry of persons; writes clusters.csv, predictions, model, report."""
    import pyarrow.csv as pacsv

    from inquest.io import load_mapping, read_lists
    from inquest.linkage.pipeline import link_records, write_run
    from inquest.linkage.report import write_report
    from inquest.linkage.review import apply_decisions, read_decisions
    from inquest.linkage.settings import load_model

    if engine not in ("duckdb", "spark"):
        _fail(InquestError(f"unknown engine {engine!r}: use duckdb or spark"))
    try:
        maps = [load_mapping(m) for m in mapping] if mapping else None
        if maps is not None and len(maps) != len(lists):
            raise InquestError("give one --mapping per list, or none")
        records = read_lists(lists, mappings=maps)
        linkage_model = load_model(model)
        applied = apply_decisions(read_decisions(labels), records) if labels else None
        prev = pacsv.read_csv(previous) if previous else None
    except InquestError as exc:
        _fail(exc)
        return
    console.print(f"Read {records.num_rows:,} records from {len(lists)} list(s).")
    if applied is not None and applied.not_applied:
        console.print(
            f"[yellow]{len(applied.not_applied)} decision(s) kept but not applied: "
            "their records are not in these lists.[/yellow]"
        )
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    ) as progress:

        def step(name: str, total: int) -> Callable[[int], None]:
            task = progress.add_task(name, total=total)
            return lambda n: progress.advance(task, n)

        result = link_records(
            records,
            model=linkage_model,
            engine="spark" if engine == "spark" else "duckdb",
            labels=applied.labels if applied else None,
            must_link=applied.must_link if applied else None,
            cannot_link=applied.cannot_link if applied else None,
            previous=prev,
            step=step,
            # what the run read: its provenance hashes each file
            inputs=[*lists, *(mapping or []), *([labels] if labels else [])],
        )
    record = result.run_record()
    paths = write_run(result, out, record)
    truth_ids = None
    if truth is not None:
        truth_ids = _truth_labels(truth, records)
    paths["report"] = write_report(result, out, truth=truth_ids)
    console.print(
        f"{record.records:,} records -> {record.persons:,} persons "
        f"({record.components_split} candidate groups split)."
    )
    for name, p in paths.items():
        console.print(f"  {name}: {p}")


def _truth_labels(truth: Path, records: pa.Table) -> list[str]:
    import pyarrow.csv as pacsv

    t = pacsv.read_csv(truth, convert_options=pacsv.ConvertOptions(strings_can_be_null=False))
    from inquest.linkage.evaluate import TRUTH_ID_COLUMNS

    col = next(c for c in TRUTH_ID_COLUMNS if c in t.column_names)
    lookup = {
        (str(a), str(b)): str(c)
        for a, b, c in zip(
            t.column("list").to_pylist(),
            t.column("record_id").to_pylist(),
            t.column(col).to_pylist(),
            strict=True,
        )
    }
    keys = zip(
        records.column("list").to_pylist(), records.column("record_id").to_pylist(), strict=True
    )
    return [lookup.get((str(a), str(b)), f"?{i}") for i, (a, b) in enumerate(keys)]


def evaluate(
    truth: Annotated[Path, typer.Argument(help="Truth CSV: list, record_id, true person.")],
    clusters: Annotated[Path, typer.Argument(help="clusters.csv from `inquest link`.")],
) -> None:
    """Print pairwise and B-cubed precision, recall and F1 of clusters against truth."""
    from inquest.linkage.evaluate import evaluate_files

    try:
        s = evaluate_files(truth, clusters)
    except InquestError as exc:
        _fail(exc)
        return
    table = Table(title=f"{s.records:,} records")
    for col in ("measure", "precision", "recall", "F1"):
        table.add_column(col)
    table.add_row(
        "pairwise",
        f"{s.pairwise_precision:.4f}",
        f"{s.pairwise_recall:.4f}",
        f"{s.pairwise_f1:.4f}",
    )
    table.add_row(
        "B-cubed", f"{s.bcubed_precision:.4f}", f"{s.bcubed_recall:.4f}", f"{s.bcubed_f1:.4f}"
    )
    console.print(table)
    console.print(f"true pairs {s.true_pairs:,}, predicted pairs {s.predicted_pairs:,}")


@review_app.command("export")
def review_export(
    run: Annotated[Path, typer.Argument(help="Output folder of `inquest link`.")],
    out: Annotated[Path, typer.Option("--out", help="CSV to write for reviewers.")],
    low: Annotated[float | None, typer.Option(help="Lowest probability to review.")] = None,
    high: Annotated[float | None, typer.Option(help="Probability from which not to.")] = None,
    order: Annotated[
        str,
        typer.Option(
            help="value: the pairs whose decision is expected to narrow the estimate of N "
            "most first (from draws of the linkage posterior); even-odds: probability "
            "nearest 0.5 first.",
            metavar="<value|even-odds>",
        ),
    ] = "value",
    statistic: Annotated[
        str,
        typer.Option(
            help="What --order value measures: n_hat (N's first-order change under "
            "independent lists) or persons (the number of persons).",
            metavar="<n_hat|persons>",
        ),
    ] = "n_hat",
    n_draws: Annotated[
        int, typer.Option("--draws", help="Partitions drawn to value the pairs.")
    ] = 100,
    seed: Annotated[int, typer.Option(help="Random seed of the draws.")] = 1,
    labels: Annotated[
        Path | None, typer.Option(help="The decisions file the run was linked with.")
    ] = None,
) -> None:
    """Write the uncertain pairs of a run, with the evidence for and against each, those
    that matter most to the estimate first."""
    import pyarrow.parquet as pq

    from inquest.linkage.review import export_review, review_pairs
    from inquest.linkage.review_value import ReviewOrder, ReviewStatistic
    from inquest.linkage.settings import load_model

    if order not in {o.value for o in ReviewOrder} or statistic not in {
        s.value for s in ReviewStatistic
    }:
        _fail(InquestError("--order is value or even-odds; --statistic n_hat or persons"))
    spec = load_model().clustering
    model_json = json.loads((run / "model.json").read_text("utf-8"))
    pairs = review_pairs(
        pq.read_table(run / "predictions.parquet"),
        model_json,
        spec.review_low if low is None else low,
        spec.review_high if high is None else high,
    )
    if order == ReviewOrder.VALUE and pairs.num_rows and "list_r" in pairs.column_names:
        try:
            pairs = _valued(run, pairs, n_draws, seed, labels, ReviewStatistic(statistic))
        except InquestError as exc:
            _fail(exc)
            return
    n = export_review(pairs, out)
    first = (
        "the expected narrowing of the estimate of N (review_value) first"
        if order == ReviewOrder.VALUE
        else "probability nearest 0.5 first"
    )
    console.print(f"Wrote {n:,} pairs to review to {out}, {first}. Fill the 'decision' column.")


def _valued(
    run: Path, pairs: pa.Table, n_draws: int, seed: int, labels: Path | None, statistic: Any
) -> pa.Table:
    """``pairs`` ordered by the value of deciding them, over draws of the run's posterior
    (the target linkage-aware estimates use)."""
    from dataclasses import replace

    from inquest.estimate.linkage_aware import target_settings
    from inquest.linkage.posterior import load_run_for_posterior
    from inquest.linkage.review_value import ReviewOrder, order_review_table

    info = load_run_for_posterior(run, decisions=labels)
    info = replace(info, settings=target_settings(info, "centred", seed))
    with console.status(f"valuing {pairs.num_rows:,} pairs over {n_draws} draws"):
        draws = info.draw(n_draws, seed)
        return order_review_table(pairs, draws, order=ReviewOrder.VALUE, statistic=statistic)


@review_app.command("import")
def review_import(
    reviewed: Annotated[Path, typer.Argument(help="A review CSV with decisions filled in.")],
    decisions: Annotated[
        Path, typer.Option("--decisions", help="The decisions file to add to (created).")
    ],
) -> None:
    """Add reviewed decisions to the decisions file (never dropping earlier ones)."""
    from inquest.linkage.review import merge_decisions, read_decisions, write_decisions

    try:
        new = read_decisions(reviewed)
        kept = read_decisions(decisions) if decisions.exists() else []
    except InquestError as exc:
        _fail(exc)
        return
    merged = merge_decisions(kept, new)
    write_decisions(merged, decisions)
    console.print(
        f"{len(new):,} decision(s) read; {len(merged):,} kept in {decisions}. "
        "Pass it to `inquest link --labels`."
    )


def draws(
    run: Annotated[Path, typer.Argument(help="Output folder of `inquest link`.")],
    out: Annotated[Path, typer.Option("--out", help="Parquet file to write (0600).")],
    n_draws: Annotated[int, typer.Option("--draws", help="Partitions to draw.")] = 200,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same draws).")] = 1,
    labels: Annotated[
        Path | None, typer.Option(help="The decisions file the run was linked with.")
    ] = None,
    model: Annotated[
        Path | None, typer.Option(help="The model file the run was linked with.")
    ] = None,
) -> None:
    """Draw plausible partitions of a run's records into persons (the linkage posterior).

    Writes one row per record (list, record_id) and one person column per draw; the
    method, seed, input hash and diagnostics are in the file's metadata.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from inquest.linkage.posterior import load_run_for_posterior
    from inquest.private import private_file

    try:
        loaded = load_run_for_posterior(run, decisions=labels, model=model)
        drawn = loaded.draw(n_draws, seed)
    except InquestError as exc:
        _fail(exc)
        return
    matrix = drawn.label_matrix()
    width = len(str(n_draws))
    columns = {
        "list": loaded.records.column("list"),
        "record_id": loaded.records.column("record_id"),
        **{f"draw_{d + 1:0{width}d}": pa.array(matrix[d]) for d in range(n_draws)},
    }
    summary = drawn.summary()
    table = pa.table(columns).replace_schema_metadata(
        {"inquest.posterior": json.dumps(summary), "inquest.run": str(run)}
    )
    pq.write_table(table, out)
    private_file(out)
    persons = summary["persons"]
    comps = summary["components"]
    console.print(
        f"{n_draws} draws of {drawn.n_records:,} records: {persons['mean']:,.1f} persons on "
        f"average (95% of draws {persons['q025']:,.0f} to {persons['q975']:,.0f}); "
        f"components drawn once {comps['fixed']:,}, exactly {comps['exact']:,}, "
        f"by MCMC {comps['mcmc']:,}."
    )
    for note in drawn.notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    console.print(f"Wrote {out}.")
