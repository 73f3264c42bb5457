"""Django app config for the site (pages, templates, static files)."""

from django.apps import AppConfig


class SiteConfig(AppConfig):
    """Pages, templates, static files and template tags of the workbench."""

    name = "inquest.web.site"
    label = "inquest_site"
    default_auto_field = "django.db.models.BigAutoField"
