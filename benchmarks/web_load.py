"""The workbench's list pages at registry scale, before and after keyset paging and stored
counts: persons list, person search and review queue over a million records and 100,000
pending pairs on PostgreSQL, one user back to back and 20 users pausing between pages.

Steps (each in a child process, with the code under test first on ``PYTHONPATH``):

1. ``inquest simulate --preset large`` (population 600,000: about 1,020,000 records on four
   lists, 508,000 persons; every person synthetic), unless the world is there already;
2. ``web_scale.load`` by the baseline code (``--baseline``: the ``src`` folder of a checkout
   of the code before, e.g. a ``git worktree`` of main), else by this checkout's: migrate,
   then COPY sources, records, versions, persons, memberships, statements, search rows;
3. ``pairs``: a succeeded linkage run pairing 100,000 records of the first list with
   100,000 of the second, every pair undecided inside the review band
   (``tests/web/review/bulk.py``), and its review queue written;
4. per code (baseline first, then this checkout after its migrations): gunicorn (sync
   workers, DEBUG off) on loopback; a warm-up; then (a) one client requesting the pages
   back to back and (b) 20 clients, each signed in, pausing a random time between pages
   (exponential, mean ``--think`` seconds), as people reading them do. Clients are threads
   with ``urllib`` against the live server (``web_scale.drive``).

Pages, each a kind of its own: the persons list's first page, a page deep in it (about
250,000 persons in, by name: ``?page=`` for the baseline's offset paging, ``?after=`` for
keyset), its first page by number of records; search by a two-word name in Persian script
and in Latin; the review queue's first page and a page near its end (keyset in both); a
review pair's page.

Writes ``benchmarks/results/web_load.json`` (load average, machine, seed). Synthetic people
only. The database is dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "results" / "web_load.json"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
SEED = 7
KINDS = (
    "persons_first",
    "persons_deep",
    "persons_by_records",
    "search_fa",
    "search_latin",
    "review_first",
    "review_deep",
    "review_pair",
)


def _setup(url: str, data_dir: str) -> None:
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT))
    import web_scale

    web_scale._setup(url, data_dir)


def pairs(url: str, data_dir: str, n: int) -> dict[str, Any]:
    """A run pairing ``n`` records of the first list with ``n`` of the second, its queue
    written; the bench user is made an analyst too (reviewing needs it)."""
    _setup(url, data_dir)
    from django.contrib.auth.models import User
    from tests.web.review.bulk import pending_pairs_over

    import web_scale
    from inquest.web.access.services import grant_role
    from inquest.web.linking import queue
    from inquest.web.registry.models import Record, Source

    user = User.objects.get(username=web_scale.USER)
    grant_role(None, user, "analyst")
    first, second = Source.objects.order_by("id")[:2]
    left, right = (
        list(Record.objects.filter(source=s).order_by("id").values_list("pk", flat=True)[:n])
        for s in (first, second)
    )
    t0 = time.perf_counter()
    run = pending_pairs_over(user, left, right, [first, second], Path(data_dir) / "run")
    seeded = time.perf_counter() - t0
    t0 = time.perf_counter()
    queue.ensure_built(run)
    return {
        "pending_pairs": len(left),
        "seed_s": round(seeded, 1),
        "build_queue_s": round(time.perf_counter() - t0, 1),
    }


def targets(url: str, data_dir: str, n: int) -> dict[str, Any]:
    """What the deep pages and pair pages ask for: ``n`` persons about 250,000 in by
    English name (each with its position), ``n`` queue ranks near the end, ``n`` pairs."""
    _setup(url, data_dir)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT position, uid FROM (SELECT row_number() OVER (ORDER BY name_en, id) AS "
            "position, uid FROM registry_person WHERE merged_into_id IS NULL) AS ordered "
            "WHERE position %% 50 = 0 AND position BETWEEN 250000 AND %s ORDER BY position",
            [250000 + 50 * (n - 1)],
        )
        persons = [(int(p), str(u)) for p, u in cur.fetchall()]
        cur.execute("SELECT MAX(rank) FROM linking_queuedpair")
        (last,) = cur.fetchone()
        cur.execute(
            "SELECT a.uid, b.uid FROM linking_queuedpair q JOIN registry_record a ON "
            "a.id = q.record_a_id JOIN registry_record b ON b.id = q.record_b_id "
            "WHERE q.rank %% 997 = 1 ORDER BY q.rank LIMIT %s",
            [n],
        )
        pair_uids = [(str(a), str(b)) for a, b in cur.fetchall()]
    return {
        "persons": persons,
        "ranks": [int(last) - 200 - i for i in range(n)],
        "pairs": pair_uids,
    }


def migrate(url: str, data_dir: str) -> dict[str, Any]:
    """Apply this checkout's migrations (0011 fills the stored counts); timed."""
    _setup(url, data_dir)
    from django.core.management import call_command
    from django.db import connection

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {"migrate_s": round(migrated, 1)}


def explain(url: str, data_dir: str, uid: str) -> dict[str, Any]:
    """The plans PostgreSQL chooses for the persons list's queries (first page by name, the
    page after person ``uid``, first page by number of records): each query ``person_page``
    makes, run under ``EXPLAIN (ANALYZE, BUFFERS)``; the plan's lines and its time."""
    _setup(url, data_dir)
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import web_scale
    from inquest.web.registry import queries

    user = User.objects.get(username=web_scale.USER)
    plans: dict[str, list[dict[str, Any]]] = {}
    asks = {
        "first_by_name": {},
        "after_by_name": {"after": uid},
        "first_by_records": {"sort": queries.PersonSort.RECORDS_DESC},
    }
    for kind, ask in asks.items():
        sort = ask.pop("sort", queries.PersonSort.NAME)
        with CaptureQueriesContext(connection) as captured:
            queries.person_page(user, queries.PersonFilters(), sort, "en", **ask)
        plans[kind] = []
        for query in captured.captured_queries:
            if "registry_person" not in query["sql"]:
                continue
            with connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                lines = [row[0] for row in cur.fetchall()]
            plans[kind].append({"sql": query["sql"][:400], "plan": lines})
    return plans


def _child(src: Path, step: str, *argv: str) -> Any:
    """Run a step of this file (or ``web_scale.py``) with ``src`` first on the path."""
    script = HERE / ("web_scale.py" if step in ("load", "cookies") else "web_load.py")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(src), str(HERE), str(ROOT)]))
    done = subprocess.run(
        [sys.executable, str(script), step, *argv],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def _work(
    keyset: bool, aim: dict[str, Any], queries: list[str], part: int, parts: int
) -> list[tuple[str, str]]:
    """The requests of one phase (``part`` of ``parts``, so that no phase repeats another's
    names), interleaved by kind."""
    import web_scale

    def share(items: list[Any]) -> list[Any]:
        size = max(1, len(items) // parts)
        return items[part * size : (part + 1) * size] or items

    persons = share(aim["persons"])
    fa = share([q for q in queries if not q.isascii()])
    latin = share([q for q in queries if q.isascii()])
    ranks, pair_uids = share(aim["ranks"]), share(aim["pairs"])
    work: list[tuple[str, str]] = []
    for i in range(max(len(fa), len(latin), len(persons))):
        position, uid = persons[i % len(persons)]
        page = position // 50 + 1
        a, b = pair_uids[i % len(pair_uids)]
        deep = f"/persons/?after={uid}&page={page}" if keyset else f"/persons/?page={page}"
        work += [
            ("persons_first", "/persons/"),
            ("persons_deep", deep),
            ("persons_by_records", "/persons/?sort=-records"),
            ("search_fa", web_scale.search_path(fa[i % len(fa)])),
            ("search_latin", web_scale.search_path(latin[i % len(latin)])),
            ("review_first", "/review/"),
            ("review_deep", f"/review/?after={ranks[i % len(ranks)]}"),
            ("review_pair", f"/review/{a}/{b}/"),
        ]
    return work


def _measure(
    src: Path,
    url: str,
    data_dir: str,
    cookies: list[str],
    phases: list[list[tuple[str, str]]],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Serve the database with the code in ``src``; warm up, then drive it one client back
    to back and ``len(cookies)`` clients pausing between pages."""
    import web_scale
    from bench_web import _wait_for

    env = dict(
        os.environ,
        PYTHONPATH=str(src),
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
            "--timeout",
            "120",
            "--preload",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    out: dict[str, Any] = {}
    try:
        base = f"http://{bind}"
        _wait_for(base)
        warm, alone, together = phases
        out["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
        web_scale.drive(base, cookies, warm, args.warmup)
        out["back_to_back"] = web_scale.drive(base, cookies[:1], alone, args.seconds)
        out["users"] = web_scale.drive(base, cookies, together, args.seconds, think=args.think)
        out["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        server.terminate()
        server.wait(timeout=60)
    return out


def main() -> None:
    """Load (or reuse), seed the pairs, measure the baseline and this checkout; write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="src folder of the code before")
    parser.add_argument("--database", default="inquest_web_load")
    parser.add_argument("--world", type=Path, default=Path(tempfile.gettempdir()) / "inquest-world")
    parser.add_argument("--population", type=int, default=600_000)
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=20)
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between pages")
    parser.add_argument("--reuse", action="store_true", help="the database is loaded already")
    parser.add_argument(
        "--pairs-only", action="store_true", help="with --reuse: seed the pairs, not the records"
    )
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument(
        "--update",
        action="store_true",
        help="with --reuse and no --baseline: measure this checkout again, keeping the "
        "results file's baseline (measured on the same database before its migrations)",
    )
    args = parser.parse_args()
    import psycopg

    import web_scale
    from bench_web import _prewarm

    here_src = ROOT / "src"
    first = args.baseline or here_src
    url = f"{PG_SERVER}/{args.database}"
    data_dir = tempfile.mkdtemp(prefix="inquest-bench-load-")
    result: dict[str, Any] = {
        "database": "postgresql",
        "population": args.population,
        "seed": SEED,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
        },
        "clients": "threads with urllib against gunicorn (sync workers) on loopback",
        "gunicorn_workers": args.workers,
        "think_s": args.think,
        "seconds_per_phase": args.seconds,
    }
    if args.update and OUT.exists():
        earlier = json.loads(OUT.read_text(encoding="utf-8"))
        result.update({k: v for k, v in earlier.items() if k not in result})
        result["remeasured"] = "keyset, on the database the baseline was measured on"
    try:
        if not args.reuse:
            if not (args.world / "population.csv").exists():
                subprocess.run(
                    [
                        str(Path(sys.executable).parent / "inquest"),
                        "simulate",
                        "--preset",
                        "large",
                        "--seed",
                        str(SEED),
                        "--population",
                        str(args.population),
                        "--out",
                        str(args.world),
                    ],
                    check=True,
                )
            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{args.database}"')
            result["load"] = _child(first, "load", url, data_dir, str(args.world))
        if not args.reuse or args.pairs_only:
            result["pairs"] = _child(first, "pairs", url, data_dir, str(args.pairs))
        cookies = _child(first, "cookies", url, data_dir, str(args.clients))
        aim = _child(first, "targets", url, data_dir, "300")
        queries = web_scale.sample_queries(args.world, 3000, seed=SEED)
        random.Random(SEED).shuffle(queries)
        runs: list[tuple[str, Path]] = (
            [("baseline", args.baseline), ("keyset", here_src)] if args.baseline else []
        )
        runs = runs or [("keyset", here_src)]
        for part, (name, src) in enumerate(runs):
            if name == "keyset" and args.baseline:
                result["migrate"] = _child(here_src, "migrate", url, data_dir, "-")
            result.setdefault("prewarmed_mb", {})[name] = _prewarm(url)
            phases = [
                _work(name == "keyset", aim, queries, 3 * part + i, 3 * len(runs)) for i in range(3)
            ]
            result[name] = _measure(src, url, data_dir, cookies, phases, args)
            if name == "keyset":
                uid = aim["persons"][0][1]
                result["explain"] = _child(here_src, "explain", url, data_dir, uid)
            print(json.dumps({name: result[name]}, indent=1), flush=True)
    finally:
        if not args.keep:
            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    OUT.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written {OUT}")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    if len(sys.argv) == 5 and sys.argv[1] in ("pairs", "targets", "migrate", "explain"):
        step, url, data_dir, arg = sys.argv[1:5]
        if step == "explain":
            print(json.dumps(explain(url, data_dir, arg)))
        elif step == "pairs":
            print(json.dumps(pairs(url, data_dir, int(arg))))
        elif step == "targets":
            print(json.dumps(targets(url, data_dir, int(arg))))
        else:
            print(json.dumps(migrate(url, data_dir)))
    else:
        main()
