"""The workbench at registry scale: load a synthetic world of about a million records into a
PostgreSQL database, serve it with gunicorn, and time search and person pages under load.

Used by ``bench_web.py --scale``. Steps, each in its own process where Django's settings
differ:

1. ``inquest simulate --preset large`` (population 600,000: about 1,020,000 records on four
   lists, 508,000 persons recorded at least once; every person synthetic);
2. ``load``: migrate a fresh database, then COPY sources, records, versions, persons (the
   simulation's truth clusters), memberships, statements (one per mapped column, as
   ``add_record_statements`` makes them), search rows and tokens (``registry.search``), one
   execution event per person at its prison with its date of death, and its participant.
   This bypasses the services (and so writes no audit entries): it is a bulk generator for a
   benchmark database, never for real data;
3. ``serve``: gunicorn (sync workers) on loopback, DEBUG off;
4. ``drive``: 20 client threads, each with its own signed-in session, request search pages
   (two-word names from the world, in either script, as a user would type them) and person
   pages back to back for a fixed time; latency percentiles per page kind.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import statistics
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
USER = "synthetic-bench-researcher"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _setup(url: str, data_dir: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="inquest.web.settings",
        INQUEST_DATA_DIR=data_dir,
        INQUEST_DATABASE_URL=url,
    )
    import django

    django.setup()


def load(url: str, data_dir: str, world: Path) -> dict[str, Any]:
    """Migrate the database at ``url`` and bulk-load the world in ``world``; returns counts
    and timings."""
    _setup(url, data_dir)
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from inquest.text import normalize
    from inquest.web.access.levels import Level
    from inquest.web.access.services import grant_role
    from inquest.web.registry import models as m
    from inquest.web.registry import search
    from inquest.web.registry.properties import column_properties

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    user = User.objects.create_user(USER, password=None)
    grant_role(None, user, "researcher")
    level = int(Level.INTERNAL)
    now = dt.datetime.now(dt.UTC)
    mapping = column_properties()
    population = {int(row["person_id"]): row for row in _rows(world / "population.csv")}
    truth = {
        (row["list"], row["record_id"]): int(row["person_id"]) for row in _rows(world / "truth.csv")
    }
    lists = sorted((world / "lists").glob("*.csv"))
    counts: dict[str, int] = {}
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None

    def copy(model: type, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> None:
        table = model._meta.db_table  # type: ignore[attr-defined]
        n = 0
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cur, cur.copy(sql) as out:
            for row in rows:
                out.write_row(row)
                n += 1
        counts[table] = counts.get(table, 0) + n

    with raw.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # no FK triggers while loading
    # Places: one prison per prison of the world, named as the lists name it.
    prisons = sorted({p["prison"] for p in population.values() if p["prison"]})
    place_ids = {pid: i + 1 for i, pid in enumerate(prisons)}
    copy(
        m.Place,
        [
            "id",
            "uid",
            "name",
            "name_original",
            "other_names",
            "kind",
            "details",
            "created_at",
            "confidentiality",
        ],
        (
            (
                place_ids[p],
                uuid.uuid4(),
                f"{p.replace('_', ' ').title()} prison",
                "",
                "[]",
                "prison",
                "{}",
                now,
                int(Level.PUBLIC),
            )
            for p in prisons
        ),
    )
    record_id = version_id = statement_id = 0
    person_ids: dict[int, int] = {}
    persons: list[tuple[int, str, dt.date | None]] = []
    memberships: list[tuple[int, int]] = []
    token_rows: list[tuple[Any, ...]] = []
    tokens_of: dict[str, list[str]] = {}
    for source_id, path in enumerate(lists, start=1):
        code = path.stem
        m.Source.objects.create(
            id=source_id,
            code=code,
            name=f"Synthetic list {code}",
            origin="inquest.simulate (synthetic)",
            confidentiality=level,
        )
        rows = _rows(path)
        records, versions, statements, keys = [], [], [], []
        for number, row in enumerate(rows, start=1):
            record_id += 1
            version_id += 1
            values = {k: v for k, v in row.items() if k != "record_id" and v}
            records.append((record_id, source_id, number, row["record_id"], now, level))
            versions.append(
                (
                    version_id,
                    record_id,
                    1,
                    json.dumps(values, ensure_ascii=False),
                    "",
                    "",
                    "imported",
                    now,
                    level,
                )
            )
            truth_id = truth[(code, row["record_id"])]
            person_id = person_ids.get(truth_id)
            name = search.record_name(values)[:300]
            if person_id is None:
                person_id = person_ids[truth_id] = len(person_ids) + 1
                died = population[truth_id]["death_date"]
                persons.append((person_id, name, dt.date.fromisoformat(died) if died else None))
            memberships.append((person_id, record_id))
            for column, text in values.items():
                if column in mapping:
                    statement_id += 1
                    statements.append(
                        (
                            statement_id,
                            person_id,
                            mapping[column],
                            text,
                            text,
                            "",
                            source_id,
                            record_id,
                            version_id,
                            column,
                            now,
                            level,
                        )
                    )
            prison = normalize(values.get("prison", ""), "key")
            keys.append(
                (
                    record_id,
                    1,
                    source_id,
                    person_id,
                    name,
                    normalize(name, "key")[:300],
                    (search._bare(prison) or prison)[:200],
                    level,
                )
            )
            if name not in tokens_of:
                tokens_of[name] = search.name_tokens(name)
            token_rows.extend((record_id, t, name, source_id, level) for t in tokens_of[name])
        copy(
            m.Record,
            [
                "id",
                "uid",
                "source_id",
                "row_number",
                "external_id",
                "created_at",
                "confidentiality",
            ],
            ((r[0], uuid.uuid4(), *r[1:]) for r in records),
        )
        copy(
            m.RecordVersion,
            [
                "id",
                "record_id",
                "number",
                "raw",
                "prepared_with",
                "reason",
                "created_at",
                "confidentiality",
            ],
            ((v[0], v[1], v[2], v[3], v[4], v[6], v[7], v[8]) for v in versions),
        )
        copy(
            m.Statement,
            [
                "id",
                "person_id",
                "prop",
                "value",
                "original_value",
                "lang",
                "source_id",
                "record_id",
                "record_version_id",
                "field",
                "created_at",
                "confidentiality",
            ],
            iter(statements),
        )
        copy(
            m.NameKey,
            [
                "record_id",
                "version",
                "source_id",
                "person_id",
                "name",
                "key",
                "prison_key",
                "confidentiality",
            ],
            iter(keys),
        )
    # the stored count of records per person, where the code has it (the services' refresh
    # keeps it; migration 0011 fills it on a database loaded by code without it)
    counted = any(f.name == "n_records" for f in m.Person._meta.get_fields())
    n_records: dict[int, int] = {}
    for person_id, _ in memberships:
        n_records[person_id] = n_records.get(person_id, 0) + 1
    person_columns = [
        "id",
        "uid",
        "label",
        "name_fa",
        "name_en",
        "death_earliest",
        "death_latest",
        "created_at",
        "confidentiality",
    ]
    copy(
        m.Person,
        # the shown names are a first record's name, not the rule's choice among the
        # person's records (the services' refresh): the list pages cost the same either way
        person_columns + (["n_records"] if counted else []),
        (
            (pid, uuid.uuid4(), label, label, label, day, day, now, level)
            + ((n_records[pid],) if counted else ())
            for pid, label, day in persons
        ),
    )
    copy(
        m.PersonRecord,
        ["id", "person_id", "record_id", "created_at", "confidentiality"],
        ((i + 1, p, r, now, level) for i, (p, r) in enumerate(memberships)),
    )
    copy(
        m.NameToken,
        ["id", "entry_id", "token", "name", "source_id", "confidentiality"],
        ((i + 1, *row) for i, row in enumerate(token_rows)),
    )
    events = []
    for truth_id, person_id in person_ids.items():
        p = population[truth_id]
        day = dt.date.fromisoformat(p["death_date"]) if p["death_date"] else None
        events.append((person_id, person_id, day, place_ids.get(p["prison"])))
    copy(
        m.Event,
        [
            "id",
            "uid",
            "kind",
            "date_earliest",
            "date_latest",
            "date_original",
            "place_id",
            "description",
            "created_at",
            "confidentiality",
        ],
        ((e, uuid.uuid4(), "execution", d, d, "", pl, "", now, level) for e, _, d, pl in events),
    )
    copy(
        m.EventParticipant,
        ["id", "event_id", "person_id", "role", "note", "confidentiality"],
        ((e, e, p, "subject", "", level) for e, p, _, _ in events),
    )
    with raw.cursor() as cur:
        cur.execute("SET session_replication_role = DEFAULT")
        for model in (
            m.Place,
            m.Source,
            m.Record,
            m.RecordVersion,
            m.Statement,
            m.Person,
            m.PersonRecord,
            m.NameToken,
            m.Event,
            m.EventParticipant,
        ):
            table = model._meta.db_table
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
    raw.commit()
    with raw.cursor() as cur:
        raw.autocommit = True
        cur.execute("VACUUM ANALYZE")
    return {"counts": counts, "load_s": round(time.perf_counter() - t0, 1)}


def session_cookies(url: str, data_dir: str, n: int) -> list[str]:
    """``n`` signed-in sessions of the bench user, each verified with a TOTP device (the
    researcher role must use a second factor), as ``sessionid`` cookie values."""
    _setup(url, data_dir)
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.get(username=USER)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", confirmed=True)
    cookies = []
    for _ in range(n):
        client = Client()
        client.force_login(user)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return cookies


def sample_queries(world: Path, n: int, seed: int = 1) -> list[str]:
    """Two-word names as a user would type them: given and family name of people in the
    world, in Persian script or the simulation's Latin spelling, half and half."""
    rng = random.Random(seed)
    people = list(_rows(world / "population.csv"))
    out = []
    for p in rng.sample(people, n):
        if rng.random() < 0.5:
            out.append(f"{p['given_name']} {p['family_name']}")
        else:
            out.append(f"{p['given_name_latin']} {p['family_name_latin']}")
    return out


def sample_persons(url: str, data_dir: str, n: int, seed: int = 1) -> list[str]:
    """``n`` random person uids from the database."""
    _setup(url, data_dir)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT uid FROM registry_person TABLESAMPLE SYSTEM (2) REPEATABLE (%s) LIMIT %s",
            [seed, n],
        )
        return [str(row[0]) for row in cur.fetchall()]


def drive(
    base: str,
    cookies: list[str],
    work: list[tuple[str, str]],
    seconds: float,
    think: float = 0.0,
) -> dict[str, Any]:
    """Each cookie's thread requests ``work`` items (kind, path) round-robin from its own
    offset for ``seconds``; returns latency percentiles (ms) per kind and overall, and errors.

    ``think`` 0: each client sends its next request as soon as the last one is answered (a
    stress test: 20 clients keep 20 requests in flight). Otherwise each client waits a random
    time between requests (exponential, mean ``think`` seconds, seeded per client), as a
    person reading the page does."""
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(index: int, cookie: str) -> None:
        opener = urllib.request.build_opener()
        opener.addheaders = [("Cookie", f"sessionid={cookie}")]
        i = index * 997
        pause = random.Random(index)
        while time.perf_counter() < stop:
            if think > 0:
                time.sleep(min(pause.expovariate(1 / think), max(0.0, stop - time.perf_counter())))
                if time.perf_counter() >= stop:
                    break
            kind, path = work[i % len(work)]
            i += 1
            t = time.perf_counter()
            try:
                with opener.open(base + path, timeout=30) as response:
                    body = response.read()
                    ok = response.status == 200 and b"<main>" in body
                    final = response.geturl()
            except Exception as exc:
                with lock:
                    errors.append(f"{path}: {exc}")
                continue
            ms = (time.perf_counter() - t) * 1000
            with lock:
                if not ok or not final.startswith(base + path.split("?")[0]):
                    errors.append(f"{path}: answered {final}")
                latencies.setdefault(kind, []).append(ms)

    threads = [threading.Thread(target=client, args=(i, c)) for i, c in enumerate(cookies)]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - t0
    every = [x for values in latencies.values() for x in values]
    result = {kind: _percentiles(values) for kind, values in sorted(latencies.items())}
    result["all"] = _percentiles(every)
    return {
        "clients": len(cookies),
        "think_s": think,
        "seconds": round(wall, 1),
        "requests_per_s": round(len(every) / wall, 1),
        "latency_ms": result,
        "errors": len(errors),
        "error_examples": errors[:5],
    }


def _percentiles(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        return {"n": len(values), **({"max": round(values[0], 1)} if values else {})}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "n": len(values),
        "p50": round(cuts[49], 1),
        "p95": round(cuts[94], 1),
        "p99": round(cuts[98], 1),
        "max": round(max(values), 1),
    }


def search_path(query: str) -> str:
    """The search page's URL for ``query``."""
    return "/search/?" + urllib.parse.urlencode({"q": query})


if __name__ == "__main__":
    import sys

    step, url, data_dir, arg = sys.argv[1:5]
    if step == "load":
        out: Any = load(url, data_dir, Path(arg))
    elif step == "cookies":
        out = session_cookies(url, data_dir, int(arg))
    elif step == "persons":
        out = sample_persons(url, data_dir, int(arg))
    else:
        raise SystemExit(f"unknown step {step!r}")
    print(json.dumps(out))
