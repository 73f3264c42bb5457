"""URLs of the JSON API."""

from django.urls import path

from inquest.web.api import views

app_name = "api"

urlpatterns = [
    path("sources/", views.SourceList.as_view(), name="source-list"),
]
