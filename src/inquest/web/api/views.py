"""API viewsets: read-only and paginated; every queryset, nested ones included, is narrowed
to what the caller may see (``visible_to`` and ``inquest.web.registry.queries``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, Model, OuterRef, Prefetch, Q, QuerySet
from drf_spectacular.openapi import AutoSchema
from rest_framework import viewsets
from rest_framework.pagination import PageNumberPagination

from inquest.web.api import serializers as s
from inquest.web.audit.reads import note_shown
from inquest.web.registry import queries
from inquest.web.registry.models import (
    Event,
    EventParticipant,
    NameToken,
    Person,
    PersonRecord,
    Place,
    Record,
    RecordVersion,
    Source,
    Statement,
)
from inquest.web.registry.search import candidates
from inquest.web.runs.models import Artefact, EstimateRun, LinkageRun


class Page(PageNumberPagination):
    """50 to a page; ``?page_size=`` up to 500."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class ReadOnly(viewsets.ReadOnlyModelViewSet[Any]):
    """List and detail only, paginated, described in the OpenAPI schema. The objects an
    answer shows (nested ones included) are noted, so one showing protected objects is an
    audit entry (``inquest.web.audit.reads``)."""

    pagination_class = Page
    schema = AutoSchema()
    nested: tuple[str, ...] = ()  # prefetched attributes whose objects are shown too

    def _shown(self, objects: list[Any]) -> list[Model]:
        shown: list[Model] = list(objects)
        for obj in objects:
            for name in self.nested:
                shown.extend(getattr(obj, name, []))
        return shown

    def paginate_queryset(self, queryset: Any) -> list[Any] | None:
        """One page, audited if it shows protected objects."""
        page = super().paginate_queryset(queryset)
        if page is not None:
            note_shown(self.request.user, self._shown(page))
        return page

    def get_object(self) -> Any:
        """One object, audited if it or what it shows is protected."""
        obj = super().get_object()
        note_shown(self.request.user, self._shown([obj]))
        return obj


def _search_term(view: ReadOnly) -> str:
    """The ``?search=`` term of the request, stripped (empty: no search)."""
    return str(view.request.query_params.get("search", "")).strip()[:200]


def _named(view: ReadOnly, field: str) -> QuerySet[NameToken, dict[str, Any]]:
    """The ids (``field`` of the name index) of the records or persons whose name has every
    word of ``?search=`` in any script, as the workbench's search finds them."""
    found: QuerySet[NameToken, dict[str, Any]] = candidates(
        view.request.user, _search_term(view)
    ).values(field)
    return found


class SourceViewSet(ReadOnly):
    """Sources (lists and document collections) the caller may see, by code."""

    serializer_class = s.SourceSerializer
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Source]:
        """The caller's visible sources with their visible record counts; ``?search=`` in
        the code, name or origin."""
        sources = queries.sources_for(self.request.user).order_by("code")
        term = _search_term(self)
        if term:
            sources = sources.filter(
                Q(code__icontains=term) | Q(name__icontains=term) | Q(origin__icontains=term)
            )
        return sources


class RecordViewSet(ReadOnly):
    """Records the caller may see, with the values of their latest visible version."""

    serializer_class = s.RecordSerializer
    lookup_field = "uid"
    nested = ("visible_versions",)

    def get_queryset(self) -> QuerySet[Record]:
        """Visible records by source and row; ``?source=CODE`` narrows to one source."""
        user = self.request.user
        records = (
            Record.objects.visible_to(user)
            .select_related("source")
            .prefetch_related(
                Prefetch(
                    "versions",
                    queryset=RecordVersion.objects.visible_to(user).order_by("-number"),
                    to_attr="visible_versions",
                )
            )
            .order_by("source__code", "row_number")
        )
        code = self.request.query_params.get("source")
        if code:
            records = records.filter(source__code=code)
        if _search_term(self):
            records = records.filter(pk__in=_named(self, "entry__record"))
        return records


class PersonViewSet(ReadOnly):
    """Persons the caller may see (not merged into another), by uid, with their statements."""

    serializer_class = s.PersonSerializer
    lookup_field = "uid"
    nested = ("visible_statements", "visible_memberships")

    def get_queryset(self) -> QuerySet[Person]:
        """Visible persons with only their visible statements and records; ``?search=`` a
        name in any script."""
        user = self.request.user
        statements = (
            Statement.objects.visible_to(user)
            .select_related("source", "record")
            .order_by("prop", "value", "source__code", "id")
        )
        memberships = (
            PersonRecord.objects.visible_to(user)
            .select_related("record__source")
            .order_by("record__source__code", "record__row_number")
        )
        persons = queries.persons_for(user)
        if _search_term(self):
            persons = persons.filter(pk__in=_named(self, "entry__person"))
        return (
            persons.prefetch_related(
                Prefetch("statements", queryset=statements, to_attr="visible_statements")
            )
            .prefetch_related(
                Prefetch("memberships", queryset=memberships, to_attr="visible_memberships")
            )
            .order_by("id")
        )


class PlaceViewSet(ReadOnly):
    """Places of the gazetteer, and those users added, that the caller may see."""

    serializer_class = s.PlaceSerializer
    lookup_field = "uid"

    def get_queryset(self) -> QuerySet[Place]:
        """Visible places by name; ``?search=`` in the name."""
        places = Place.objects.visible_to(self.request.user).select_related("parent")
        term = _search_term(self)
        if term:
            places = places.filter(name__icontains=term)
        return places.order_by("name", "id")


class EventViewSet(ReadOnly):
    """Events the caller may see, with the participants the caller may see."""

    serializer_class = s.EventSerializer
    lookup_field = "uid"
    nested = ("visible_participants",)

    def get_queryset(self) -> QuerySet[Event]:
        """Visible events by date."""
        user = self.request.user
        return (
            Event.objects.visible_to(user)
            .annotate(
                record_visible=Exists(
                    Record.objects.visible_to(user).filter(pk=OuterRef("record_id"))
                )
            )
            .select_related("source", "place", "record")
            .prefetch_related(
                Prefetch(
                    "participants",
                    queryset=EventParticipant.objects.visible_to(user).select_related("person"),
                    to_attr="visible_participants",
                )
            )
            .order_by("date_earliest", "id")
        )


def _artefacts(user: Any) -> Prefetch[Any]:
    return Prefetch(
        "artefacts", queryset=Artefact.objects.visible_to(user), to_attr="visible_artefacts"
    )


class LinkageRunViewSet(ReadOnly):
    """Linkage runs the caller may see, newest first."""

    serializer_class = s.LinkageRunSerializer
    lookup_field = "uid"
    nested = ("visible_sources", "visible_artefacts")

    def get_queryset(self) -> QuerySet[LinkageRun]:
        """Visible linkage runs with their visible sources and files."""
        user = self.request.user
        sources = Source.objects.visible_to(user)
        return (
            LinkageRun.objects.visible_to(user)
            .prefetch_related(Prefetch("sources", queryset=sources, to_attr="visible_sources"))
            .prefetch_related(_artefacts(user))
        )


class EstimateRunViewSet(ReadOnly):
    """Estimate runs the caller may see, newest first."""

    serializer_class = s.EstimateRunSerializer
    lookup_field = "uid"
    nested = ("visible_artefacts",)

    def get_queryset(self) -> QuerySet[EstimateRun]:
        """Visible estimate runs with their visible files."""
        user = self.request.user
        return (
            EstimateRun.objects.visible_to(user)
            .select_related("linkage_run")
            .prefetch_related(_artefacts(user))
        )
