"""Django app config for accounts (connects the audit receivers of sign-in events)."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Two-factor authentication, audited sign-in and lockout."""

    name = "inquest.web.accounts"
    label = "inquest_accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Audit failed sign-ins and lockouts."""
        from inquest.web.accounts import receivers  # noqa: F401 - connects on import
