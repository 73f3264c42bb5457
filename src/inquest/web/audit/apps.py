"""Django app config for the audit log."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The hash-chained audit log."""

    name = "inquest.web.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"
