"""Django app config for operations."""

from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Settings from the environment, response hardening and backups (no models)."""

    name = "inquest.web.ops"
    label = "ops"
