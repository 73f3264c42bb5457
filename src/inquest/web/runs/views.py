"""Thin views of runs: the run list and run pages, the estimates dashboard and the files of
estimate runs, all narrowed to what the user may see (``inquest.web.runs.queries``,
``inquest.web.runs.estimates``)."""

from __future__ import annotations

import hashlib
import mimetypes
import uuid
from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from inquest.web.audit.reads import get_visible, note_shown, noted
from inquest.web.registry.models import Source
from inquest.web.runs import queries as runs
from inquest.web.runs.estimates import PLOT_PREFIX, dashboard, newer_linkage_run
from inquest.web.runs.models import Artefact, EstimateRun, LinkageRun
from inquest.web.runs.run_facts import facts_table
from inquest.web.site.context import display_preferences

# The files of an estimate run a browser may show in a page; others are downloaded.
_INLINE = {".png": "image/png"}
MAX_SERVED_BYTES = 50 * 2**20  # estimate files are plots, JSON and a report: far smaller


@require_GET
def estimates(request: HttpRequest) -> HttpResponse:
    """Documented count, estimates with intervals, strata, plots and assumptions of a run."""
    batches = dashboard(request.user)
    wanted = request.GET.get("batch")
    chosen = next((b for b in batches if b.key == wanted), batches[0] if batches else None)
    newer = None
    if chosen is not None:
        shown = [*chosen.runs, *chosen.plots, *([chosen.report] if chosen.report else [])]
        newer = newer_linkage_run(request.user, chosen.first.linkage_run)
        note_shown(
            request.user,
            [*shown, *(run for b in batches for run in b.runs), *([newer] if newer else [])],
        )
    return render(
        request,
        "inquest/runs/estimates.html",
        {"batches": batches, "batch": chosen, "newer": newer},
    )


@require_GET
def estimate_artefact(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """A file an estimate run wrote, if the user may see it and its bytes are the ones the
    run recorded (read once, so the bytes checked are the bytes sent)."""
    artefact = get_object_or_404(
        Artefact.objects.visible_to(request.user).filter(estimate_run__isnull=False), uid=uid
    )
    path = Path(artefact.path)
    if not path.is_file() or path.stat().st_size > MAX_SERVED_BYTES:
        raise Http404("the file is not where the run wrote it, or too large to serve here")
    content = path.read_bytes()
    if hashlib.sha256(content).hexdigest() != artefact.sha256:
        return HttpResponse(
            "the file has changed since the run recorded it", status=409, content_type="text/plain"
        )
    note_shown(request.user, [artefact])
    suffix = path.suffix.lower()
    inline = artefact.kind.startswith(PLOT_PREFIX) and suffix in _INLINE
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    content_type = _INLINE[suffix] if inline else guessed
    response = HttpResponse(content, content_type=content_type)
    if not inline:
        response["Content-Disposition"] = content_disposition_header(True, path.name) or ""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    """The linkage and estimate runs the user may see, newest first."""
    estimates = runs.estimate_runs_for(request.user).select_related("linkage_run")
    context = {
        "linkage_runs": noted(request.user, runs.linkage_runs_for(request.user)[:100]),
        "estimate_runs": noted(request.user, estimates[:100]),
    }
    return render(request, "inquest/runs/run_list.html", context)


@require_GET
def run_detail(request: HttpRequest, kind: str, uid: uuid.UUID) -> HttpResponse:
    """One run: parameters, input hash, code version, seed, status, results and artefacts."""
    run: LinkageRun | EstimateRun
    sources: list[Source] = []
    if kind == "linkage":
        run = get_visible(request.user, runs.linkage_runs_for(request.user), uid=uid)
        sources = noted(
            request.user, Source.objects.visible_to(request.user).filter(linkage_runs=run)
        )
    else:
        run = get_visible(request.user, runs.estimate_runs_for(request.user), uid=uid)
    note_shown(request.user, run.artefacts.all())
    display = display_preferences(request)["display"]
    return render(
        request,
        "inquest/runs/run_detail.html",
        {
            "run": run,
            "kind": kind,
            "sources": sources,
            "parameters": facts_table(run.parameters, display),
            "results": facts_table(run.results or {}, display),
            "error": runs.without_server_paths(run.error),
        },
    )
