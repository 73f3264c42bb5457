"""A person's number of records, kept on the person (``inquest.web.registry.persons``) so
that the persons list neither counts memberships per page nor sorts on a count; filled here
for persons written before, in one statement: the records at or below the person's level."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    person_model = apps.get_model("registry", "Person")
    membership_model = apps.get_model("registry", "PersonRecord")
    level = OuterRef("confidentiality")
    counted = (
        membership_model.objects.filter(person=OuterRef("pk"))
        .filter(
            confidentiality__lte=level,
            record__confidentiality__lte=level,
            record__source__confidentiality__lte=level,
        )
        .order_by()
        .values("person")
        .annotate(n=Count("pk"))
        .values("n")
    )
    person_model.objects.update(n_records=Coalesce(Subquery(counted), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0010_person_summary"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="n_records",
            field=models.PositiveIntegerField(
                default=0, help_text="records of the person at or below its level"
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["n_records", "id"], name="person_records"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
