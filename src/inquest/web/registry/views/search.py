"""The registry search page: a name in any script, with filters, results ranked and paged.

The form's choices (sources, prisons, provinces) come from ``visible_to`` querysets, so a
user can neither see nor choose what they may not see; the results come from
``registry.search``, which narrows to the user's clearance too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from inquest.places import PlaceKind
from inquest.web.access.policy import AnyUser
from inquest.web.audit.reads import note_shown
from inquest.web.registry.models import Place, Source
from inquest.web.registry.search import Filters, SearchPage, search
from inquest.web.site.context import display_preferences
from inquest.web.site.date_fields import CalendarDateField
from inquest.web.site.display import Display, default_display
from inquest.web.site.fields import ListedModelChoiceField
from inquest.web.site.links import link_maker
from inquest.web.site.widgets import QuickSelect


class SearchForm(forms.Form):
    """A name and optional filters; every choice is one the user may see."""

    q = forms.CharField(label=_("Name"), max_length=200, required=False)
    source: forms.ModelChoiceField[Source] = ListedModelChoiceField(
        label=_("Source"),
        queryset=Source.objects.none(),
        required=False,
        to_field_name="code",
        widget=QuickSelect,
    )
    prison: forms.ModelChoiceField[Place] = ListedModelChoiceField(
        label=_("Prison"), queryset=Place.objects.none(), required=False, widget=QuickSelect
    )
    place: forms.ModelChoiceField[Place] = ListedModelChoiceField(
        label=_("Province"), queryset=Place.objects.none(), required=False, widget=QuickSelect
    )
    date_from = CalendarDateField(label=_("Events from"), required=False, end="earliest")
    date_to = CalendarDateField(label=_("Events until"), required=False, end="latest")

    def __init__(
        self, user: AnyUser, *args: Any, display: Display | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        language = translation.get_language()
        for name in ("date_from", "date_to"):
            field = cast("CalendarDateField", self.fields[name])
            field.for_display(display or default_display(language), language)
        places = Place.objects.visible_to(user).order_by("name")
        choices: dict[str, QuerySet[Any]] = {
            "source": Source.objects.visible_to(user).order_by("code"),
            "prison": places.filter(kind=PlaceKind.PRISON),
            "place": places.filter(kind=PlaceKind.PROVINCE),
        }
        for name, queryset in choices.items():
            cast("forms.ModelChoiceField[Any]", self.fields[name]).queryset = queryset

    def choices_shown(self) -> list[Any]:
        """The objects the form offers as choices (read once; the rendering reuses them)."""
        shown: list[Any] = []
        for name in ("source", "prison", "place"):
            shown.extend(cast("forms.ModelChoiceField[Any]", self.fields[name]).queryset or ())
        return shown

    def clean(self) -> dict[str, Any]:
        """Refuse a date range that ends before it starts."""
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The range ends before it starts."))
        return data

    def filters(self) -> Filters:
        """The filters chosen (the form must be valid)."""
        data = self.cleaned_data
        return Filters(
            source=data.get("source"),
            prison=data.get("prison"),
            place=data.get("place"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


@dataclass(frozen=True)
class FoldedRecord:
    """A record found, under its result row: its name as the source gives it, and where."""

    name: str
    url: str
    source: str
    row_number: int


@dataclass(frozen=True)
class ResultRow:
    """One result as the page shows it: a person the user may see (``person_url``) with the
    records found folded under it, or one record of no person they may see."""

    name: str
    person_url: str
    records: tuple[FoldedRecord, ...]
    score: str

    @property
    def sources(self) -> list[str]:
        """The codes of the records' sources, each once, in order."""
        return list(dict.fromkeys(r.source for r in self.records))


def result_rows(page: SearchPage) -> list[ResultRow]:
    """The page's rows, their links made without one ``reverse()`` each."""
    record_url = link_maker("registry:record-detail")
    person_url = link_maker("registry:person-detail")
    language = translation.get_language()
    rows = []
    for found in page.found:
        person = found.person
        records = tuple(
            FoldedRecord(
                name=hit.key.name,
                url=record_url(hit.key.record.uid),
                source=hit.key.source.code,
                row_number=hit.key.record.row_number,
            )
            for hit in found.hits
        )
        rows.append(
            ResultRow(
                name=(person.display_name(language) if person is not None else "")
                or records[0].name,
                person_url=person_url(person.uid) if person is not None else "",
                records=records,
                score=f"{found.score:.2f}",
            )
        )
    return rows


@require_GET
def registry_search(request: HttpRequest) -> HttpResponse:
    """Search records by name across scripts; results link to their record and person."""
    display = display_preferences(request)["display"]
    form = SearchForm(request.user, request.GET or None, display=display)
    page = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        try:
            number = int(request.GET.get("page", "1"))
        except ValueError:
            number = 1
        page = search(request.user, form.cleaned_data["q"], form.filters(), page=number)
    note_shown(request.user, form.choices_shown())
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "inquest/registry/search.html",
        {
            "form": form,
            "page": page,
            "rows": result_rows(page) if page is not None else [],
            "params": params.urlencode(),
        },
    )
