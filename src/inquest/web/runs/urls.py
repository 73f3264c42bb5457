"""URLs of the run pages and the estimates dashboard."""

from django.urls import path, register_converter

from inquest.web.runs import views
from inquest.web.runs.converters import RunKindConverter

register_converter(RunKindConverter, "run_kind")

app_name = "runs"

urlpatterns = [
    path("runs/", views.run_list, name="run-list"),
    path("runs/<run_kind:kind>/<uuid:uid>/", views.run_detail, name="run-detail"),
    path("estimates/", views.estimates, name="estimates"),
    path("estimates/files/<uuid:uid>/", views.estimate_artefact, name="estimate-artefact"),
]
