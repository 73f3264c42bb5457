"""The review queue at 100,000 pending pairs: how long its pages take, on PostgreSQL.

Target (issue 20): the queue pages in under 200 ms at the 95th percentile. This measures the
back-to-back figure (one client, requests one after another through Django's test client, so
without a web server or network; the 20-user figure is ``bench_web.py --scale``'s business).

Steps, in a child process per database (Django's settings are fixed per process):

1. migrate a fresh database; a synthetic analyst; two lists of ``--pairs`` records each and a
   succeeded linkage run pairing them, every pair undecided inside the review band
   (``tests/web/review/bulk.py``: ``bulk_create``, no services);
2. ``build``: the first request writes the run's queue to the database (timed once);
3. requests, each kind ``--repeat`` times: the first page; pages deep in the queue (keyset,
   after a rank near the end); a probability band; one list pair; decided pairs only; a pair's
   own page. Latency percentiles per kind and over all.

Writes ``benchmarks/results/web_review_queue.json``. ``--sqlite`` measures SQLite as well.
Synthetic records only.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "web_review_queue.json"


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    at = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(at(0.95) * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def child(url: str, data_dir: str, pairs: int, repeat: int) -> dict[str, Any]:
    """Seed ``pairs`` pending pairs in the database at ``url`` and time the queue's pages."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="inquest.web.settings",
        INQUEST_DATA_DIR=data_dir,
        INQUEST_DATABASE_URL=url,
        INQUEST_ALLOWED_HOSTS="testserver",
        # a throw-away key for the analyst's second factor, sealed like a deployment's
        INQUEST_FIELD_KEY=base64.b64encode(secrets.token_bytes(32)).decode("ascii"),
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from tests.web.personas import mark_verified
    from tests.web.review.bulk import seed_pending_pairs

    from inquest.web.access.services import grant_role
    from inquest.web.linking.models import QueuedPair

    call_command("migrate", verbosity=0)
    user = User.objects.create_user("synthetic-bench-analyst", password=None)
    grant_role(None, user, "analyst")
    t0 = time.perf_counter()
    run = seed_pending_pairs(user, pairs, Path(data_dir) / "run")
    seeded = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
    client = Client()
    client.force_login(user)
    mark_verified(client, user)  # the analyst's role asks for a second factor
    t0 = time.perf_counter()
    first = client.get("/review/")
    build = time.perf_counter() - t0
    if first.status_code != 200:
        raise RuntimeError(f"/review/ answered {first.status_code}")
    deep = QueuedPair.objects.filter(run=run).order_by("-rank").values_list("rank", flat=True)[200]
    sample = list(
        QueuedPair.objects.filter(run=run)
        .order_by("rank")
        .values_list("record_a__uid", "record_b__uid")[:: max(1, pairs // repeat)]
    )
    kinds = {
        "first_page": lambda i: "/review/",
        "deep_page": lambda i: f"/review/?after={deep - i}",
        "band": lambda i: "/review/?low=0.3&high=0.35",
        "list_pair": lambda i: "/review/?first=QB&second=QA",
        "decided": lambda i: "/review/?state=decided",
        "pair_page": lambda i: "/review/{}/{}/".format(*sample[i % len(sample)]),
    }
    timings: dict[str, list[float]] = {kind: [] for kind in kinds}
    for i in range(repeat):
        for kind, path in kinds.items():
            t0 = time.perf_counter()
            response = client.get(path(i))
            timings[kind].append(time.perf_counter() - t0)
            if response.status_code != 200:
                raise RuntimeError(f"{path(i)} answered {response.status_code}")
    everything = [t for samples in timings.values() for t in samples]
    return {
        "pending_pairs": pairs,
        "seed_s": round(seeded, 1),
        "build_queue_s": round(build, 1),
        "pages": {kind: _percentiles(samples) for kind, samples in timings.items()},
        "all": _percentiles(everything),
    }


def _run_child(url: str, pairs: int, repeat: int) -> dict[str, Any]:
    from bench_web import run_json  # this folder is on the path of a script run from it

    with tempfile.TemporaryDirectory(prefix="inquest-bench-review-") as tmp:
        result: dict[str, Any] = run_json([__file__, "--child", url, tmp, str(pairs), str(repeat)])
    return result


def main() -> None:
    """Measure on PostgreSQL (and SQLite with ``--sqlite``); write the results file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40, help="requests of each kind")
    parser.add_argument("--sqlite", action="store_true", help="measure SQLite too")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url, data_dir, pairs, repeat = args.child
        print(json.dumps(child(url, data_dir, int(pairs), int(repeat))))
        return
    import psycopg

    results: dict[str, Any] = {"repeat": args.repeat, "mode": "back-to-back, Django test client"}
    name = f"inquest_bench_review_{os.getpid()}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        results["postgresql"] = _run_child(f"{PG_SERVER}/{name}", args.pairs, args.repeat)
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if args.sqlite:
        with tempfile.TemporaryDirectory(prefix="inquest-bench-review-db-") as tmp:
            results["sqlite"] = _run_child(f"sqlite:///{tmp}/q.sqlite3", args.pairs, args.repeat)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
