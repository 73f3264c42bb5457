"""The persons list, its exports and the search folded by person, at the demo's size.

The demo's world holds about 3,300 records of 1,800 persons; this seeds 2,000 persons with
3,500 records in four lists (``tests/web/registry/bulk_persons.py``: names in both scripts,
dates, prisons; linked as a run leaves them), then times each kind of request ``--repeat``
times back to back through Django's test client (no web server, no network), signed in as
an analyst: the first page, a deep page by number of records, a filtered page by date, the
Persian page, a search for a common name, and the CSV and XLSX exports of every person.
Each request's query count is recorded too.

Writes ``benchmarks/results/web_persons.json``: PostgreSQL, and SQLite with ``--sqlite``.
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
OUT = ROOT / "benchmarks" / "results" / "web_persons.json"


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    at = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(at(0.95) * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def child(url: str, data_dir: str, n_persons: int, n_records: int, repeat: int) -> dict[str, Any]:
    """Seed the persons in the database at ``url`` and time the requests."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="inquest.web.settings",
        INQUEST_DATA_DIR=data_dir,
        INQUEST_DATABASE_URL=url,
        INQUEST_ALLOWED_HOSTS="testserver",
        INQUEST_FIELD_KEY=base64.b64encode(secrets.token_bytes(32)).decode("ascii"),
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from tests.web.personas import mark_verified
    from tests.web.registry.bulk_persons import seed_persons

    from inquest.web.access.services import grant_role
    from inquest.web.registry.models import Person, Place

    call_command("migrate", verbosity=0)
    writer = User.objects.create_user("synthetic-bench-investigator", password=None)
    grant_role(None, writer, "investigator")
    t0 = time.perf_counter()
    seed_persons(writer, n_persons, n_records)
    seeded = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    user = User.objects.create_user("synthetic-bench-analyst", password=None)
    grant_role(None, user, "analyst")
    client = Client()
    client.force_login(user)
    mark_verified(client, user)
    evin = Place.objects.get(name="Evin prison").pk
    kinds: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
        "first_page": ("/persons/", {}, {}),
        # page 30 by keyset: after the person the page before ends with
        "deep_page_by_records": (
            "/persons/",
            {
                "sort": "-records",
                "after": str(Person.objects.order_by("-n_records", "-id")[1449].uid),
            },
            {},
        ),
        "filtered_by_date": (
            "/persons/",
            {"source": "B", "dated": "yes", "prison": str(evin), "sort": "date"},
            {},
        ),
        "persian_page": ("/persons/", {"sort": "-name"}, {"HTTP_ACCEPT_LANGUAGE": "fa"}),
        "search_common_name": ("/search/", {"q": "Ali Karimi"}, {}),
        "export_csv": ("/persons/export/csv/", {}, {}),
        "export_xlsx": ("/persons/export/xlsx/", {}, {}),
    }
    for path, params, headers in kinds.values():  # the first request of each loads its code
        client.get(path, params, **headers)  # type: ignore[arg-type]
    timings: dict[str, list[float]] = {kind: [] for kind in kinds}
    queries: dict[str, int] = {}
    for _ in range(repeat):
        for kind, (path, params, headers) in kinds.items():
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                response = client.get(path, params, **headers)  # type: ignore[arg-type]
                timings[kind].append(time.perf_counter() - t0)
            queries[kind] = max(queries.get(kind, 0), len(captured.captured_queries))
            if response.status_code != 200:
                raise RuntimeError(f"{path} {params} answered {response.status_code}")
    return {
        "persons": n_persons,
        "records": n_records,
        "seed_s": round(seeded, 1),
        "requests": {
            kind: {**_percentiles(samples), "queries": queries[kind]}
            for kind, samples in timings.items()
        },
    }


def _run_child(url: str, n_persons: int, n_records: int, repeat: int) -> dict[str, Any]:
    from bench_web import run_json  # this folder is on the path of a script run from it

    with tempfile.TemporaryDirectory(prefix="inquest-bench-persons-") as tmp:
        argv = [__file__, "--child", url, tmp, str(n_persons), str(n_records), str(repeat)]
        result: dict[str, Any] = run_json(argv)
    return result


def main() -> None:
    """Measure on PostgreSQL (and SQLite with ``--sqlite``); write the results file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--records", type=int, default=3500)
    parser.add_argument("--repeat", type=int, default=20, help="requests of each kind")
    parser.add_argument("--sqlite", action="store_true", help="measure SQLite too")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url, data_dir, n_persons, n_records, repeat = args.child
        print(json.dumps(child(url, data_dir, int(n_persons), int(n_records), int(repeat))))
        return
    import psycopg

    results: dict[str, Any] = {
        "repeat": args.repeat,
        "mode": "back-to-back, Django test client",
        "load_average": os.getloadavg()[0],
    }
    name = f"inquest_bench_persons_{os.getpid()}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        results["postgresql"] = _run_child(
            f"{PG_SERVER}/{name}", args.persons, args.records, args.repeat
        )
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if args.sqlite:
        with tempfile.TemporaryDirectory(prefix="inquest-bench-persons-db-") as tmp:
            results["sqlite"] = _run_child(
                f"sqlite:///{tmp}/p.sqlite3", args.persons, args.records, args.repeat
            )
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
