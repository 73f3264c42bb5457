"""JSON shapes of the API."""

from __future__ import annotations

from rest_framework import serializers

from inquest.web.registry.models import Source


class SourceSerializer(serializers.ModelSerializer[Source]):
    """A source as the API shows it; ``n_records`` counts the records the caller may see."""

    n_records = serializers.IntegerField(read_only=True)
    confidentiality = serializers.CharField(source="get_confidentiality_display")

    class Meta:
        model = Source
        fields = (
            "code",
            "name",
            "name_original",
            "origin",
            "obtained_how",
            "obtained_on",
            "description",
            "file_name",
            "file_sha256",
            "confidentiality",
            "n_records",
        )
