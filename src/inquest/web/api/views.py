"""API views: read-only, every queryset narrowed with the caller's access."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import generics

from inquest.web.api.serializers import SourceSerializer
from inquest.web.registry import queries
from inquest.web.registry.models import Source


class SourceList(generics.ListAPIView[Source]):
    """``GET /api/sources/``: the sources the caller may see."""

    serializer_class = SourceSerializer

    def get_queryset(self) -> QuerySet[Source]:
        """The caller's visible sources, by code."""
        return queries.sources_for(self.request.user).order_by("code")
