"""Workbench speed: importing a list (SQLite vs PostgreSQL), and with ``--scale`` search and
person pages over a million records under 20 concurrent users (see ``web_scale.py``).

Targets (issue 6): a 100,000-row list imports in under a minute; with 1,000,000 records and
their persons in PostgreSQL, cross-script search and the person page answer in under 200 ms
at the 95th percentile with 20 concurrent users on loopback.

Import (the default run):

For each database (a fresh SQLite file; a fresh PostgreSQL database at 127.0.0.1:5432 if one
answers) the script migrates, then times:
- ``migrate``: creating every table from nothing;
- ``import``: ``import_list`` of a synthetic 100,000-row CSV (read, validate, one transaction
  writing the source, the records, their first versions, their search rows and one audit
  entry for the whole list);
- ``reimport``: the same file again (found by its SHA-256, nothing written);
- ``sources_for``: the source list with its per-user count of visible records;
- ``visible_records``: counting the records a user may see (level + parent source level);
- ``verify_chain``: recomputing the audit log's hash chain (``verify_all``).

Wall and CPU (``time.process_time``) are reported: CPU counts this Python process only, not the
PostgreSQL server, and wall > CPU also shows contention (2 cores, shared). Each database runs in
its own child process because Django's settings are fixed per process. Synthetic rows only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROWS = 100_000
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"


def _timed(fn: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, {
        "wall_s": round(time.perf_counter() - w0, 3),
        "cpu_s": round(time.process_time() - c0, 3),
    }


def _synthetic_csv(path: Path, n: int) -> None:
    given = ["علی", "مریم", "رضا", "زهرا", "حسن", "Ali", "Maryam", "Reza"]
    family = ["نمونه", "آزمایشی", "فرضی", "Nemuneh", "Azmayeshi"]
    lines = ["record_id,full_name,given_name,family_name,father_name,death_date,prison"]
    for i in range(n):
        g, f = given[i % len(given)], family[(i // 7) % len(family)]
        lines.append(f"r{i},{g} {f},{g},{f},{given[(i // 3) % len(given)]},مرداد ۱۳۶۷,synthetic")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def child(url: str, data_dir: str) -> dict[str, Any]:
    """Run the timings against ``url`` (called in a child process)."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="inquest.web.settings",
        INQUEST_DATA_DIR=data_dir,
        INQUEST_DATABASE_URL=url,
    )
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from inquest.web.access.levels import Level
    from inquest.web.access.services import grant_role
    from inquest.web.audit.verify import verify_all
    from inquest.web.registry import queries
    from inquest.web.registry.imports import import_list
    from inquest.web.registry.models import Record

    timings: dict[str, Any] = {}
    _, timings["migrate"] = _timed(lambda: call_command("migrate", verbosity=0))
    importer = User.objects.create_user("synthetic-importer")
    reader = User.objects.create_user("synthetic-reader")
    grant_role(None, importer, "researcher")
    grant_role(None, reader, "researcher")
    csv = Path(data_dir) / "synthetic.csv"
    _synthetic_csv(csv, ROWS)
    result, timings["import"] = _timed(
        lambda: import_list(importer, csv, origin="synthetic", level=Level.INTERNAL, code="S")
    )
    assert result.n_records == ROWS
    again, timings["reimport"] = _timed(
        lambda: import_list(importer, csv, origin="synthetic", level=Level.INTERNAL, code="S")
    )
    assert not again.created
    listed, timings["sources_for"] = _timed(
        lambda: [s.n_records for s in queries.sources_for(reader)]
    )
    assert listed == [ROWS]
    count, timings["visible_records"] = _timed(lambda: Record.objects.visible_to(reader).count())
    assert count == ROWS
    report, timings["verify_chain"] = _timed(verify_all)
    assert report.intact
    timings["import"]["rows_per_s"] = round(ROWS / timings["import"]["wall_s"])
    return timings


def run_json(argv: list[str]) -> Any:
    """Run this Python with ``argv`` in a child process; the JSON of its last output line."""
    done = subprocess.run([sys.executable, *argv], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def _run_child(url: str, data_dir: str) -> dict[str, Any]:
    result: dict[str, Any] = run_json([__file__, "--child", url, data_dir])
    return result


def run_import() -> dict[str, Any]:
    """The import timings on SQLite and PostgreSQL."""
    import psycopg

    results: dict[str, Any] = {"rows": ROWS}
    with tempfile.TemporaryDirectory(prefix="inquest-bench-web-") as tmp:
        results["sqlite"] = _run_child(f"sqlite:///{tmp}/bench.sqlite3", tmp)
        name = f"inquest_bench_{os.getpid()}"
        try:
            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error as exc:
            results["postgresql"] = {"skipped": str(exc).strip()}
        else:
            try:
                results["postgresql"] = _run_child(f"{PG_SERVER}/{name}", tmp)
            finally:
                with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    for db in ("sqlite", "postgresql"):
        for step, figures in results[db].items():
            print(f"{db:10s} {step:16s} {figures}")
    return results


def run_scale(args: argparse.Namespace) -> dict[str, Any]:
    """Load (unless ``--reuse``) the million-record database, serve it, and drive it."""
    import psycopg

    import web_scale

    url = f"{PG_SERVER}/{args.database}"
    data_dir = tempfile.mkdtemp(prefix="inquest-bench-scale-")
    world = Path(args.world)
    result: dict[str, Any] = {"database": args.database, "population": args.population}
    if not args.reuse:
        if not (world / "population.csv").exists():
            subprocess.run(
                [
                    str(Path(sys.executable).parent / "inquest"),
                    "simulate",
                    "--preset",
                    "large",
                    "--seed",
                    "7",
                    "--population",
                    str(args.population),
                    "--out",
                    str(world),
                ],
                check=True,
            )
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{args.database}"')
        result["load"] = _in_child("load", url, data_dir, str(world))
    result["prewarmed_mb"] = _prewarm(url)
    cookies = _in_child("cookies", url, data_dir, str(args.clients))
    # Warm-up, the run and the run with think time each get their own names and persons,
    # so no run is served from what an earlier one left in the workers' caches.
    uids = _in_child("persons", url, data_dir, "3000")
    queries = web_scale.sample_queries(world, 3000)
    pairs = list(zip(queries, uids, strict=False))
    third = len(pairs) // 3

    def work_of(part: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [
            item
            for query, uid in part
            for item in (("search", web_scale.search_path(query)), ("person", f"/persons/{uid}/"))
        ]

    warm, work, later = (work_of(pairs[i * third : (i + 1) * third]) for i in range(3))
    env = dict(
        os.environ,
        INQUEST_DATABASE_URL=url,
        INQUEST_DATA_DIR=data_dir,
        DJANGO_SETTINGS_MODULE="inquest.web.settings",
    )
    bind = f"127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "inquest.web.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(args.workers),
            "--preload",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        base = f"http://{bind}"
        _wait_for(base)
        load_before = os.getloadavg()
        # Warm-up: each worker compiles the name kernels and fills its caches once.
        result["warmup"] = web_scale.drive(base, cookies, warm, args.warmup)
        before = _cpu_ticks()
        result["run"] = web_scale.drive(base, cookies, work, args.seconds)
        result["run"]["cpu_ms_per_request"] = _cpu_per_request(before, result["run"])
        if args.think > 0:
            result["run_with_think_time"] = web_scale.drive(
                base, cookies, later, args.seconds, think=args.think
            )
        result["load_average_before"] = [round(x, 2) for x in load_before]
        result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        result["server"] = {"gunicorn_workers": args.workers, "cpus": os.cpu_count()}
    finally:
        server.terminate()
        server.wait(timeout=30)
    return result


def _cpu_ticks() -> dict[str, int]:
    """CPU clock ticks used so far by the PostgreSQL server, the gunicorn workers, this
    process (the clients) and everything else on the machine (Linux ``/proc``). A process's
    own time and that of its children that ended (a PostgreSQL backend's, in the
    postmaster's) count, so each tick is counted once."""
    ticks: dict[str, int] = {}
    me = str(os.getpid())
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        kind = (
            "clients"
            if pid == me
            else "postgres"
            if "postgres" in command
            else "gunicorn"
            if "gunicorn" in command
            else "other"
        )
        ticks[kind] = ticks.get(kind, 0) + sum(int(f) for f in fields[11:15])
    return ticks


def _cpu_per_request(before: dict[str, int], run: dict[str, Any]) -> dict[str, float]:
    """CPU milliseconds per answered request by process kind, since ``before``."""
    after = _cpu_ticks()
    hz = os.sysconf("SC_CLK_TCK")
    n = max(1, int(run["latency_ms"]["all"].get("n", 0)))
    return {kind: round((after[kind] - before.get(kind, 0)) * 1000 / hz / n, 1) for kind in after}


def _prewarm(url: str) -> int | None:
    """Read every table and index of the database into the operating system's cache
    (``pg_prewarm``, mode ``read``), as on a server that has been up a while; returns the
    megabytes read, or None without the extension. Without this the first minutes measure
    the disk: the runs use persons and names the warm-up did not touch."""
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            rows = conn.execute(
                "SELECT pg_prewarm(c.oid, 'read') FROM pg_class c "
                "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'i')"
            ).fetchall()
    except psycopg.Error:
        return None
    return int(sum(blocks for (blocks,) in rows) * 8 / 1024)


def _wait_for(base: str) -> None:
    import urllib.request

    for _ in range(120):
        try:
            with urllib.request.urlopen(base + "/search/", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the server at {base} did not answer")


def _in_child(step: str, *argv: str) -> Any:
    return run_json([str(HERE / "web_scale.py"), step, *argv])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="store_true", help="the million-record run")
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database")
    parser.add_argument("--database", default="inquest_bench")
    parser.add_argument("--world", default="/tmp/inquest-bench-world")
    parser.add_argument("--population", type=int, default=600_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=30)
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="also run with this mean pause (s) between a client's requests; 0: only back to back",
    )
    args = parser.parse_args()
    out = HERE / "results" / "web.json"
    results = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    if args.scale:
        results["scale"] = run_scale(args)
        print(json.dumps(results["scale"], indent=2))
    else:
        results.update(run_import())
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written {out}")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], sys.argv[3])))
    else:
        main()
