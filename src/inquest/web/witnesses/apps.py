"""Django app config for witnesses."""

from django.apps import AppConfig


class WitnessesConfig(AppConfig):
    """Witnesses known by pseudonym, with encrypted identities, and their testimonies."""

    name = "inquest.web.witnesses"
    label = "witnesses"
    default_auto_field = "django.db.models.BigAutoField"
