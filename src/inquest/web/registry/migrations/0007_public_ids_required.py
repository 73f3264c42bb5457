"""Public ids (``uid``) of records, places and events are required and unique from now on."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_public_ids")]

    operations = [
        migrations.AlterField(
            model_name=model,
            name="uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        )
        for model in ("record", "place", "event")
    ]
