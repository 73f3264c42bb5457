"""Django app config for runs."""

from django.apps import AppConfig


class RunsConfig(AppConfig):
    """Linkage runs, estimate runs and their artefacts."""

    name = "inquest.web.runs"
    label = "runs"
    default_auto_field = "django.db.models.BigAutoField"
