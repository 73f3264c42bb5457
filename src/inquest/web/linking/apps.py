"""Django app config for linking and review."""

from django.apps import AppConfig


class LinkingConfig(AppConfig):
    """Link runs from the database, and reviewers' decisions on uncertain pairs."""

    name = "inquest.web.linking"
    label = "linking"
    default_auto_field = "django.db.models.BigAutoField"
