"""Template context on every page: the user's display choice (``display``) and whether this
is a demonstration on synthetic data (``demo``)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from inquest.web.site.display import SESSION_KEY, Display, display_from


def display_preferences(request: HttpRequest) -> dict[str, Display]:
    """``display``: the calendar and digits this user asked for (or the language's default)."""
    stored = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    return {"display": display_from(stored, translation.get_language())}


def demo(request: HttpRequest) -> dict[str, bool]:
    """``demo``: True when the workbench serves a synthetic demonstration (``INQUEST_DEMO``)."""
    return {"demo": bool(getattr(settings, "DEMO", False))}
