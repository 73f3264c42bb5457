"""URLs of the workbench's pages."""

from django.contrib.auth import views as auth_views
from django.urls import path

from inquest.web.accounts import views as accounts_views
from inquest.web.site import (
    export_views,
    imports_views,
    persons_views,
    search_views,
    views,
)

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    path("sources/", views.source_list, name="source-list"),
    path("sources/<str:code>/", views.source_detail, name="source-detail"),
    path(
        "sources/<str:code>/export/<str:fmt>/",
        export_views.source_records,
        name="source-export",
    ),
    path("records/<uuid:uid>/", views.record_detail, name="record-detail"),
    path("search/", search_views.registry_search, name="search"),
    path("persons/", persons_views.person_list, name="person-list"),
    path("persons/export/<str:fmt>/", persons_views.person_export, name="person-export"),
    path("persons/<uuid:uid>/", views.person_detail, name="person-detail"),
    path("login/", accounts_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("display/", views.set_display, name="set-display"),
    path("import/", imports_views.import_start, name="import"),
    path("import/<str:token>/columns/", imports_views.import_columns, name="import-columns"),
    path("import/<str:token>/preview/", imports_views.import_preview, name="import-preview"),
    path("import/<str:token>/cancel/", imports_views.import_cancel, name="import-cancel"),
]
