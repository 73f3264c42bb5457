"""Evidence pages: the list, an item's page (description, technical metadata, custody,
possible copies, links), the upload form, the link form and the download. Writes and their
audit entries are the services'; the original is only ever sent as an attachment, never
shown inline."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inquest.errors import ConfigError, InputError, InputErrors, InquestError
from inquest.evidence.bundle import archive_bundle
from inquest.evidence.intake import Acquisition
from inquest.evidence.redact import RedactionReason
from inquest.evidence.vocabulary import AcquisitionMethod, ConsentStatus, ExpungeReason
from inquest.private import private_folder
from inquest.web.access.levels import Level
from inquest.web.audit.reads import get_visible, noted
from inquest.web.evidence import queries, services
from inquest.web.evidence.forms import (
    CopyForm,
    ExportForm,
    ExpungeForm,
    LinkForm,
    RedactForm,
    UploadForm,
)
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
        "may_export": queries.may_export_any(request.user),
        "export_form": ExportForm(),
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
    request: HttpRequest,
    item: EvidenceItem,
    link_form: LinkForm,
    status: int = 200,
    *,
    redact_form: RedactForm | None = None,
    copy_form: CopyForm | None = None,
) -> HttpResponse:
    user = request.user
    copies = queries.possible_copies(user, item)
    noted(user, [c.item for c in copies])
    original = queries.original_of(user, item)
    level = int(item.confidentiality)
    timestamps = services.check_timestamps(user, item)
    noted(user, [t for check in timestamps for t in check.tokens])
    context = {
        "item": item,
        "custody": noted(user, queries.custody_of(user, item)),
        "links": noted(user, queries.links_of(user, item)),
        "copies": copies,
        "derived": noted(user, queries.copies_of(user, item)),
        "original": noted(user, [original])[0] if original else None,
        "timestamps": timestamps,
        "metadata": item.metadata_fields(),
        "may_download": queries.may_download(user, item) and item.expunged_at is None,
        "may_link": queries.may_link(user, item),
        "may_copy": queries.may_copy(user, item),
        "may_timestamp": queries.may_timestamp(user, item)
        and bool(services.timestamp_authorities()),
        "may_expunge": queries.may_expunge(user, item),
        "link_form": link_form,
        "redact_form": redact_form or RedactForm(initial={"level": level}),
        "copy_form": copy_form or CopyForm(initial={"level": level}),
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
    if item.expunged_at is not None:
        raise Http404("the original was expunged")
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


# -- copies, timestamps, expunge, export ----------------------------------------------------


@never_cache
@require_POST
def evidence_redact(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """Make a redacted copy (the service checks access, removes the content, records it)."""
    item = get_visible(request.user, queries.items_for(request.user), uid=uid)
    form = RedactForm(request.POST)
    if form.is_valid():
        try:
            pages, regions = form.parsed()
            copy = services.redact_item(
                request.user,
                item,
                pages=pages,
                regions=regions,
                reason=RedactionReason(form.cleaned_data["reason"]),
                note=form.cleaned_data["note"],
                level=Level(form.cleaned_data["level"]),
                where="workbench",
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except InquestError as exc:
            form.add_error(None, str(exc))
        except PermissionDenied:
            form.add_error(None, _("You may not make a copy of this item at this level."))
        else:
            messages.success(request, _("The redacted copy was made."))
            return redirect(reverse("evidence:evidence-detail", args=[copy.uid]))
    return _detail(request, item, LinkForm(), status=400, redact_form=form)


@never_cache
@require_POST
def evidence_strip(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """Make a copy without metadata (the service checks access and records it)."""
    item = get_visible(request.user, queries.items_for(request.user), uid=uid)
    form = CopyForm(request.POST)
    if form.is_valid():
        try:
            copy = services.strip_item(
                request.user, item, level=Level(form.cleaned_data["level"]), where="workbench"
            )
        except InquestError as exc:
            form.add_error(None, str(exc))
        except PermissionDenied:
            form.add_error(None, _("You may not make a copy of this item at this level."))
        else:
            messages.success(request, _("The copy without metadata was made."))
            return redirect(reverse("evidence:evidence-detail", args=[copy.uid]))
    return _detail(request, item, LinkForm(), status=400, copy_form=form)


@never_cache
@require_POST
def evidence_timestamp(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """Ask the configured authorities for timestamps of the item (the service records them)."""
    item = get_visible(request.user, queries.items_for(request.user), uid=uid)
    if not queries.may_timestamp(request.user, item):
        raise PermissionDenied("no add_evidence at the item's level")
    try:
        run = services.timestamp_item(request.user, item, where=request.path)
    except ConfigError:
        messages.error(request, _("No timestamp authority is configured."))
    else:
        if run.tokens:
            messages.success(
                request, _("%(n)s timestamp token(s) stored.") % {"n": len(run.tokens)}
            )
        for failure in run.failures:
            messages.error(
                request,
                _("The authority %(name)s gave no token: %(why)s")
                % {"name": failure.authority, "why": failure.reason},
            )
    return redirect(reverse("evidence:evidence-detail", args=[item.uid]))


@never_cache
@require_http_methods(["GET", "POST"])
def evidence_expunge(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """The expunge procedure: a confirmation page, then the service destroys the original
    (the record, custody and tokens stay); only for roles with ``expunge_evidence``."""
    item = get_visible(request.user, queries.items_for(request.user), uid=uid)
    if not queries.may_expunge(request.user, item):
        raise PermissionDenied("no expunge_evidence at the item's level, or expunged already")
    form = ExpungeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if form.cleaned_data["confirm"].strip().lower() != item.sha256[:12]:
                form.add_error("confirm", _("This is not the start of the item's SHA-256."))
            else:
                try:
                    services.expunge_item(
                        request.user,
                        item,
                        reason=ExpungeReason(form.cleaned_data["reason"]),
                        reference=form.cleaned_data["reference"],
                        note=form.cleaned_data["note"],
                        where=request.path,
                    )
                except (InquestError, ValueError) as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, _("The original was expunged; its record stays."))
                    return redirect(reverse("evidence:evidence-detail", args=[item.uid]))
    return render(
        request,
        "inquest/evidence/evidence_expunge.html",
        {"item": item, "form": form},
        status=status,
    )


#: The private folder under the data folder where bundles are written before they are sent.
EXPORTS = "evidence-exports"


@never_cache
@require_POST
def evidence_export(request: HttpRequest) -> HttpResponse | FileResponse:
    """A BagIt bundle (zip) of the items ticked on the list, as an attachment; the service
    checks ``export_evidence`` on each and records the export in each item's custody."""
    form = ExportForm(request.POST)
    uids = []
    for raw in request.POST.getlist("item")[:1000]:
        try:
            uids.append(uuid.UUID(raw))
        except ValueError:
            continue
    items = list(queries.items_for(request.user).filter(uid__in=uids))
    if not form.is_valid() or not items:
        messages.error(request, _("Tick the items to export and give the bundle a title."))
        return redirect(reverse("evidence:evidence-list"))
    noted(request.user, items)
    folder = private_folder(Path(settings.DATA_DIR) / EXPORTS)
    work = Path(tempfile.mkdtemp(prefix="bundle-", dir=folder))
    try:
        services.export_bundle(
            request.user,
            items,
            work / "bundle",
            title=form.cleaned_data["title"],
            where=request.path,
        )
        packed = archive_bundle(work / "bundle", work / "bundle.zip", "zip")
        # Opened, then unlinked: the file lives while the response streams, and no copy
        # stays in the data folder.
        stream = packed.open("rb")
    except (InquestError, PermissionDenied) as exc:
        shutil.rmtree(work, ignore_errors=True)
        if isinstance(exc, PermissionDenied):
            raise
        messages.error(request, str(exc))
        return redirect(reverse("evidence:evidence-list"))
    shutil.rmtree(work, ignore_errors=True)
    response = FileResponse(
        stream, as_attachment=True, filename="evidence-bundle.zip", content_type="application/zip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "no-store"
    return response
