"""Pages to link the registry and to review uncertain pairs. Rules live in the services."""

from __future__ import annotations

import uuid

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from inquest.errors import InputError
from inquest.web.access.actions import Action
from inquest.web.access.levels import Level
from inquest.web.access.policy import can
from inquest.web.audit.reads import note_shown, noted
from inquest.web.linking import queue, review
from inquest.web.linking.link import link_sources
from inquest.web.linking.models import JUDGEMENT_CHOICES
from inquest.web.registry.models import Record, Source
from inquest.web.registry.queries import sources_for


def _signed_in(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


@require_http_methods(["GET", "POST"])
def link_page(request: HttpRequest) -> HttpResponse:
    """Choose sources and link them now (synchronously; fine for small registries)."""
    if (login := _signed_in(request)) is not None:
        return login
    if not can(request.user, Action.LINK, Level.PUBLIC):
        raise PermissionDenied(_("You may not start linkage runs."))
    sources = noted(request.user, sources_for(request.user).order_by("code"))
    error = ""
    chosen_codes = request.POST.getlist("source") if request.method == "POST" else []
    if request.method == "POST":
        chosen = list(Source.objects.visible_to(request.user).filter(code__in=chosen_codes))
        if len(chosen) != len(set(chosen_codes)) or not chosen:
            error = _("Choose one or more of the sources listed.")
        else:
            try:
                outcome = link_sources(request.user, chosen)
            except InputError as exc:
                error = str(exc)
            else:
                return redirect("runs:run-detail", kind="linkage", uid=outcome.run.uid)
    return render(
        request,
        "inquest/linking/link.html",
        {"sources": sources, "chosen": set(chosen_codes), "error": error},
        status=400 if error else 200,
    )


def _rank(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """The uncertain pairs of the latest run the user may review, a page at a time."""
    if (login := _signed_in(request)) is not None:
        return login
    if not can(request.user, Action.REVIEW, Level.PUBLIC):
        raise PermissionDenied(_("You may not review pairs."))
    run = review.latest_run(request.user)
    filters = queue.Filters.parse(request.GET)
    context: dict[str, object] = {
        "run": run,
        "filters": filters,
        "states": queue.STATES,
        "orders": queue.ORDERS,
    }
    if run is not None:
        queue.ensure_built(run)
        shown = queue.page(
            request.user,
            run,
            filters,
            after=_rank(request, "after"),
            before=_rank(request, "before"),
        )
        note_shown(request.user, [run, *_shown_in(shown.rows)])
        context.update(
            page=shown,
            sources=noted(
                request.user,
                Source.objects.visible_to(request.user).filter(linkage_runs=run).order_by("code"),
            ),
            reviewers=queue.reviewers(request.user, run),
            query=filters.query(),
            newer=filters.query(before=shown.before) if shown.before is not None else None,
            older=filters.query(after=shown.after) if shown.after is not None else None,
        )
    return render(request, "inquest/linking/review_queue.html", context)


def _shown_in(rows: list[queue.Row]) -> list[Model | None]:
    """What a page of the queue shows: the pairs, both records, their versions, decisions."""
    out: list[Model | None] = []
    for row in rows:
        out += [row.pair, row.decision]
        out += [item for side in row.sides for item in (side.record, side.version)]
    return out


def _seen_token(pk: int | None) -> str:
    """What the form carries for the decision the reviewer saw: not its sequential id, which
    would count the decisions on every pair, hidden ones too."""
    return "" if pk is None else salted_hmac("inquest.review.seen", str(pk)).hexdigest()[:24]


def _seen(value: str, current_pk: int | None) -> int | None:
    """The decision the form says the reviewer saw: the current one if its token matches;
    none for an empty token; else a decision that is not the current one (a conflict)."""
    if not value.strip():
        return None
    if current_pk is not None and constant_time_compare(value.strip(), _seen_token(current_pk)):
        return current_pk
    return -1


def _pair_keys(request: HttpRequest, a: uuid.UUID, b: uuid.UUID) -> tuple[int, int]:
    """The primary keys of the two records the URL names by public id (404 if not seen)."""
    keys = dict(
        Record.objects.visible_to(request.user).filter(uid__in=(a, b)).values_list("uid", "pk")
    )
    if a not in keys or b not in keys:
        raise Http404(_("No such pair."))
    return keys[a], keys[b]


@require_http_methods(["GET", "POST"])
def review_pair(request: HttpRequest, a_uid: uuid.UUID, b_uid: uuid.UUID) -> HttpResponse:
    """Two records side by side with the evidence, and the reviewer's decision."""
    if (login := _signed_in(request)) is not None:
        return login
    a, b = _pair_keys(request, a_uid, b_uid)
    try:
        left, right = review.pair_records(request.user, a, b)
    except (Record.DoesNotExist, InputError):
        raise Http404(_("No such pair.")) from None
    run = review.latest_run(request.user)
    filters = queue.Filters.parse(request.GET)
    previous = following = None
    if run is not None:
        queue.ensure_built(run)
        here = queue.find(request.user, run, a, b)
        previous, following = queue.neighbours(request.user, run, filters, here)
    query = filters.query()
    conflict = None
    mine = {"judgement": "", "note": ""}
    status = 200
    if request.method == "POST":
        mine = {
            "judgement": request.POST.get("judgement", ""),
            "note": request.POST.get("note", ""),
        }
        try:
            latest = review.current_decision(a, b)
            seen = _seen(request.POST.get("seen", ""), latest.pk if latest else None)
            review.decide(
                request.user,
                a,
                b,
                judgement=mine["judgement"],
                note=mine["note"],
                seen=seen,
                run=run,
            )
        except ValueError:
            return HttpResponseBadRequest(_("The form was damaged; reload the page."))
        except InputError as exc:
            return HttpResponseBadRequest(str(exc))
        except review.ReviewConflict as exc:
            conflict = exc.current
            status = 409
        else:
            if following is not None:
                url = reverse(
                    "linking:review-pair", args=(following.record_a.uid, following.record_b.uid)
                )
            else:
                url = reverse("linking:review-queue")
            return redirect(f"{url}?{query}" if query else url)
    current = review.current_decision(a, b)
    history = review.history(a, b)
    left_values, right_values = left.current, right.current
    rows = [
        (column, left_values.raw.get(column, ""), right_values.raw.get(column, ""))
        for column in sorted(left_values.raw.keys() | right_values.raw.keys())
    ]
    shown_decision = conflict or current
    shown = [left, right, left.source, right.source, left_values, right_values, run, *history]
    note_shown(request.user, shown)
    context = {
        "left": left,
        "right": right,
        "rows": rows,
        "run": run,
        "evidence": review.evidence(run, a, b) if run is not None else None,
        "current": current,
        "history": history,
        "previous": previous,
        "following": following,
        "query": query,
        "conflict": conflict,
        "seen": _seen_token(shown_decision.pk if shown_decision is not None else None),
        "mine": mine,
        "judgements": JUDGEMENT_CHOICES,
    }
    return render(request, "inquest/linking/review_pair.html", context, status=status)
