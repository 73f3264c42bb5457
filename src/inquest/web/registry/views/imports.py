"""Import a list in the browser: upload, map columns, preview (or see every problem by row
and field), then import all or nothing. The same file again is recognised by its hash.

The upload waits privately (``inquest.web.registry.staging``); the import itself is
``inquest.web.registry.imports.import_list``, as ``inquest db import`` uses. Each step checks
the import right again; a pending upload is known only to the session that made it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from inquest.errors import InputError, InputErrors
from inquest.io import formats as list_formats
from inquest.io.sniff import suggest_mapping
from inquest.web.access.actions import Action
from inquest.web.access.levels import Level
from inquest.web.access.policy import AnyUser, can
from inquest.web.registry import services, staging
from inquest.web.registry.imports import check_code, import_list
from inquest.web.registry.list_columns import column_labels, suggestion_reason
from inquest.web.registry.models import Source
from inquest.web.registry.services import hidden_clash
from inquest.web.site.context import display_preferences
from inquest.web.site.display import shown_number

SESSION_KEY = "inquest_imports"


def importable_levels(user: AnyUser) -> list[Level]:
    """The levels the user may import a list at."""
    return [level for level in Level if can(user, Action.IMPORT, level)]


class UploadForm(forms.Form):
    """The list file and what the source is: where it comes from, how secret it is."""

    file = forms.FileField(label=gettext_lazy("List file"))
    origin = forms.CharField(
        label=gettext_lazy("Origin (who compiled or published it)"), max_length=300
    )
    level = forms.TypedChoiceField(label=gettext_lazy("Confidentiality"), coerce=int)
    code = forms.SlugField(
        label=gettext_lazy("Source code (default: the file name)"),
        max_length=Source._meta.get_field("code").max_length,
        required=False,
        allow_unicode=True,
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=300, required=False)
    obtained_how = forms.CharField(
        label=gettext_lazy("How it was obtained"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    obtained_on = forms.DateField(
        label=gettext_lazy("When it was obtained (YYYY-MM-DD)"), required=False
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args: Any, levels: list[Level], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The formats the engine reads (inquest.io.formats): a registered one appears here.
        accepted = ", ".join(list_formats.suffixes())
        self.fields["file"].help_text = accepted
        self.fields["file"].widget.attrs["accept"] = accepted.replace(" ", "")
        field = self.fields["level"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(int(level), level.label) for level in levels]
        if Level.CONFIDENTIAL in levels:
            field.initial = int(Level.CONFIDENTIAL)


def _require_importer(request: HttpRequest) -> list[Level] | HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    levels = importable_levels(request.user)
    if not levels:
        raise PermissionDenied(_("You may not import lists."))
    return levels


def _pending(request: HttpRequest, token: str) -> tuple[dict[str, Any], staging.StagedFile]:
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not isinstance(entry, dict) or entry.get("user") != request.user.pk:
        raise Http404("no such upload in this session")
    try:
        return entry, staging.StagedFile.from_session(entry["file"])
    except InputError:
        _forget(request, token)
        raise Http404("the upload is gone") from None


def _save(request: HttpRequest, token: str, entry: dict[str, Any]) -> None:
    pending = dict(request.session.get(SESSION_KEY, {}))
    pending[token] = entry
    request.session[SESSION_KEY] = pending


def _forget(request: HttpRequest, token: str) -> None:
    pending = dict(request.session.get(SESSION_KEY, {}))
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending


def _already(user: AnyUser, sha256: str) -> tuple[Source | None, bool]:
    """The source this very file was imported as, and whether the user may see it."""
    existing = services.source_of_file(sha256)
    if existing is None:
        return None, False
    return existing, Source.objects.visible_to(user).filter(pk=existing.pk).exists()


@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    """Step 1: upload the file and describe the source."""
    levels = _require_importer(request)
    if isinstance(levels, HttpResponse):
        return levels
    form = UploadForm(request.POST or None, request.FILES or None, levels=levels)
    context: dict[str, Any] = {"form": form, "max_bytes": staging.max_upload_bytes()}
    if request.method == "POST" and form.is_valid():
        try:
            staged = staging.stage_upload(form.cleaned_data["file"])
        except InputError as exc:
            form.add_error("file", exc.reason)
            return render(request, "inquest/registry/imports/start.html", context, status=400)
        existing, visible = _already(request.user, staged.sha256)
        if existing is not None:
            staging.discard(staged)
            if not visible:  # said without confirming that the source exists
                form.add_error(None, hidden_clash(request.user, existing, "file_sha256").reason)
                return render(request, "inquest/registry/imports/start.html", context, status=400)
            context.update(existing=existing, duplicate=True)
            return render(request, "inquest/registry/imports/start.html", context)
        data = form.cleaned_data
        when: dt.date | None = data["obtained_on"]
        _save(
            request,
            staged.token,
            {
                "user": request.user.pk,
                "file": staged.as_session(),
                "mapping": None,
                "meta": {
                    "origin": data["origin"],
                    "level": data["level"],
                    "code": data["code"] or "",
                    "name": data["name"] or "",
                    "obtained_how": data["obtained_how"] or "",
                    "obtained_on": when.isoformat() if when else "",
                    "description": data["description"] or "",
                },
            },
        )
        return redirect("registry:import-columns", token=staged.token)
    return render(request, "inquest/registry/imports/start.html", context)


#: Sampled values shown beside each column of the file, each cut to this many characters.
SHOWN_SAMPLES = 4
SHOWN_SAMPLE_CHARS = 40


def _shown_samples(values: tuple[str | None, ...]) -> list[str]:
    """A few distinct values of a column, each cut short, for the column step."""
    out: list[str] = []
    for v in values:
        if v and v not in out:
            out.append(v)
        if len(out) == SHOWN_SAMPLES:
            break
    return [v if len(v) <= SHOWN_SAMPLE_CHARS else v[: SHOWN_SAMPLE_CHARS - 1] + "…" for v in out]


def _source_code(entry: dict[str, Any], staged: staging.StagedFile) -> str:
    """The code the source will get: the one given, else the file's name without suffix."""
    return str(entry["meta"]["code"] or Path(staged.name).stem).strip()


def _code_clash(user: AnyUser, code: str) -> Source | None:
    """The source the user may see that has ``code`` already (a hidden one is not told here:
    the check at saving, ``services.check_new_source``, words and audits that)."""
    return Source.objects.visible_to(user).filter(code=code).first()


def _may_add_edition(user: AnyUser, source: Source) -> bool:
    """Whether ``user`` may import into ``source`` and version its records (an edition)."""
    level = source.confidentiality
    return can(user, Action.IMPORT, level) and can(user, Action.CORRECT, level)


@require_http_methods(["GET", "POST"])
def import_columns(request: HttpRequest, token: str) -> HttpResponse:
    """Step 2: say which standard column each of the file's columns is (or drop it), with
    the file's first values beside each and the engine's suggestion; and the source code,
    checked here, before the preview, against the sources that exist."""
    levels = _require_importer(request)
    if isinstance(levels, HttpResponse):
        return levels
    entry, staged = _pending(request, token)
    context: dict[str, Any] = {"staged": staged, "token": token}
    try:
        sample = staging.read_sample(staged)
    except (InputErrors, InputError) as exc:
        context.update(_problems(exc), rows=[], code=_source_code(entry, staged))
        return render(request, "inquest/registry/imports/columns.html", context)
    headers = list(sample.headers)
    suggestions = suggest_mapping(headers, sample.values)
    chosen = entry["mapping"] or {s.header: s.column or "" for s in suggestions}
    code = _source_code(entry, staged)
    code_problem: str | None = None
    edition = entry.get("edition")
    if request.method == "POST":
        choices = {h: request.POST.get(f"col-{i}", "") for i, h in enumerate(headers)}
        code = request.POST.get("code", code).strip()
        edition = request.POST.get("edition") == "1"
        chosen = choices
        try:
            staging.mapping_from_choices(choices)
        except InputError as exc:
            context["mapping_problem"] = exc.reason
        else:
            target: Source | None = None
            try:
                check_code(code)
                target = _code_clash(request.user, code)
                if target is None:  # a source the user may not see is worded and audited
                    services.check_new_source(request.user, code=code, file_sha256=None)
            except InputError as exc:
                code_problem = exc.reason
            else:
                adds_edition = (
                    target is not None and edition and _may_add_edition(request.user, target)
                )
                if target is None or adds_edition:
                    entry["mapping"] = choices
                    entry["meta"]["code"] = code
                    entry["edition"] = adds_edition
                    _save(request, token, entry)
                    return redirect("registry:import-preview", token=token)
    clash = _code_clash(request.user, code) if code else None
    labels = column_labels()
    display = display_preferences(request)["display"]
    context.update(
        rows=[
            {
                "index": i,
                "header": h,
                "chosen": chosen.get(h, ""),
                "samples": _shown_samples(sample.column(i)),
                "suggested": suggestions[i].column,
                "suggested_label": labels.get(suggestions[i].column or "", ""),
                "reason": suggestion_reason(suggestions[i], display),
            }
            for i, h in enumerate(headers)
        ],
        columns=list(labels.items()),
        code=code,
        clash=clash,
        code_problem=code_problem,
        edition=bool(edition),
        can_add_edition=clash is not None and _may_add_edition(request.user, clash),
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "inquest/registry/imports/columns.html", context, status=status)


def _problems(exc: InputErrors | InputError) -> dict[str, Any]:
    """The problems to list, how many were found in all and how many are not listed."""
    if isinstance(exc, InputError):
        return {"problems": [exc.problem], "problems_total": 1, "problems_omitted": 0}
    return {
        "problems": exc.problems,
        "problems_total": exc.total,
        "problems_omitted": exc.omitted,
    }


@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    """Step 3: the rows as they will be stored, or every problem by row and field; import."""
    levels = _require_importer(request)
    if isinstance(levels, HttpResponse):
        return levels
    entry, staged = _pending(request, token)
    if entry["mapping"] is None:
        return redirect("registry:import-columns", token=token)
    mapping = staging.mapping_from_choices(entry["mapping"])
    meta = entry["meta"]
    code = meta["code"] or None
    edition_of = (
        Source.objects.visible_to(request.user).filter(code=code).first()
        if entry.get("edition")
        else None
    )
    context: dict[str, Any] = {
        "staged": staged,
        "meta": meta,
        "token": token,
        "edition_of": edition_of,
    }
    if entry.get("edition") and edition_of is None:
        return redirect("registry:import-columns", token=token)
    try:
        context["preview"] = staging.preview(staged, mapping, code=code)
    except (InputErrors, InputError) as exc:
        context.update(_problems(exc))
        return render(request, "inquest/registry/imports/preview.html", context)
    if request.method == "POST":
        try:
            result = import_list(
                request.user,
                staged.path,
                origin=meta["origin"],
                level=Level(int(meta["level"])),
                code=code,
                name=meta["name"] or None,
                mapping=mapping,
                obtained_how=meta["obtained_how"],
                obtained_on=dt.date.fromisoformat(meta["obtained_on"])
                if meta["obtained_on"]
                else None,
                description=meta["description"],
                edition_of=edition_of,
            )
        except (InputErrors, InputError) as exc:
            context.update(_problems(exc))
            return render(request, "inquest/registry/imports/preview.html", context, status=400)
        staging.discard(staged)
        _forget(request, token)
        display = display_preferences(request)["display"]
        if result.edition is not None:
            messages.success(
                request,
                _(
                    "Imported a new edition of source %(code)s: %(added)s records added, "
                    "%(changed)s changed, %(unchanged)s unchanged; %(missing)s records of the "
                    "source are not in this edition and were kept as they were."
                )
                % {
                    "code": result.source.code,
                    "added": shown_number(result.edition.added, display),
                    "changed": shown_number(result.edition.changed, display),
                    "unchanged": shown_number(result.edition.unchanged, display),
                    "missing": shown_number(result.edition.missing, display),
                },
            )
        elif result.created:
            messages.success(
                request,
                _("Imported %(n)s records as source %(code)s.")
                % {"n": shown_number(result.n_records, display), "code": result.source.code},
            )
        else:
            messages.info(
                request,
                _("This file was imported already, as source %(code)s; nothing changed.")
                % {"code": result.source.code},
            )
        return HttpResponseRedirect(reverse("registry:source-detail", args=[result.source.code]))
    return render(request, "inquest/registry/imports/preview.html", context)


@require_POST
def import_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Drop a pending upload and its file."""
    levels = _require_importer(request)
    if isinstance(levels, HttpResponse):
        return levels
    _, staged = _pending(request, token)
    staging.discard(staged)
    _forget(request, token)
    return redirect("registry:import")
