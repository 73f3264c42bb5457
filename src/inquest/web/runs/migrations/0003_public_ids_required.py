"""Public ids (``uid``) of runs and their artefacts are required and unique from now on."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("runs", "0002_public_ids")]

    operations = [
        migrations.AlterField(
            model_name=model,
            name="uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        )
        for model in ("linkagerun", "estimaterun", "artefact")
    ]
