"""Workbench: importing a list and reading it back through access control, SQLite vs PostgreSQL.

For each database (a fresh SQLite file; a fresh PostgreSQL database at 127.0.0.1:5432 if one
answers) the script migrates, then times:
- ``migrate``: creating every table from nothing;
- ``import``: ``import_list`` of a synthetic 20,000-row CSV (read, validate, one transaction
  writing the source, 20,000 records, 20,000 versions and the audit entries);
- ``reimport``: the same file again (found by its SHA-256, nothing written);
- ``sources_for``: the source list with its per-user count of visible records;
- ``visible_records``: counting the records a user may see (level + parent source level);
- ``verify_chain``: recomputing the audit log's hash chain.

Wall and CPU (``time.process_time``) are reported: CPU counts this Python process only, not the
PostgreSQL server, and wall > CPU also shows contention (2 cores, shared). Each database runs in
its own child process because Django's settings are fixed per process. Synthetic rows only.
"""

from __future__ import annotations

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
ROWS = 20_000
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
    from inquest.web.audit.services import verify_chain
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
    report, timings["verify_chain"] = _timed(verify_chain)
    assert report.intact
    timings["import"]["rows_per_s"] = round(ROWS / timings["import"]["wall_s"])
    return timings


def _run_child(url: str, data_dir: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", url, data_dir],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
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
    out = HERE / "results" / "web.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written {out}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], sys.argv[3])))
    else:
        main()
