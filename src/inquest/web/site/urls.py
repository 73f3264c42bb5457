"""URLs of the workbench's pages."""

from django.urls import path

from inquest.web.site import views

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    path("sources/", views.source_list, name="source-list"),
    path("persons/", views.person_list, name="person-list"),
    path("persons/<uuid:uid>/", views.person_detail, name="person-detail"),
    path("display/", views.set_display, name="set-display"),
]
