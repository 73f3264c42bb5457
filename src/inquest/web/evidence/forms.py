"""The forms of evidence: an upload, a link, a redacted copy, a copy without metadata, the
expunge procedure and a bundle's export."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from inquest.errors import InputError
from inquest.evidence.redact import RedactionReason, Region, parse_pages, parse_region
from inquest.evidence.vocabulary import ExpungeReason
from inquest.web.access.levels import Level
from inquest.web.evidence.models import CONSENT_CHOICES, METHOD_CHOICES
from inquest.web.site.choices import engine_choices


class UploadForm(forms.Form):
    """One file with its acquisition; restrictions one a line."""

    file = forms.FileField(label=_("File"))
    acquired_by = forms.CharField(label=_("Acquired by"), max_length=2000)
    acquired_at = forms.DateTimeField(
        label=_("Acquired at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    method = forms.ChoiceField(label=_("How it was acquired"), choices=METHOD_CHOICES)
    consent = forms.ChoiceField(label=_("Consent of the source"), choices=CONSENT_CHOICES)
    restrictions = forms.CharField(
        label=_("Restrictions (one a line)"), required=False, widget=forms.Textarea
    )
    source = forms.CharField(label=_("Handed over by"), max_length=2000, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    level = forms.TypedChoiceField(
        label=_("Level"), choices=Level.choices, coerce=int, initial=int(Level.CONFIDENTIAL)
    )

    def restriction_list(self) -> tuple[str, ...]:
        """The restrictions given, blank lines dropped."""
        text: str = self.cleaned_data.get("restrictions", "")
        return tuple(line.strip() for line in text.splitlines() if line.strip())


class LinkForm(forms.Form):
    """What an item supports (a person, event or place by its uid) and where in the item."""

    target = forms.ChoiceField(
        label=_("About"),
        choices=[("person", _("a person")), ("event", _("an event")), ("place", _("a place"))],
    )
    target_uid = forms.UUIDField(label=_("Its identifier (uid)"))
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1)
    region_x = forms.FloatField(label=_("Region: left (0-1)"), required=False)
    region_y = forms.FloatField(label=_("Region: top (0-1)"), required=False)
    region_w = forms.FloatField(label=_("Region: width (0-1)"), required=False)
    region_h = forms.FloatField(label=_("Region: height (0-1)"), required=False)
    start_s = forms.FloatField(label=_("From (seconds)"), required=False, min_value=0)
    end_s = forms.FloatField(label=_("To (seconds)"), required=False, min_value=0)
    quote = forms.CharField(label=_("Quoted text"), required=False, widget=forms.Textarea)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea)

    def region(self) -> tuple[float, float, float, float] | None:
        """The region given, or None when no part of it was."""
        parts = [self.cleaned_data.get(f"region_{k}") for k in "xywh"]
        values = [float(p) for p in parts if p is not None]
        if not values:
            return None
        if len(values) != len(parts):
            raise forms.ValidationError(_("A region needs left, top, width and height."))
        return (values[0], values[1], values[2], values[3])


REDACTION_REASONS = engine_choices(
    RedactionReason,
    {
        RedactionReason.WITNESS_PROTECTION: _("witness protection"),
        RedactionReason.VICTIM_PRIVACY: _("a victim's privacy"),
        RedactionReason.THIRD_PARTY_PRIVACY: _("a third party's privacy"),
        RedactionReason.SOURCE_PROTECTION: _("source protection"),
        RedactionReason.MEDICAL: _("medical information"),
        RedactionReason.CHILD: _("a child"),
        RedactionReason.ONGOING_INVESTIGATION: _("an ongoing investigation"),
        RedactionReason.LEGAL_PRIVILEGE: _("legal privilege"),
        RedactionReason.IRRELEVANT: _("irrelevant"),
        RedactionReason.OTHER: _("other"),
    },
)
EXPUNGE_REASONS = engine_choices(
    ExpungeReason,
    {
        ExpungeReason.COURT_ORDER: _("a court or tribunal ordered it"),
        ExpungeReason.CONSENT_WITHDRAWN: _("the source withdrew consent"),
        ExpungeReason.UNLAWFUL_CONTENT: _("keeping the content is unlawful"),
        ExpungeReason.ENDANGERS_PERSON: _("keeping it endangers a person"),
        ExpungeReason.DUPLICATE_OF: _("a copy of another original that is kept"),
        ExpungeReason.INGESTED_IN_ERROR: _("stored by mistake"),
    },
)


class RedactForm(forms.Form):
    """A redacted copy: pages withdrawn and regions removed (coordinates typed), the reason,
    a note and the copy's level."""

    pages = forms.CharField(
        label=_("Pages to withdraw (from 1, e.g. 2, 4-5)"), required=False, max_length=2000
    )
    regions = forms.CharField(
        label=_(
            "Regions to remove, one a line: PAGE:x0,y0,x1,y1 in PDF points from the top left; "
            "for an image x0,y0,x1,y1 in pixels"
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "ltr"}),
    )
    reason = forms.ChoiceField(label=_("Why"), choices=REDACTION_REASONS)
    note = forms.CharField(label=_("Note on the redaction"), required=False, max_length=2000)
    level = forms.TypedChoiceField(label=_("Level of the copy"), choices=Level.choices, coerce=int)

    def parsed(self) -> tuple[tuple[int, ...], list[tuple[int | None, Region]]]:
        """The pages (indexes from 0) and regions; ValidationError naming the line."""
        try:
            pages = parse_pages(self.cleaned_data["pages"])
            lines = [x for x in self.cleaned_data["regions"].splitlines() if x.strip()]
            regions = [parse_region(line) for line in lines]
        except InputError as exc:
            raise forms.ValidationError(str(exc)) from None
        return pages, regions


class CopyForm(forms.Form):
    """A copy without metadata, and its level."""

    level = forms.TypedChoiceField(label=_("Level of the copy"), choices=Level.choices, coerce=int)


class ExpungeForm(forms.Form):
    """The expunge procedure: a listed reason, its reference, a note, and the confirmation
    (the first 12 characters of the item's SHA-256, typed)."""

    reason = forms.ChoiceField(label=_("Reason"), choices=EXPUNGE_REASONS)
    reference = forms.CharField(
        label=_("Reference (the order's number, the kept original's SHA-256 ...)"),
        required=False,
        max_length=2000,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
    confirm = forms.CharField(
        label=_("To confirm, type the first 12 characters of the item's SHA-256"), max_length=64
    )


class ExportForm(forms.Form):
    """The bundle's title (the items are the list's ticked boxes)."""

    title = forms.CharField(label=_("Title of the bundle"), max_length=500)
