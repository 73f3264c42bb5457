"""Thin views of the site itself: the home page and the display preferences.

Objects are fetched through ``inquest.web.audit.reads`` (``get_visible``, ``noted``) or
queries that note them, so a page showing protected objects is one audit entry."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from inquest.web.audit.reads import note_shown
from inquest.web.linking import queue
from inquest.web.registry import queries as registry
from inquest.web.runs import queries as runs
from inquest.web.runs.models import LinkageRun
from inquest.web.site.display import SESSION_KEY, display_from


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """What the user may see, counted, and the work waiting: pairs to review, runs that
    failed, estimates made before the persons last changed."""
    user = request.user
    counts = {
        "sources": registry.sources_for(user).count(),
        "persons": registry.persons_for(user).count(),
        "linkage_runs": runs.linkage_runs_for(user).count(),
        "estimate_runs": runs.estimate_runs_for(user).count(),
    }
    failed = runs.failed_runs(user)
    stale = runs.stale_estimates(user)
    review = queue.pending(user)
    note_shown(user, [*failed, *stale, review.run if review is not None else None])
    failed_kinds = [("linkage" if isinstance(r, LinkageRun) else "estimate", r) for r in failed]
    context = {"counts": counts, "failed": failed_kinds, "stale": stale, "review": review}
    return render(request, "inquest/home.html", context)


@require_POST
def set_display(request: HttpRequest) -> HttpResponse:
    """Keep the user's calendar and digits choice in the session, then go back."""
    chosen = display_from(
        {"calendar": request.POST.get("calendar"), "digits": request.POST.get("digits")},
        translation.get_language(),
    )
    request.session[SESSION_KEY] = chosen.as_session()
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return HttpResponseRedirect(target)
