"""One audit entry per answer that shows protected objects (``inquest.web.audit.reads``)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from inquest.web.audit.reads import collecting


class ShownObjectsMiddleware:
    """Collects what the request's getters noted as shown; the entry is written on the way out.

    The entry names the user the request ended with: the signed-in user, or the owner of
    the API key the view authenticated.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with collecting(lambda: request.user, where=request.path):
            return self.get_response(request)
