"""Django app config for evidence."""

from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    """Items of evidence, their originals in the write-once store, and their custody."""

    name = "inquest.web.evidence"
    label = "evidence"
    default_auto_field = "django.db.models.BigAutoField"
