"""Queued pairs keep the value of deciding them and their place in that order
(``value_rank``); queues written before it keep their even-odds order there too."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models import F


def _copy_rank(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("linking", "QueuedPair").objects.update(value_rank=F("rank"))


class Migration(migrations.Migration):
    dependencies = [("linking", "0003_review_queue")]

    operations = [
        migrations.AddField(
            model_name="queuedpair", name="value", field=models.FloatField(default=0.0)
        ),
        migrations.AddField(
            model_name="queuedpair",
            name="value_rank",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(_copy_rank, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="queuedpair",
            constraint=models.UniqueConstraint(
                fields=("run", "value_rank"), name="queued_pair_value_rank"
            ),
        ),
    ]
