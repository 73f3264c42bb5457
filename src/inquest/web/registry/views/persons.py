"""The persons list: one row per person (its shown name, death date, how many records and
which sources name it), sorted, filtered, paged, and exported as CSV or XLSX.

Everything comes from ``registry.queries`` (``person_page``, ``person_rows``,
``sources_of_persons``), which narrow to what the user may see; the form's choices too. A
page reads a fixed number of queries however many persons it shows and pages by keyset
(``after`` / ``before``: the uid of the last or first person shown), so a deep page costs
what the first does; an export writes every row the filters keep through
``inquest.web.exports`` (formula-safe, audited).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from inquest.places import PlaceKind
from inquest.web.access.levels import Level
from inquest.web.access.policy import AnyUser
from inquest.web.audit.reads import note_shown
from inquest.web.exports import Export, export_response
from inquest.web.registry import queries as registry
from inquest.web.registry.models import Person, Place, Source
from inquest.web.registry.queries import PersonFilters, PersonSort
from inquest.web.registry.views.exports import FORMATS
from inquest.web.site.context import display_preferences
from inquest.web.site.display import Display, format_interval
from inquest.web.site.fields import ListedModelChoiceField
from inquest.web.site.links import link_maker
from inquest.web.site.widgets import QuickSelect

PAGE_SIZE = 50
SORT_CHOICES = (
    (PersonSort.NAME.value, _("name, A to Z")),
    (PersonSort.NAME_DESC.value, _("name, Z to A")),
    (PersonSort.DATE.value, _("date of death, earliest first")),
    (PersonSort.DATE_DESC.value, _("date of death, latest first")),
    (PersonSort.RECORDS_DESC.value, _("most records first")),
    (PersonSort.RECORDS.value, _("fewest records first")),
)
DATED_CHOICES = (("", _("any")), ("yes", _("with a date")), ("no", _("without a date")))
EXPORT_HEADER = (
    "person",
    "name",
    "name_fa",
    "name_en",
    "death_date",
    "death_earliest",
    "death_latest",
    "records",
    "sources",
    "confidentiality",
)


class PersonFilterForm(forms.Form):
    """Filters and order of the persons list; every choice is one the user may see."""

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
    dated = forms.ChoiceField(
        label=_("Date of death"), choices=DATED_CHOICES, required=False, widget=QuickSelect
    )
    sort = forms.ChoiceField(
        label=_("Order"), choices=SORT_CHOICES, required=False, widget=QuickSelect
    )

    def __init__(self, user: AnyUser, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: dict[str, QuerySet[Any]] = {
            "source": Source.objects.visible_to(user).order_by("code"),
            "prison": Place.objects.visible_to(user).filter(kind=PlaceKind.PRISON).order_by("name"),
        }
        for name, queryset in choices.items():
            cast("forms.ModelChoiceField[Any]", self.fields[name]).queryset = queryset

    def sources(self) -> list[Source]:
        """The sources offered (read once; the rendering reuses them)."""
        return list(cast("forms.ModelChoiceField[Any]", self.fields["source"]).queryset or ())

    def choices_shown(self) -> list[Any]:
        """The objects the form offers as choices."""
        prisons = cast("forms.ModelChoiceField[Any]", self.fields["prison"]).queryset or ()
        return [*self.sources(), *prisons]

    def chosen(self) -> tuple[PersonFilters, PersonSort]:
        """The filters and order chosen; none and by name if the form is not valid."""
        if not self.is_bound or not self.is_valid():
            return PersonFilters(), PersonSort.NAME
        data = self.cleaned_data
        dated = {"yes": True, "no": False}.get(data.get("dated") or "")
        sort = PersonSort(data["sort"]) if data.get("sort") else PersonSort.NAME
        return PersonFilters(
            source=data.get("source"), dated=dated, prison=data.get("prison")
        ), sort


@dataclass(frozen=True)
class PersonRow:
    """One person as the list shows it."""

    person: Person
    url: str
    name: str
    died: str
    n_records: int
    sources: tuple[Source, ...]


def _rows(
    user: AnyUser,
    persons: list[Person],
    sources: list[Source],
    display: Display,
    among: QuerySet[Person, Any] | None = None,
) -> list[PersonRow]:
    """The rows of ``persons`` (one query for their sources, asked of ``among`` if given:
    a query rather than a list of every id exported)."""
    by_id = {s.pk: s for s in sources}
    named = registry.sources_of_persons(user, persons if among is None else among)
    url = link_maker("registry:person-detail")
    language = translation.get_language()
    return [
        PersonRow(
            person=p,
            url=url(p.uid),
            name=p.display_name(language),
            died=format_interval(p.death_earliest, p.death_latest, display),
            n_records=p.n_records,
            sources=tuple(by_id[pk] for pk in named.get(p.pk, ()) if pk in by_id),
        )
        for p in persons
    ]


def _page_number(request: HttpRequest) -> int:
    """The page's number as the links carry it (shown only; the cursor decides the rows)."""
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    """The persons the user may see, filtered and sorted, 50 to a page."""
    form = PersonFilterForm(request.user, request.GET or None)
    filters, sort = form.chosen()
    display = display_preferences(request)["display"]
    page = registry.person_page(
        request.user,
        filters,
        sort,
        translation.get_language(),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=PAGE_SIZE,
    )
    number = _page_number(request) if page.has_previous else 1
    sources = form.sources()
    shown = _rows(request.user, page.persons, sources, display)
    note_shown(request.user, [*page.persons, *form.choices_shown()])
    params = request.GET.copy()
    for cursor in ("page", "after", "before"):
        params.pop(cursor, None)
    pages = -(-page.total // PAGE_SIZE) if page.total is not None else None
    return render(
        request,
        "inquest/registry/person_list.html",
        {
            "form": form,
            "page": page,
            "number": number,
            "pages": pages,
            "next_after": str(page.persons[-1].uid) if page.has_next else "",
            "previous_before": str(page.persons[0].uid) if page.has_previous else "",
            "rows": shown,
            "params": params.urlencode(),
            "formats": FORMATS,
        },
    )


@require_GET
def person_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every person the filters keep (not only one page), in the list's order, as a file;
    the audit entry carries the highest level exported."""
    chosen = next((f for f in FORMATS if f == fmt), None)
    if chosen is None:
        raise Http404("unknown export format")
    form = PersonFilterForm(request.user, request.GET or None)
    if form.is_bound and not form.is_valid():
        # a filter the user may not choose exports nothing, not everything unfiltered
        return HttpResponseBadRequest(_("The filters are not valid."))
    filters, sort = form.chosen()
    display = display_preferences(request)["display"]
    query = registry.person_rows(request.user, filters, sort, translation.get_language())
    persons = list(query)
    rows = _rows(request.user, persons, form.sources(), display, query.order_by().values("pk"))
    level = max((Level(p.confidentiality) for p in persons), default=Level.PUBLIC)
    table = [
        [
            str(row.person.uid),
            row.name,
            row.person.name_fa,
            row.person.name_en,
            row.died,
            row.person.death_earliest,
            row.person.death_latest,
            row.n_records,
            "; ".join(s.code for s in row.sources),
            Level(row.person.confidentiality).name.lower(),
        ]
        for row in rows
    ]
    # the export's entry names the kind only: the protected persons and sources it holds are
    # named by the answer's one view entry
    note_shown(request.user, [*persons, *{s for row in rows for s in row.sources}])
    export = Export("persons", EXPORT_HEADER, table, subject=Person, level=level)
    return export_response(request.user, export, chosen)
