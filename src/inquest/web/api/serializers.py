"""JSON shapes of the API. Objects are named by their public ids (``uid``; a source by its
code), never by sequential primary keys. Nested lists (a person's statements, an event's
participants, a run's sources and files) hold only what the viewset prefetched for the
caller: each viewset narrows them with ``visible_to`` (see ``inquest.web.api.views``)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from inquest.web.registry.models import (
    Event,
    EventParticipant,
    Person,
    Place,
    Record,
    Source,
    Statement,
)
from inquest.web.runs.models import Artefact, EstimateRun, LinkageRun
from inquest.web.runs.queries import without_server_paths


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


class RecordSerializer(serializers.ModelSerializer[Record]):
    """A record with the values of its latest version the caller may see."""

    source: serializers.SlugRelatedField[Source] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True
    )
    confidentiality = serializers.CharField(source="get_confidentiality_display")
    version = serializers.SerializerMethodField()
    values = serializers.SerializerMethodField()

    class Meta:
        model = Record
        fields = (
            "uid",
            "source",
            "row_number",
            "external_id",
            "confidentiality",
            "version",
            "values",
        )

    def _latest(self, record: Record) -> Any:
        versions = getattr(record, "visible_versions", [])
        return versions[0] if versions else None

    def get_version(self, record: Record) -> int | None:
        """The number of the latest visible version."""
        latest = self._latest(record)
        return None if latest is None else int(latest.number)

    def get_values(self, record: Record) -> dict[str, str]:
        """Column name to the verbatim text of the latest visible version."""
        latest = self._latest(record)
        return {} if latest is None else dict(latest.raw)


class StatementSerializer(serializers.ModelSerializer[Statement]):
    """A claim about a person, with the source (and row and column) that makes it."""

    source: serializers.SlugRelatedField[Source] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True
    )
    record: serializers.SlugRelatedField[Record] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="uid", read_only=True
    )
    confidentiality = serializers.CharField(source="get_confidentiality_display")

    class Meta:
        model = Statement
        fields = (
            "prop",
            "value",
            "original_value",
            "lang",
            "source",
            "record",
            "field",
            "confidentiality",
        )


class PersonSerializer(serializers.ModelSerializer[Person]):
    """A person with the shown names (Persian and Latin script) and date of death the
    workbench shows, and the statements and records the caller may see."""

    confidentiality = serializers.CharField(source="get_confidentiality_display")
    statements = StatementSerializer(many=True, read_only=True, source="visible_statements")
    records = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = (
            "uid",
            "label",
            "name_fa",
            "name_en",
            "death_earliest",
            "death_latest",
            "confidentiality",
            "statements",
            "records",
        )

    def get_records(self, person: Person) -> list[dict[str, Any]]:
        """The person's records the caller may see: public id, source code and row."""
        return [
            {
                "uid": str(m.record.uid),
                "source": m.record.source.code,
                "row_number": m.record.row_number,
            }
            for m in getattr(person, "visible_memberships", [])
        ]


class PlaceSerializer(serializers.ModelSerializer[Place]):
    """A gazetteer place (or one a user added)."""

    confidentiality = serializers.CharField(source="get_confidentiality_display")
    parent: serializers.SlugRelatedField[Place] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="uid", read_only=True
    )

    class Meta:
        model = Place
        fields = (
            "uid",
            "name",
            "name_original",
            "other_names",
            "kind",
            "parent",
            "latitude",
            "longitude",
            "gazetteer_id",
            "confidentiality",
        )


class ParticipantSerializer(serializers.ModelSerializer[EventParticipant]):
    """A person's part in an event."""

    person: serializers.SlugRelatedField[Person] = serializers.SlugRelatedField(
        slug_field="uid", read_only=True
    )

    class Meta:
        model = EventParticipant
        fields = ("person", "role", "note")


class EventSerializer(serializers.ModelSerializer[Event]):
    """An event with its date interval, place, source and the persons the caller may see."""

    source: serializers.SlugRelatedField[Source] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True
    )
    confidentiality = serializers.CharField(source="get_confidentiality_display")
    participants = ParticipantSerializer(many=True, read_only=True, source="visible_participants")
    place: serializers.SlugRelatedField[Place] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="uid", read_only=True
    )
    record = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = (
            "uid",
            "kind",
            "date_earliest",
            "date_latest",
            "date_original",
            "place",
            "description",
            "source",
            "record",
            "participants",
            "confidentiality",
        )

    def get_record(self, event: Event) -> str | None:
        """The record's public id if the caller may see the record (an event's level does not
        follow its record's, so a visible event may cite a hidden record)."""
        record = event.record
        if record is None or not getattr(event, "record_visible", False):
            return None
        return str(record.uid)


class ArtefactSerializer(serializers.ModelSerializer[Artefact]):
    """A file a run wrote, with its hash and size."""

    class Meta:
        model = Artefact
        fields = ("uid", "kind", "sha256", "size_bytes")


_RUN_FIELDS = (
    "uid",
    "status",
    "parameters",
    "input_sha256",
    "code_version",
    "seed",
    "results",
    "error",
    "started_at",
    "finished_at",
    "confidentiality",
    "artefacts",
)


def _without_server_paths(data: Any) -> Any:
    """A run's answer with the server's folders cut from its parameters, results and error."""
    for name in ("parameters", "results", "error"):
        data[name] = without_server_paths(data[name])
    return data


class LinkageRunSerializer(serializers.ModelSerializer[LinkageRun]):
    """A linkage run: what it was asked, on which sources, with which code, and its results."""

    confidentiality = serializers.CharField(source="get_confidentiality_display")
    sources = serializers.SerializerMethodField()
    artefacts = ArtefactSerializer(many=True, read_only=True, source="visible_artefacts")

    class Meta:
        model = LinkageRun
        fields = (*_RUN_FIELDS, "sources")

    def to_representation(self, instance: LinkageRun) -> Any:
        """The run, with no server path in it."""
        return _without_server_paths(super().to_representation(instance))

    def get_sources(self, run: LinkageRun) -> list[str]:
        """Codes of the run's sources the caller may see."""
        return [source.code for source in getattr(run, "visible_sources", [])]


class EstimateRunSerializer(serializers.ModelSerializer[EstimateRun]):
    """An estimate run: method, input hash, version, seed, result and files."""

    confidentiality = serializers.CharField(source="get_confidentiality_display")
    artefacts = ArtefactSerializer(many=True, read_only=True, source="visible_artefacts")
    linkage_run: serializers.SlugRelatedField[LinkageRun] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="uid", read_only=True
    )

    class Meta:
        model = EstimateRun
        fields = (*_RUN_FIELDS, "method", "linkage_run")

    def to_representation(self, instance: EstimateRun) -> Any:
        """The run, with no server path in it."""
        return _without_server_paths(super().to_representation(instance))
