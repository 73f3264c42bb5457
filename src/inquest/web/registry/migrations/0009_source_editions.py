"""Newer editions of a source's list, imported into the source: each edition's file and counts."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0008_prepared_statement_values"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SourceEdition",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "confidentiality",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (0, "public"),
                            (1, "internal"),
                            (2, "confidential"),
                            (3, "protected"),
                        ],
                        db_index=True,
                        default=2,
                    ),
                ),
                (
                    "number",
                    models.PositiveIntegerField(
                        help_text="2 for the first edition after the source"
                    ),
                ),
                ("file_name", models.CharField(max_length=300)),
                ("file_sha256", models.CharField(max_length=64, unique=True)),
                ("file_bytes", models.BigIntegerField()),
                ("added", models.PositiveIntegerField()),
                ("changed", models.PositiveIntegerField()),
                ("unchanged", models.PositiveIntegerField()),
                (
                    "missing",
                    models.PositiveIntegerField(
                        help_text="records of the source not in this edition"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="editions",
                        to="registry.source",
                    ),
                ),
            ],
            options={
                "ordering": ("source", "number"),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("source", "number"), name="source_edition_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("number__gte", 2)),
                        name="source_edition_number_after_first",
                    ),
                ],
            },
        ),
    ]
