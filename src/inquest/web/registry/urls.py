"""URLs of the registry's pages: sources, records, persons, search, imports, downloads."""

from django.urls import path

from inquest.web.registry.views import exports, imports, persons, search, sources

app_name = "registry"

urlpatterns = [
    path("sources/", sources.source_list, name="source-list"),
    path("sources/<str:code>/", sources.source_detail, name="source-detail"),
    path("sources/<str:code>/export/<str:fmt>/", exports.source_records, name="source-export"),
    path("records/<uuid:uid>/", sources.record_detail, name="record-detail"),
    path("search/", search.registry_search, name="search"),
    path("persons/", persons.person_list, name="person-list"),
    path("persons/export/<str:fmt>/", persons.person_export, name="person-export"),
    path("persons/<uuid:uid>/", sources.person_detail, name="person-detail"),
    path("import/", imports.import_start, name="import"),
    path("import/<str:token>/columns/", imports.import_columns, name="import-columns"),
    path("import/<str:token>/preview/", imports.import_preview, name="import-preview"),
    path("import/<str:token>/cancel/", imports.import_cancel, name="import-cancel"),
]
