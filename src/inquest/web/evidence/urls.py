"""URLs of the evidence pages."""

from django.urls import path

from inquest.web.evidence import views

app_name = "evidence"

urlpatterns = [
    path("", views.evidence_list, name="evidence-list"),
    path("add/", views.evidence_add, name="evidence-add"),
    path("<uuid:uid>/", views.evidence_detail, name="evidence-detail"),
    path("<uuid:uid>/download/", views.evidence_download, name="evidence-download"),
    path("<uuid:uid>/link/", views.evidence_link, name="evidence-link"),
]
