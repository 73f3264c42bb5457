"""Django app config for access control."""

from django.apps import AppConfig


class AccessConfig(AppConfig):
    """Confidentiality levels, role grants and the access matrix."""

    name = "inquest.web.access"
    label = "access"
    default_auto_field = "django.db.models.BigAutoField"
