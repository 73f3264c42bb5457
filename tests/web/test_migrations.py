"""Migrations are complete and run both ways."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

WEB_APPS = ("access", "audit", "registry", "runs", "witnesses", "linking")


@pytest.mark.django_db
def test_migrations_are_complete() -> None:
    out = io.StringIO()
    try:  # exits with status 1 if a model change has no migration
        call_command("makemigrations", *WEB_APPS, check=True, dry_run=True, stdout=out)
    except SystemExit:
        pytest.fail(f"models changed without a migration:\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_migration_round_trip() -> None:
    def tables() -> set[str]:
        return {t for t in connection.introspection.table_names() if t.split("_")[0] in WEB_APPS}

    before = tables()
    assert {
        "registry_source",
        "registry_statement",
        "runs_linkagerun",
        "audit_auditentry",
    } <= before
    quiet = {"verbosity": 0, "interactive": False}
    for app in reversed(WEB_APPS):
        call_command("migrate", app, "zero", **quiet)
    assert tables() == set()
    call_command("migrate", **quiet)
    assert tables() == before
