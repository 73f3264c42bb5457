"""URLs of the two-factor pages and of the API keys page."""

from django.urls import path

from inquest.web.accounts import views

app_name = "accounts"

urlpatterns = [
    path("two-factor/enrol/", views.enrol, name="enrol"),
    path("two-factor/verify/", views.verify, name="verify"),
    path("api-keys/", views.api_keys, name="api-keys"),
]
