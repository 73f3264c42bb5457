"""URLs of the witness pages."""

from django.urls import path

from inquest.web.witnesses import views

app_name = "witnesses"

urlpatterns = [
    path("", views.witness_list, name="witness-list"),
    path("<uuid:uid>/", views.witness_detail, name="witness-detail"),
    path("<uuid:uid>/identity/", views.witness_identity, name="witness-identity"),
]
