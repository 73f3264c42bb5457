"""Evidence pages: the list, an item's page (description, technical metadata, custody,
possible copies, links), the upload form, the link form and the download. Writes and their
audit entries are the services'; the original is only ever sent as an attachment, never
shown inline."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inquest.errors import InputError, InputErrors
from inquest.evidence.intake import Acquisition
from inquest.evidence.vocabulary import AcquisitionMethod, ConsentStatus
from inquest.web.access.levels import Level
from inquest.web.audit.reads import get_visible, noted
from inquest.web.evidence import queries, services
from inquest.web.evidence.forms import LinkForm, UploadForm
from inquest.web.evidence.models import METHOD_CHOICES, EvidenceItem
from inquest.web.evidence.uploads import BoundedUploadHandler
from inquest.web.registry.models import Event, Person, Place

PAGE_SIZE = 50


@require_GET
def evidence_list(request: HttpRequest) -> HttpResponse:
    """The items the user may see, newest first, filtered and paged."""
    q = request.GET.get("q", "")[:200]
    method = request.GET.get("method", "")
    method = method if method in {m.value for m in AcquisitionMethod} else ""
    raw_level = request.GET.get("level", "")
    level = int(raw_level) if raw_level in {str(int(v)) for v in Level} else None
    items = queries.filtered(queries.items_for(request.user), q=q, method=method, level=level)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "items": noted(request.user, page.object_list),
        "q": q,
        "method": method,
        "level": level,
        "methods": METHOD_CHOICES,
        "levels": Level.choices,
        "may_add": queries.may_add(request.user),
    }
    return render(request, "inquest/evidence/evidence_list.html", context)


@never_cache
@require_GET
def evidence_detail(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """One item: what it is, how it came, what its content says of itself, its custody."""
    item = get_visible(request.user, queries.items_for(request.user), uid=uid)
    # Anonymous visitors see only public items; recording each of their views would let
    # anyone grow the custody and audit logs without bound.
    if request.user.is_authenticated:
        services.record_view(request.user, item, where=request.path)
    return _detail(request, item, LinkForm())


def _detail(
    request: HttpRequest, item: EvidenceItem, link_form: LinkForm, status: int = 200
) -> HttpResponse:
    copies = queries.possible_copies(request.user, item)
    noted(request.user, [c.item for c in copies])
    context = {
        "item": item,
        "custody": noted(request.user, queries.custody_of(request.user, item)),
        "links": noted(request.user, queries.links_of(request.user, item)),
        "copies": copies,
        "metadata": item.metadata_fields(),
        "may_download": queries.may_download(request.user, item),
        "may_link": queries.may_link(request.user, item),
        "link_form": link_form,
    }
    return render(request, "inquest/evidence/evidence_detail.html", context, status=status)


@never_cache
@require_POST
def evidence_link(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """Record what the item supports (the service checks ``state`` and visibility; audited)."""
    item = get_visible(request.user, queries.items_for(request.user), uid=uid)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            target = _target(request, form)
            pinpoint = services.Pinpoint(
                page=form.cleaned_data["page"],
                region=form.region(),
                start_s=form.cleaned_data["start_s"],
                end_s=form.cleaned_data["end_s"],
                quote=form.cleaned_data["quote"],
            )
            services.link_item(request.user, item, target, pinpoint, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, exc)
        except InputError as exc:
            form.add_error(None, str(exc))
        except PermissionDenied:
            form.add_error(None, _("You may not link this item to that."))
        else:
            messages.success(request, _("The link was recorded."))
            return redirect(reverse("evidence:evidence-detail", args=[item.uid]))
    return _detail(request, item, form, status=400)


def _target(request: HttpRequest, form: LinkForm) -> Person | Event | Place:
    """The target the form names, among those the user may see; ValidationError if none."""
    uid, kind = form.cleaned_data["target_uid"], form.cleaned_data["target"]
    target: Person | Event | Place | None
    if kind == "person":
        target = Person.objects.visible_to(request.user).filter(uid=uid).first()
    elif kind == "event":
        target = Event.objects.visible_to(request.user).filter(uid=uid).first()
    else:
        target = Place.objects.visible_to(request.user).filter(uid=uid).first()
    if target is None:
        raise ValidationError(_("No such person, event or place that you may see."))
    return target


@never_cache
@require_GET
def evidence_download(request: HttpRequest, uid: uuid.UUID) -> FileResponse:
    """The original, as an attachment only; the service records it (custody and audit)."""
    item = get_visible(request.user, queries.items_for(request.user), uid=uid)
    stream = services.open_original(request.user, item, where=request.path)
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=item.display_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def evidence_add(request: HttpRequest) -> HttpResponse:
    """Upload one file as an item. The upload handler is set before the body is read (so
    the CSRF check runs inside, in ``_add``): the file streams to a private temporary file
    and stops at the size limit."""
    limit = int(settings.INQUEST_MAX_EVIDENCE_UPLOAD_BYTES)
    handler = BoundedUploadHandler(request, limit)
    request.upload_handlers = [handler]
    return _add(request, handler, limit)


@csrf_protect
def _add(request: HttpRequest, handler: BoundedUploadHandler, limit: int) -> HttpResponse:
    if not queries.may_add(request.user):
        raise PermissionDenied("no add_evidence")
    context: dict[str, Any] = {"max_bytes": limit}
    if request.method != "POST":
        form = UploadForm(initial={"acquired_at": timezone.localtime().replace(microsecond=0)})
        return render(request, "inquest/evidence/evidence_add.html", {**context, "form": form})
    form = UploadForm(request.POST, request.FILES)
    if handler.too_large:
        form.add_error(None, _("The file is larger than the limit of %(n)s bytes.") % {"n": limit})
        status = 413
    elif form.is_valid():
        try:
            added = _store(request, form)
        except (InputError, InputErrors, ValueError) as exc:
            form.add_error(None, str(exc))
        except PermissionDenied:
            form.add_error("level", _("You may not add items at this level."))
        else:
            if added.created:
                messages.success(request, _("The item was added."))
            else:
                messages.info(request, _("These bytes are already held; the receipt was recorded."))
            if added.visible:
                return redirect(reverse("evidence:evidence-detail", args=[added.item.uid]))
            return redirect(reverse("evidence:evidence-list"))
        status = 400
    else:
        status = 400
    return render(
        request, "inquest/evidence/evidence_add.html", {**context, "form": form}, status=status
    )


def _store(request: HttpRequest, form: UploadForm) -> services.Added:
    data = form.cleaned_data
    when: dt.datetime = data["acquired_at"]
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    acquisition = Acquisition(
        acquired_by=data["acquired_by"],
        acquired_at=when,
        method=AcquisitionMethod(data["method"]),
        consent=ConsentStatus(data["consent"]),
        restrictions=form.restriction_list(),
        source=data["source"],
        description=data["description"],
    )
    upload = data["file"]
    try:
        return services.add_upload(
            request.user, upload.file, upload.name or "", acquisition, level=Level(data["level"])
        )
    finally:
        upload.close()
