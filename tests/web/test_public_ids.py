"""Rows made before public ids existed get one each when the migrations run (SQLite and
PostgreSQL), batch by batch; pages and the API never show a sequential id."""

from __future__ import annotations

import uuid

import pytest
from django.core.management import call_command
from django.db import connection

from inquest.web.registry.models import Record
from inquest.web.runs.models import LinkageRun

QUIET = {"verbosity": 0, "interactive": False}


@pytest.mark.django_db(transaction=True)
def test_existing_rows_get_distinct_public_ids() -> None:
    call_command("migrate", "registry", "0005_search_index", **QUIET)
    call_command("migrate", "runs", "0001_initial", **QUIET)
    ids = (1, 2, 3, 120_001)  # over two batches of the fill
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registry_source (id, code, name, name_original, origin, obtained_how,"
            " description, file_name, created_at, confidentiality)"
            " VALUES (1, 'old', 'old', '', 'synthetic', '', '', '', %s, 1)",
            ["2020-01-01T00:00:00+00:00"],
        )
        for pk in ids:
            cursor.execute(
                "INSERT INTO registry_record (id, source_id, row_number, external_id,"
                " created_at, confidentiality) VALUES (%s, 1, %s, '', %s, 1)",
                [pk, pk, "2020-01-01T00:00:00+00:00"],
            )
        cursor.execute(
            "INSERT INTO runs_linkagerun (id, parameters, input_sha256, code_version, status,"
            " started_at, error, confidentiality) VALUES (7, '{}', '', 'x', 'running', %s, '', 1)",
            ["2020-01-01T00:00:00+00:00"],
        )
    try:
        call_command("migrate", **QUIET)
        uids = list(Record.objects.order_by("pk").values_list("uid", flat=True))
        assert len(uids) == len(ids) and len(set(uids)) == len(ids)
        assert all(isinstance(u, uuid.UUID) for u in uids)
        assert isinstance(LinkageRun.objects.get(pk=7).uid, uuid.UUID)
    finally:
        LinkageRun.objects.all().delete()
        Record.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM registry_source")
