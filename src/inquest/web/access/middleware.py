"""Request-scoped access state: each user's role grants read once per request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from inquest.web.access.policy import grants_read_once


class RoleCacheMiddleware:
    """Each user's grants are read at most once per request (see ``grants_read_once``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with grants_read_once():
            return self.get_response(request)
