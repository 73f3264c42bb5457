"""URLs of the evidence pages."""

from django.urls import path

from inquest.web.evidence import views

app_name = "evidence"

urlpatterns = [
    path("", views.evidence_list, name="evidence-list"),
    path("add/", views.evidence_add, name="evidence-add"),
    path("export/", views.evidence_export, name="evidence-export"),
    path("<uuid:uid>/", views.evidence_detail, name="evidence-detail"),
    path("<uuid:uid>/download/", views.evidence_download, name="evidence-download"),
    path("<uuid:uid>/link/", views.evidence_link, name="evidence-link"),
    path("<uuid:uid>/redact/", views.evidence_redact, name="evidence-redact"),
    path("<uuid:uid>/strip/", views.evidence_strip, name="evidence-strip"),
    path("<uuid:uid>/timestamp/", views.evidence_timestamp, name="evidence-timestamp"),
    path("<uuid:uid>/expunge/", views.evidence_expunge, name="evidence-expunge"),
]
