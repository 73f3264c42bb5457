"""URLs of the site's own pages: home, sign in and out, display preferences."""

from django.contrib.auth import views as auth_views
from django.urls import path

from inquest.web.accounts import views as accounts_views
from inquest.web.site import views

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", accounts_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("display/", views.set_display, name="set-display"),
]
