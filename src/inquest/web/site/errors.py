"""The server-error page: a fixed text that shows nothing of the request, the user or the
exception (which may hold a decrypted identity); the log gets the details, redacted."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseServerError
from django.template import loader


def server_error(request: HttpRequest) -> HttpResponseServerError:
    """Render ``500.html`` with an empty context (no request, no exception)."""
    return HttpResponseServerError(loader.get_template("500.html").render({}))
