"""``inquest db manage search_keys``: write the registry search rows of records that lack them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from inquest.web.registry import search


class Command(BaseCommand):
    """Index every record written before the search index existed, or since corrected."""

    help = "Write the search rows (name keys and tokens) of records without current ones."

    def add_arguments(self, parser: CommandParser) -> None:
        """``--batch``: records per transaction."""
        parser.add_argument("--batch", type=int, default=5000, help="records per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        """Index in batches and say how many records were (re)indexed."""
        with transaction.atomic():
            done = search.backfill(batch=options["batch"])
        self.stdout.write(f"indexed {done} records")
