"""Registry models: Source and SourceEdition, Record and RecordVersion, Person, PersonRecord,
Statement, Place, Event and EventParticipant. Every one carries a confidentiality level
(``Confidential``).

Writes go through ``inquest.web.registry.services``; reads through ``queries`` or
``Model.objects.visible_to(user)``.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from inquest.places import PlaceKind
from inquest.web.access.models import Confidential
from inquest.web.site.choices import engine_choices

_USER = settings.AUTH_USER_MODEL


class Source(Confidential):
    """A list or document collection: where it came from, how and when it was obtained.

    ``file_sha256`` is the hash of the file it was imported from; importing the same file
    twice finds this source instead of making another.
    """

    code = models.SlugField(max_length=32, unique=True, help_text=_("short code, e.g. 'A'"))
    name = models.CharField(max_length=300)
    name_original = models.CharField(max_length=300, blank=True)
    origin = models.CharField(max_length=300, help_text=_("who compiled or published it"))
    obtained_how = models.TextField(blank=True)
    obtained_on = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)
    file_name = models.CharField(max_length=300, blank=True)
    file_sha256 = models.CharField(max_length=64, unique=True, null=True, blank=True)
    file_bytes = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"


class SourceEdition(Confidential):
    """A newer edition of a source's list (it grew, or was corrected), imported into the
    source: its file and what it changed. The source's own file is its first edition.

    Importing the same file again finds this edition instead of changing anything.
    """

    ACCESS_PARENTS: ClassVar[tuple[str, ...]] = ("source",)

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="editions")
    number = models.PositiveIntegerField(help_text=_("2 for the first edition after the source"))
    file_name = models.CharField(max_length=300)
    file_sha256 = models.CharField(max_length=64, unique=True)
    file_bytes = models.BigIntegerField()
    added = models.PositiveIntegerField()
    changed = models.PositiveIntegerField()
    unchanged = models.PositiveIntegerField()
    missing = models.PositiveIntegerField(help_text=_("records of the source not in this edition"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("source", "number")
        constraints = (
            models.UniqueConstraint(fields=["source", "number"], name="source_edition_unique"),
            models.CheckConstraint(
                condition=models.Q(number__gte=2), name="source_edition_number_after_first"
            ),
        )

    def __str__(self) -> str:
        return f"{self.source.code} edition {self.number}"


class Record(Confidential):
    """One row of a source. Its values live in versions; the record itself never changes.

    ``uid`` is its public id in pages and the API: sequential ids would count hidden rows.
    """

    ACCESS_PARENTS: ClassVar[tuple[str, ...]] = ("source",)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="records")
    row_number = models.PositiveIntegerField(help_text=_("1-based data row in the source file"))
    external_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("source", "row_number")
        constraints = (
            models.UniqueConstraint(fields=["source", "row_number"], name="record_row_unique"),
        )

    def __str__(self) -> str:
        return f"{self.source.code} row {self.row_number}"

    @property
    def current(self) -> RecordVersion:
        """The latest version (the one a correction made last, else the imported one)."""
        version = self.versions.order_by("-number").first()
        if version is None:
            raise RecordVersion.DoesNotExist(f"record {self.pk} has no version")
        return version


class RecordVersion(Confidential):
    """The values of a record at one version: raw verbatim, plus what the engine derived.

    Version 1 is the row as imported. A correction is a new version with who and why. Raw
    values, author and reason are never changed after saving; only the engine's prepared
    values may be (re)written, with ``save(update_fields=["prepared", "prepared_with"])``.
    """

    ACCESS_PARENTS: ClassVar[tuple[str, ...]] = ("record",)
    MUTABLE_FIELDS: ClassVar[frozenset[str]] = frozenset({"prepared", "prepared_with"})

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    raw = models.JSONField(help_text=_("column name to the verbatim text of the source"))
    prepared = models.JSONField(null=True, blank=True)
    prepared_with = models.CharField(max_length=100, blank=True)
    reason = models.TextField()
    created_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("record", "number")
        constraints = (
            models.UniqueConstraint(fields=["record", "number"], name="record_version_unique"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="record_version_number_positive"
            ),
        )

    def __str__(self) -> str:
        return f"record {self.record_id} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert, or update only the prepared values; anything else is refused."""
        if self.pk is not None and not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.MUTABLE_FIELDS:
                raise ValueError(
                    "a record version is never edited in place; record a correction instead"
                )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refused: versions are kept for good."""
        raise ValueError("record versions are never deleted")


class Person(Confidential):
    """A resolved individual: a cluster of records with a stable id.

    ``uid`` never changes. When two persons turn out to be one, the one absorbed keeps its
    uid and points to the survivor through ``merged_into``.

    ``name_fa`` and ``name_en`` are the names shown on Persian and English pages, and
    ``death_earliest`` / ``death_latest`` the death date shown, all chosen from the person's
    records (``inquest.web.registry.persons``) whenever its records change, so that lists
    sort and show them without reading records. They come only from the person's own
    records, which are never more confidential than the person. ``n_records`` counts those
    records, kept the same way, so that a page of the list counts nothing.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    label = models.CharField(max_length=300, blank=True)
    name_fa = models.CharField(
        max_length=300, blank=True, help_text=_("name shown in Persian: Persian script first")
    )
    name_en = models.CharField(
        max_length=300, blank=True, help_text=_("name shown in English: Latin script first")
    )
    death_earliest = models.DateField(null=True, blank=True)
    death_latest = models.DateField(null=True, blank=True)
    n_records = models.PositiveIntegerField(
        default=0, help_text=_("records of the person at or below its level")
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="absorbed"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)
        indexes = (
            models.Index(fields=["name_en", "id"], name="person_name_en"),
            models.Index(fields=["name_fa", "id"], name="person_name_fa"),
            models.Index(fields=["death_earliest", "id"], name="person_death"),
            models.Index(fields=["n_records", "id"], name="person_records"),
        )

    def __str__(self) -> str:
        return self.display_name() or str(self.uid)

    @staticmethod
    def name_field(language: str | None = None) -> str:
        """The field holding the name shown in ``language`` (default: the active one)."""
        lang = language or translation.get_language() or "en"
        return "name_fa" if lang.startswith("fa") else "name_en"

    def display_name(self, language: str | None = None) -> str:
        """The name shown in ``language``: the chosen one, else the label; "" if neither."""
        return str(getattr(self, self.name_field(language))) or self.label


class PersonRecord(Confidential):
    """That a record belongs to a person, and who or what decided it (a run or a reviewer)."""

    ACCESS_PARENTS: ClassVar[tuple[str, ...]] = ("person", "record")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    record = models.OneToOneField(Record, on_delete=models.PROTECT, related_name="membership")
    linkage_run = models.ForeignKey(
        "runs.LinkageRun", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    match_probability = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"record {self.record_id} in person {self.person_id}"


class Statement(Confidential):
    """A claim: "source X (row R) says property P of person Q is V" (FollowTheMoney style).

    ``original_value`` is the text exactly as the source gives it; ``value`` the form it is
    compared and shown in. Statements are never merged: conflicts stay visible.
    """

    ACCESS_PARENTS: ClassVar[tuple[str, ...]] = ("person", "source", "record")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="statements")
    prop = models.CharField(max_length=64)
    value = models.TextField()
    original_value = models.TextField()
    lang = models.CharField(max_length=16, blank=True)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="statements")
    record = models.ForeignKey(
        Record, on_delete=models.PROTECT, null=True, blank=True, related_name="statements"
    )
    record_version = models.ForeignKey(
        RecordVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    field = models.CharField(max_length=100, blank=True, help_text=_("column in the source"))
    linkage_run = models.ForeignKey(
        "runs.LinkageRun", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("person", "prop", "source", "id")
        indexes = (models.Index(fields=["person", "prop"], name="statement_person_prop"),)

    def __str__(self) -> str:
        return f"{self.source_id} says {self.prop} of person {self.person_id} is {self.value!r}"


#: The engine's kinds of place (``inquest.places.PlaceKind``) as the workbench names them.
PLACE_KIND_CHOICES = engine_choices(
    PlaceKind,
    {
        PlaceKind.COUNTRY: _("country"),
        PlaceKind.PROVINCE: _("province"),
        PlaceKind.COUNTY: _("county"),
        PlaceKind.CITY: _("city"),
        PlaceKind.VILLAGE: _("village"),
        PlaceKind.PRISON: _("prison"),
        PlaceKind.COURT: _("court"),
        PlaceKind.CEMETERY: _("cemetery"),
        PlaceKind.BURIAL_SITE: _("burial site"),
        PlaceKind.OTHER: _("other"),
    },
)


class Place(Confidential):
    """A place from the packaged gazetteer (``gazetteer_id``) or added by a user.

    ``parent`` is today's province for gazetteer places; ``details`` keeps the rest of the
    gazetteer entry (the province in 1988, the source of the coordinates, notes).
    """

    ACCESS_PARENTS: ClassVar[tuple[str, ...]] = ("parent",)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    name = models.CharField(max_length=300)
    name_original = models.CharField(max_length=300, blank=True)
    other_names = models.JSONField(default=list, blank=True)
    kind = models.CharField(max_length=32, choices=PLACE_KIND_CHOICES)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    gazetteer_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    details = models.JSONField(
        default=dict, blank=True, help_text=_("more from the gazetteer: province in 1988, ...")
    )
    added_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)
        constraints = (
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="place_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="place_longitude_range",
            ),
        )

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    """What happened."""

    ARREST = "arrest", _("arrest")
    DETENTION = "detention", _("detention")
    TRANSFER = "transfer", _("transfer")
    TRIAL = "trial", _("trial")
    SENTENCE = "sentence", _("sentence")
    EXECUTION = "execution", _("execution")
    BURIAL = "burial", _("burial")
    RELEASE = "release", _("release")
    DISAPPEARANCE = "disappearance", _("disappearance")
    OTHER = "other", _("other")


class Event(Confidential):
    """Something that happened to persons, at a place, within a date interval.

    A partial date is an interval: "Mordad 1367" is 1988-07-23 to 1988-08-22. The text as the
    source gave it is kept in ``date_original``.
    """

    ACCESS_PARENTS: ClassVar[tuple[str, ...]] = ("place", "source")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    kind = models.CharField(max_length=32, choices=EventKind.choices)
    date_earliest = models.DateField(null=True, blank=True)
    date_latest = models.DateField(null=True, blank=True)
    date_original = models.CharField(max_length=200, blank=True)
    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    description = models.TextField(blank=True)
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    record = models.ForeignKey(
        Record, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    created_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("date_earliest", "id")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(date_earliest__isnull=True)
                | models.Q(date_latest__isnull=True)
                | models.Q(date_earliest__lte=models.F("date_latest")),
                name="event_interval_ordered",
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date_original or ''}".strip()


class ParticipantRole(models.TextChoices):
    """How a person took part in an event. Alleged perpetrators get their own model later."""

    SUBJECT = "subject", _("subject")
    WITNESS = "witness", _("witness")
    CO_DETAINEE = "co_detainee", _("co-detainee")
    RELATIVE = "relative", _("relative")
    OTHER = "other", _("other")


class EventParticipant(Confidential):
    """A person's part in an event, as a source says."""

    ACCESS_PARENTS: ClassVar[tuple[str, ...]] = ("event", "person", "source")

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="events")
    role = models.CharField(max_length=32, choices=ParticipantRole.choices)
    note = models.TextField(blank=True)
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["event", "person", "role"], name="event_participant_unique"
            ),
        )

    def __str__(self) -> str:
        return f"person {self.person_id} as {self.role} in event {self.event_id}"


class NameKey(Confidential):
    """A record's name as the registry search finds it (``inquest.web.registry.search``).

    One row per record (keyed by it): its name as the source gives it (``name``, original
    script), that name in the engine's key form, the key of its prison column, and the
    person the record belongs to (copied from its membership, so search needs no join).
    Written by the registry services when a record or a correction is added, and by
    ``inquest db manage search_keys`` for rows written before; its tokens are in
    ``NameToken``.
    """

    # Its level is its record's (set when written; a record's level never changes), so the
    # record need not be joined to check it: only the source, as for the record itself.
    ACCESS_PARENTS: ClassVar[tuple[str, ...]] = ("source",)

    record = models.OneToOneField(
        Record, on_delete=models.CASCADE, primary_key=True, related_name="name_key"
    )
    version = models.PositiveIntegerField(help_text=_("the record version the name is from"))
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="name_keys"
    )
    name = models.CharField(max_length=300)
    key = models.CharField(max_length=300)
    prison_key = models.CharField(max_length=200, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.name} (record {self.record_id})"


class NameToken(Confidential):
    """A search token of a record's name: one word's skeleton (``MHMD``) or two words'
    skeletons in order (``HSN MHMD``), so a two-word query is one index lookup whatever the
    script. The name, source and level are copied from the ``NameKey``, so the candidates
    of a query are counted from the index alone."""

    ACCESS_PARENTS: ClassVar[tuple[str, ...]] = ("source",)

    entry = models.ForeignKey(NameKey, on_delete=models.CASCADE, related_name="tokens")
    token = models.CharField(max_length=64)
    name = models.CharField(max_length=300)
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = (
            models.Index(
                fields=["token", "name"],
                include=["confidentiality", "source", "entry"],
                name="nametoken_token_name",
            ),
        )

    def __str__(self) -> str:
        return f"{self.token} -> {self.entry_id}"
