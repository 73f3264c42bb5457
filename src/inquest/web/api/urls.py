"""URLs of the JSON API and its OpenAPI schema (``/api/schema/``, for verified users only)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from inquest import __version__
from inquest.web.api import views
from inquest.web.api.permissions import VerifiedUser

app_name = "api"

router = SimpleRouter()
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
        "caller's roles may see; lists are paginated (50 to a page)."
    ),
    "VERSION": __version__,
}


urlpatterns = [
    path(
        "schema/",
        SpectacularAPIView.as_view(
            custom_settings=SCHEMA_SETTINGS,
            patterns=[path("api/", include(router.urls))],
            permission_classes=[VerifiedUser],
        ),
        name="schema",
    ),
    path("", include(router.urls)),
]
