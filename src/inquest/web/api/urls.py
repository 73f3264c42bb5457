"""URLs of the JSON API: its root (the endpoints), the OpenAPI schema (``/api/schema/``) and
its documentation (``/api/docs/``, Swagger UI served from the package), for signed-in callers."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from inquest import __version__
from inquest.web.api import views
from inquest.web.api.permissions import SignedIn

app_name = "api"

router = DefaultRouter()
# JSON is the one format: no ".json" twins of every route
router.include_format_suffixes = False
router.register("sources", views.SourceViewSet, basename="source")
router.register("records", views.RecordViewSet, basename="record")
router.register("persons", views.PersonViewSet, basename="person")
router.register("places", views.PlaceViewSet, basename="place")
router.register("events", views.EventViewSet, basename="event")
router.register("linkage-runs", views.LinkageRunViewSet, basename="linkage-run")
router.register("estimate-runs", views.EstimateRunViewSet, basename="estimate-run")

SCHEMA_SETTINGS = {
    "TITLE": "inquest workbench API",
    "DESCRIPTION": (
        "Read-only JSON over the registry and the runs. Every answer holds only what the "
        "caller's roles may see; lists are paginated (50 to a page). Sign in with an API key "
        "(made on the workbench's API keys page): `Authorization: Bearer inq_...`. "
        "`?search=` finds persons and records by a name in any script, sources by code, name "
        "or origin, places by name; `?source=CODE` narrows records to one source."
    ),
    "VERSION": __version__,
}


urlpatterns = [
    path(
        "schema/",
        SpectacularAPIView.as_view(
            custom_settings=SCHEMA_SETTINGS,
            patterns=[path("api/", include(router.urls))],
            permission_classes=[SignedIn],
        ),
        name="schema",
    ),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", permission_classes=[SignedIn]),
        name="docs",
    ),
    path("", include(router.urls)),
]
