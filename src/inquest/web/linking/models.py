"""Reviewers' decisions on pairs of records: an append-only history per pair.

A pair is two records, the lower primary key first. Each decision names the one it replaces
(``supersedes``); a decision can be replaced once only, and a pair has one first decision
only, so two reviewers who saw the same state cannot both write: the second is refused by
the database and is shown the first one's decision (see ``review.decide``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from inquest.linkage.review import Judgement, ReviewReason
from inquest.web.access.models import Confidential
from inquest.web.site.choices import engine_choices

#: The engine's judgements (``inquest.linkage.review.Judgement``) as the workbench names them.
JUDGEMENT_CHOICES = engine_choices(
    Judgement,
    {
        Judgement.MATCH: _("match"),
        Judgement.NON_MATCH: _("non-match"),
        Judgement.UNSURE: _("unsure"),
    },
)


class ReviewDecision(Confidential):
    """One reviewer's decision on a pair of records, with a note. Never changed or deleted."""

    ACCESS_PARENTS: ClassVar[tuple[str, ...]] = ("record_a", "record_b")

    record_a = models.ForeignKey("registry.Record", on_delete=models.PROTECT, related_name="+")
    record_b = models.ForeignKey("registry.Record", on_delete=models.PROTECT, related_name="+")
    judgement = models.CharField(max_length=16, choices=JUDGEMENT_CHOICES)
    note = models.TextField(blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    linkage_run = models.ForeignKey(
        "runs.LinkageRun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("the run whose pair the reviewer was shown"),
    )
    match_probability = models.FloatField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("record_a", "record_b", "id")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(record_a__lt=models.F("record_b")),
                name="review_pair_ordered",
            ),
            models.UniqueConstraint(
                fields=["record_a", "record_b"],
                condition=models.Q(supersedes__isnull=True),
                name="review_one_first_decision",
            ),
        )
        indexes = (models.Index(fields=["record_a", "record_b"], name="review_pair"),)

    def __str__(self) -> str:
        return f"{self.judgement} on records {self.record_a_id} and {self.record_b_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only: a decision is replaced by a new one, never edited."""
        if self.pk is not None and not self._state.adding:
            raise ValueError("review decisions are append-only; record a new decision")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refused: the history is kept."""
        raise ValueError("review decisions are append-only; they are never deleted")


class ReviewQueue(models.Model):
    """That the queue of a linkage run was written to ``QueuedPair`` (once per run, from its
    files): pages then read the queue from the database, a page at a time."""

    run = models.OneToOneField("runs.LinkageRun", on_delete=models.CASCADE, related_name="+")
    size = models.PositiveIntegerField()
    built_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"review queue of run {self.run_id} ({self.size} pairs)"


#: Why a pair is in the queue: the engine's reasons, labelled.
REASON_CHOICES = engine_choices(
    ReviewReason,
    {
        ReviewReason.BAND: _("score between the review thresholds"),
        ReviewReason.CLUSTER: _("weakest link of a person"),
    },
)


class QueuedPair(Confidential):
    """One pair of a run's review queue: records ``a < b``, the run's scores, why it is queued
    and its place two ways: ``rank``, closest to even odds first, and ``value_rank``, the
    largest expected narrowing of the estimate of N first (``value``:
    ``inquest.linkage.review_value``). Paged by either rank (keyset)."""

    ACCESS_PARENTS: ClassVar[tuple[str, ...]] = ("record_a", "record_b")

    run = models.ForeignKey("runs.LinkageRun", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveIntegerField()
    record_a = models.ForeignKey("registry.Record", on_delete=models.PROTECT, related_name="+")
    record_b = models.ForeignKey("registry.Record", on_delete=models.PROTECT, related_name="+")
    probability = models.FloatField()
    match_weight = models.FloatField()
    reason = models.CharField(max_length=16, choices=REASON_CHOICES)
    evidence_for = models.CharField(max_length=64, blank=True)
    evidence_against = models.CharField(max_length=64, blank=True)
    value = models.FloatField(default=0.0)
    value_rank = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("run", "rank")
        constraints = (
            models.UniqueConstraint(fields=["run", "rank"], name="queued_pair_rank"),
            models.UniqueConstraint(fields=["run", "value_rank"], name="queued_pair_value_rank"),
            models.UniqueConstraint(
                fields=["run", "record_a", "record_b"], name="queued_pair_records"
            ),
        )
        indexes = (models.Index(fields=["run", "probability"], name="queued_pair_score"),)

    def __str__(self) -> str:
        return (
            f"pair {self.rank} of run {self.run_id}: records {self.record_a_id}, {self.record_b_id}"
        )
