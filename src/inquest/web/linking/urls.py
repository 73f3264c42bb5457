"""URLs of the link and review pages."""

from django.urls import path

from inquest.web.linking import views

app_name = "linking"

urlpatterns = [
    path("link/", views.link_page, name="link"),
    path("review/", views.review_queue, name="review-queue"),
    path("review/<uuid:a_uid>/<uuid:b_uid>/", views.review_pair, name="review-pair"),
]
