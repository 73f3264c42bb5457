"""Django app config for the registry."""

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    """Sources, records, persons, statements, places and events."""

    name = "inquest.web.registry"
    label = "registry"
    default_auto_field = "django.db.models.BigAutoField"
