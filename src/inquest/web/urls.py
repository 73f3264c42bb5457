"""The workbench's URL map: pages, language switch, JSON API."""

from django.urls import include, path

handler500 = "inquest.web.site.errors.server_error"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("inquest.web.api.urls")),
    path("accounts/", include("inquest.web.accounts.urls")),
    path("witnesses/", include("inquest.web.witnesses.urls")),
    path("evidence/", include("inquest.web.evidence.urls")),
    path("", include("inquest.web.linking.urls")),
    path("", include("inquest.web.registry.urls")),
    path("", include("inquest.web.runs.urls")),
    path("", include("inquest.web.site.urls")),
]
